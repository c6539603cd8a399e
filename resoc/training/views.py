"""Pages of training: the course catalogue, cohorts and their sessions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from resoc.accounts.models import Role
from resoc.audit.services import audit_record
from resoc.people.selectors import person_list_for_user
from resoc.training import forms, services
from resoc.training.models import PARTICIPANTS, TAKING_A_PLACE, Attendance, Cohort, Course, Session
from resoc.training.selectors import (
    attendance_rate,
    cohort_get_for_user,
    cohort_list_for_user,
    course_get_for_user,
    course_list_for_user,
    enrollment_list_for_user,
    session_get_for_user,
    session_list_for_user,
    with_attendance,
)

PAGE_SIZE = 50
A = Attendance.Status


def require(user, perm, obj=None):
    if not user.has_perm(perm, obj):
        raise PermissionDenied


# Cohorts


def _filtered_cohorts(user, form):
    qs = cohort_list_for_user(user=user)
    if not form.is_valid():
        return qs
    data, today = form.cleaned_data, timezone.localdate()
    if data["q"]:
        qs = qs.filter(Q(code__icontains=data["q"]) | Q(course__title__icontains=data["q"]))
    if data["course"]:
        qs = qs.filter(course=data["course"])
    if data["institution"] == "online":
        qs = qs.filter(institution__isnull=True)
    elif data["institution"]:
        qs = qs.filter(institution__code=data["institution"])
    if data["mode"]:
        qs = qs.filter(mode=data["mode"])
    if data["when"] == "current":
        qs = qs.filter(start__lte=today).filter(Q(end__isnull=True) | Q(end__gte=today))
    elif data["when"] == "upcoming":
        qs = qs.filter(start__gt=today)
    elif data["when"] == "past":
        qs = qs.filter(end__lt=today)
    return qs


@login_required
def index(request):
    """The cohorts in the user's scope, with their places taken (a count, no names)."""
    require(request.user, "training.view_training")
    form = forms.CohortFilterForm(request.GET or None, user=request.user)
    qs = _filtered_cohorts(request.user, form).annotate(
        taken=Count("enrollments", filter=Q(enrollments__status__in=TAKING_A_PLACE), distinct=True),
        n_sessions=Count("sessions", distinct=True),
    )
    page = Paginator(qs.order_by("-start", "code"), PAGE_SIZE).get_page(request.GET.get("page"))
    active = {k: v for k, v in request.GET.items() if k != "page" and v}
    today = timezone.localdate()
    todays = []
    if request.user.role == Role.TRAINER:  # the trainer's day: straight to the attendance
        todays = list(
            session_list_for_user(user=request.user)
            .filter(date=today)
            .order_by("starts_at", "cohort__code")
        )
    return render(
        request,
        "training/index.html",
        {
            "page": page,
            "cohorts": page.object_list,
            "form": form,
            "active": active,
            "today": today,
            "todays": todays,
            "can_add": request.user.has_perm("training.add_cohort"),
        },
    )


def _sessions_with_counts(cohort):
    return (
        Session.objects.filter(cohort=cohort)
        .select_related("module")
        .annotate(
            n_present=Count("attendance", filter=Q(attendance__status=A.PRESENT)),
            n_absent=Count("attendance", filter=Q(attendance__status=A.ABSENT)),
            n_excused=Count("attendance", filter=Q(attendance__status=A.EXCUSED)),
        )
        .order_by("date", "starts_at")
    )


@login_required
def cohort_detail(request, code):
    require(request.user, "training.view_training")
    cohort = cohort_get_for_user(user=request.user, code=code)
    participants = list(
        with_attendance(
            enrollment_list_for_user(user=request.user).filter(
                cohort=cohort, status__in=PARTICIPANTS
            )
        ).order_by("person__family_name", "person__given_name", "person__ref")
    )
    for e in participants:
        e.rate = attendance_rate(e.n_present, e.n_absent)
    counts = dict(
        cohort.enrollments.values_list("status").annotate(n=Count("pk")).order_by("status")
    )
    taken = sum(counts.get(s, 0) for s in TAKING_A_PLACE)
    peers = list(
        cohort.peer_trainers.filter(pk__in=person_list_for_user(user=request.user).values("pk"))
    )
    audit_record(
        "training.enrollment.listed",
        actor=request.user,
        obj=cohort,
        detail={"refs": [e.person.ref for e in participants] + [p.ref for p in peers]},
    )
    user = request.user
    return render(
        request,
        "training/cohort_detail.html",
        {
            "cohort": cohort,
            "trainers": list(cohort.trainers.all()),
            "peers": peers,
            "sessions": list(_sessions_with_counts(cohort)),
            "participants": participants,
            "counts": counts,
            "taken": taken,
            "hidden": sum(counts.get(s, 0) for s in PARTICIPANTS) - len(participants),
            "applications": sum(counts.get(s, 0) for s in ("applied", "waitlisted")),
            "today": timezone.localdate(),
            "min_attendance": services.min_attendance(),
            "can_change": user.has_perm("training.change_cohort", cohort),
            "can_run": user.has_perm("training.run_cohort", cohort),
            "can_see_applications": user.has_perm("training.view_applications", cohort),
        },
    )


def _cohort_form(request, cohort):
    form = forms.CohortForm(request.POST or None, instance=cohort, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if not request.user.has_perm("training.change_cohort", saved):
            form.add_error("institution", _("You cannot run cohorts there."))
        else:
            try:
                with transaction.atomic():
                    services.cohort_save(
                        actor=request.user,
                        cohort=saved,
                        trainers=list(form.cleaned_data["trainers"]),
                        peer_trainers=form.peer_trainers,
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Cohort saved."))
                return redirect("training:cohort", code=saved.code)
    title = _("Edit cohort %(code)s") % {"code": cohort.code} if cohort.pk else _("New cohort")
    return render(request, "training/form.html", {"form": form, "title": title, "cohort": cohort})


@login_required
def cohort_create(request):
    require(request.user, "training.add_cohort")
    return _cohort_form(request, Cohort())


@login_required
def cohort_edit(request, code):
    cohort = cohort_get_for_user(user=request.user, code=code)
    require(request.user, "training.change_cohort", cohort)
    return _cohort_form(request, cohort)


@login_required
@require_POST
def cohort_complete(request, code):
    """Apply the completion rule to the cohort's enrolled people."""
    cohort = cohort_get_for_user(user=request.user, code=code)
    require(request.user, "training.run_cohort", cohort)
    try:
        done = services.enrollment_complete_due(actor=request.user, cohort=cohort)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        message = ngettext(
            "%(count)s person completed the course.",
            "%(count)s people completed the course.",
            len(done),
        )
        messages.success(request, message % {"count": len(done)})
    return redirect("training:cohort", code=cohort.code)


# Sessions


def _session_form(request, cohort, session):
    require(request.user, "training.run_cohort", cohort)
    form = forms.SessionForm(
        request.POST or None, instance=session, user=request.user, cohort=cohort
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.cohort = cohort
        try:
            services.session_save(actor=request.user, session=saved)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Session saved."))
            return redirect("training:cohort", code=cohort.code)
    title = _("Edit session") if session.pk else _("New session")
    return render(request, "training/form.html", {"form": form, "title": title, "cohort": cohort})


@login_required
def session_create(request, code):
    cohort = cohort_get_for_user(user=request.user, code=code)
    return _session_form(request, cohort, Session(cohort=cohort))


@login_required
def session_edit(request, pk):
    session = session_get_for_user(user=request.user, pk=pk)
    return _session_form(request, session.cohort, session)


# Courses


@login_required
def course_list(request):
    require(request.user, "training.view_training")
    qs = course_list_for_user(user=request.user).annotate(n_modules=Count("modules"))
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(Q(code__icontains=query) | Q(title__icontains=query))
    category = request.GET.get("category", "")
    if category:
        qs = qs.filter(category=category)
    page = Paginator(qs.order_by("title", "code"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "training/course_list.html",
        {
            "page": page,
            "courses": page.object_list,
            "active": {k: v for k, v in (("q", query), ("category", category)) if v},
            "categories": Course.Category.choices,
            "can_add": request.user.has_perm("training.change_course"),
        },
    )


@login_required
def course_detail(request, code):
    require(request.user, "training.view_training")
    course = course_get_for_user(user=request.user, code=code)
    cohorts = cohort_list_for_user(user=request.user).filter(course=course).order_by("-start")
    return render(
        request,
        "training/course_detail.html",
        {
            "course": course,
            "modules": list(course.modules.all()),
            "cohorts": list(cohorts[:100]),
            "can_change": request.user.has_perm("training.change_course"),
        },
    )


def _course_form(request, course):
    require(request.user, "training.change_course")
    form = forms.CourseForm(request.POST or None, instance=course, user=request.user)
    modules = forms.ModuleFormSet(request.POST or None, instance=course, prefix="modules")
    if request.method == "POST" and form.is_valid() and modules.is_valid():
        try:
            with transaction.atomic():
                saved = services.course_save(actor=request.user, course=form.save(commit=False))
                modules.instance = saved
                services.course_modules_save(
                    actor=request.user,
                    course=saved,
                    modules=[
                        m for m in modules.save(commit=False) if m not in modules.deleted_objects
                    ],
                    deleted=modules.deleted_objects,
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Course saved."))
            return redirect("training:course", code=saved.code)
    title = _("Edit course %(code)s") % {"code": course.code} if course.pk else _("New course")
    return render(
        request, "training/course_form.html", {"form": form, "modules": modules, "title": title}
    )


@login_required
def course_create(request):
    return _course_form(request, Course())


@login_required
def course_edit(request, code):
    course = course_get_for_user(user=request.user, code=code)
    return _course_form(request, course)
