from django.urls import path

from resoc.grants import views

app_name = "grants"

urlpatterns = [
    path("", views.index, name="index"),
    path("calls/new/", views.call_create, name="call_create"),
    path("calls/<str:code>/", views.call_detail, name="call_detail"),
    path("calls/<str:code>/edit/", views.call_edit, name="call_edit"),
    path("calls/<str:code>/criteria/", views.call_criteria, name="call_criteria"),
    path("calls/<str:code>/apply/", views.application_create, name="application_create"),
    path("applications/<str:code>/", views.application_detail, name="application_detail"),
    path("applications/<str:code>/edit/", views.application_edit, name="application_edit"),
    path("applications/<str:code>/plan/", views.application_plan, name="application_plan"),
    path(
        "applications/<str:code>/recheck/",
        views.application_recheck,
        name="application_recheck",
    ),
    path("applications/<str:code>/declaration/", views.declaration, name="declaration"),
    path("applications/<str:code>/score/", views.score, name="score"),
    path("applications/<str:code>/decision/", views.decide, name="decide"),
    path("all/", views.grant_list, name="grant_list"),
    path("visits/", views.worklist, name="worklist"),
    path("survival/", views.survival, name="survival"),
    path("g/<str:code>/", views.grant_detail, name="grant_detail"),
    path("g/<str:code>/items/new/", views.grant_item_add, name="grant_item_add"),
    path("g/<str:code>/delivery/", views.grant_deliver, name="grant_deliver"),
    path("g/<str:code>/ownership/", views.grant_ownership, name="grant_ownership"),
    path("g/<str:code>/close/", views.grant_close, name="grant_close"),
    path("g/<str:code>/handover/", views.handover, name="handover"),
    path("g/<str:code>/visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/photos/new/", views.photo_add, name="photo_add"),
    path("visits/<int:pk>/photos/<int:photo>/", views.photo_download, name="photo_download"),
]
