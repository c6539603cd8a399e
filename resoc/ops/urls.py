from django.urls import path

from resoc.ops import views

app_name = "ops"

urlpatterns = [
    path("readyz", views.readyz, name="readyz"),
    path("ops/access-export/", views.access_export_find, name="access_export_find"),
    path("ops/access-export/<str:ref>/", views.access_export, name="access_export"),
    path(
        "ops/access-export/<str:ref>/export.json",
        views.access_export_json,
        name="access_export_json",
    ),
    path(
        "ops/access-export/<str:ref>/export.pdf", views.access_export_pdf, name="access_export_pdf"
    ),
]
