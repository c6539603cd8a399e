from django.urls import path

from resoc.equipment import views

app_name = "equipment"

urlpatterns = [
    path("", views.equipment_list, name="list"),
    path("export.xlsx", views.equipment_export, name="export"),
    path("new/", views.equipment_create, name="create"),
    path("workshops/<str:code>/", views.workshop_page, name="workshop"),
    path("<str:code>/", views.equipment_detail, name="detail"),
    path("<str:code>/edit/", views.equipment_edit, name="edit"),
    path("<str:code>/status/", views.equipment_status, name="status"),
    path(
        "<str:code>/status/<int:pk>/document/",
        views.status_document_download,
        name="status_document",
    ),
    path("<str:code>/files/new/", views.equipment_file_add, name="file_add"),
    path("<str:code>/files/<int:pk>/", views.equipment_file_download, name="file_download"),
]
