from django.urls import path

from resoc.reporting import views, views_framework

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("key-results.xlsx", views.export_xlsx, name="export_xlsx"),
    path("factsheet.pdf", views.factsheet, name="factsheet"),
    path("iati.xml", views.export_iati, name="export_iati"),
    path("indicators/", views_framework.indicators, name="indicators"),
    path("indicators/new/", views_framework.indicator_create, name="indicator_create"),
    path("indicators/<int:pk>/", views_framework.indicator_detail, name="indicator_detail"),
    path("indicators/<int:pk>/edit/", views_framework.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/periods/new/", views_framework.period_create, name="period_create"),
    path("periods/<int:pk>/edit/", views_framework.period_edit, name="period_edit"),
    path("stories/", views_framework.stories, name="stories"),
    path("stories/new/", views_framework.story_create, name="story_create"),
    path("stories/<int:pk>/", views_framework.story_detail, name="story_detail"),
    path("stories/<int:pk>/edit/", views_framework.story_edit, name="story_edit"),
    path("coverage/new/", views_framework.coverage_create, name="coverage_create"),
    path("coverage/<int:pk>/edit/", views_framework.coverage_edit, name="coverage_edit"),
]
