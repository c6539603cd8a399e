from django.urls import path

from resoc.work import views

app_name = "work"

urlpatterns = [
    path("", views.index, name="index"),
    path("sales/", views.sales, name="sales"),
    path("people/<str:ref>/", views.person_work, name="person"),
    path("workshops/<str:code>/assignments/", views.assignments, name="assignments"),
    path(
        "workshops/<str:code>/assignments/new/",
        views.assignment_create,
        name="assignment_create",
    ),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("workshops/<str:code>/months/", views.months_current, name="months_current"),
    path("workshops/<str:code>/months/<str:month>/", views.months, name="months"),
    path("workshops/<str:code>/production/", views.production, name="production"),
    path(
        "workshops/<str:code>/production/new/",
        views.production_create,
        name="production_create",
    ),
    path("production/<int:pk>/edit/", views.production_edit, name="production_edit"),
]
