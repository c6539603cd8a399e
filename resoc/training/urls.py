from django.urls import path

from resoc.training import attendance, selection, views

app_name = "training"

urlpatterns = [
    path("", views.index, name="index"),
    path("courses/", views.course_list, name="course_list"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<str:code>/", views.course_detail, name="course"),
    path("courses/<str:code>/edit/", views.course_edit, name="course_edit"),
    path("cohorts/new/", views.cohort_create, name="cohort_create"),
    path("cohorts/<str:code>/", views.cohort_detail, name="cohort"),
    path("cohorts/<str:code>/edit/", views.cohort_edit, name="cohort_edit"),
    path("cohorts/<str:code>/complete/", views.cohort_complete, name="cohort_complete"),
    path("cohorts/<str:code>/sessions/new/", views.session_create, name="session_create"),
    path("cohorts/<str:code>/applications/", selection.applications, name="applications"),
    path("cohorts/<str:code>/apply/", selection.apply, name="apply"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/attendance/", attendance.screen, name="attendance"),
    path(
        "sessions/<int:pk>/attendance/<int:enrollment>/",
        attendance.mark,
        name="attendance_mark",
    ),
    path("enrollments/<int:pk>/", selection.enrollment_detail, name="enrollment"),
    path("enrollments/<int:pk>/assess/", selection.enrollment_assess, name="enrollment_assess"),
    path("enrollments/<int:pk>/decide/", selection.enrollment_decide, name="enrollment_decide"),
    path("enrollments/<int:pk>/outcome/", selection.enrollment_outcome, name="enrollment_outcome"),
    path("people/<str:ref>/", selection.person_training, name="person"),
]
