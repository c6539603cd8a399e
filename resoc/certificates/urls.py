from django.urls import path, re_path

from resoc.certificates import views

app_name = "certificates"

CODE = r"(?P<code>[A-Za-z0-9_-]{1,64})"

urlpatterns = [
    # Public: the address printed under the QR code has no trailing slash; both are served.
    re_path(rf"^verify/{CODE}/?$", views.verify, name="verify"),
    re_path(rf"^verify/{CODE}/badge\.json$", views.verify_badge, name="verify_badge"),
    path("certificates/", views.certificate_list, name="list"),
    path("certificates/cohorts/<str:code>/", views.cohort_certificates, name="cohort"),
    path("certificates/cohorts/<str:code>/issue/", views.cohort_issue, name="cohort_issue"),
    path("certificates/cohorts/<str:code>/pdfs/", views.cohort_bulk_pdf, name="cohort_pdfs"),
    path("certificates/<str:number>/", views.certificate_detail, name="detail"),
    path("certificates/<str:number>/pdf/", views.certificate_pdf_download, name="pdf"),
    path("certificates/<str:number>/badge.json", views.certificate_badge_download, name="badge"),
    path("certificates/<str:number>/revoke/", views.certificate_revoke, name="revoke"),
]
