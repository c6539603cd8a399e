from django.urls import path

from resoc.reentry import views

app_name = "reentry"

urlpatterns = [
    path("", views.index, name="index"),
    path("people/<str:ref>/", views.person, name="person"),
    path("people/<str:ref>/assessments/new/", views.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path("people/<str:ref>/plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/sign/", views.plan_sign, name="plan_sign"),
    path("plans/<int:pk>/assign/", views.plan_assign, name="plan_assign"),
    path("plans/<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("people/<str:ref>/referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral"),
    path("referrals/<int:pk>/edit/", views.referral_edit, name="referral_edit"),
    path("referrals/<int:pk>/send/", views.referral_send, name="referral_send"),
    path("referrals/<int:pk>/answer/", views.referral_answer, name="referral_answer"),
    path("people/<str:ref>/follow-ups/new/", views.follow_up_create, name="follow_up_create"),
    path("follow-ups/<int:pk>/edit/", views.follow_up_edit, name="follow_up_edit"),
    path("people/<str:ref>/events/new/", views.event_create, name="event_create"),
]
