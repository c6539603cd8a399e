from django.urls import path

from resoc.people import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("export.xlsx", views.person_export, name="export"),
    path("new/", views.person_create, name="create"),
    path("<str:ref>/", views.person_detail, name="detail"),
    path("<str:ref>/edit/", views.person_edit, name="edit"),
    path("<str:ref>/admit/", views.custody_admit, name="admit"),
    path("<str:ref>/transfer/", views.custody_transfer, name="transfer"),
    path("<str:ref>/release/", views.custody_release, name="release"),
    path("<str:ref>/staff-positions/new/", views.staff_position_add, name="staff_position_add"),
    path("<str:ref>/consents/new/", views.consent_add, name="consent_add"),
    path("<str:ref>/consents/<int:pk>/edit/", views.consent_edit, name="consent_edit"),
    path("<str:ref>/consents/<int:pk>/evidence/", views.consent_evidence, name="consent_evidence"),
]
