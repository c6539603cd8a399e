from django.urls import path

from resoc.core.crud import make_views
from resoc.registry import views

app_name = "registry"

urlpatterns = [
    path("cycles/<str:key>/funders/", views.cycle_funders, name="cycle_funders"),
]
for section in views.SECTIONS:
    urlpatterns += make_views(section)
