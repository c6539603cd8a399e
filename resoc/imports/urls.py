from django.urls import path

from resoc.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("confirm/", views.confirm, name="confirm"),
    path("templates/<slug:kind>.xlsx", views.template, name="template"),
]
