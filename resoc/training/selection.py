"""Pages of selection and outcomes: the call for interest, applications, decisions, and what
became of each participant."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from resoc.audit.services import audit_record
from resoc.people.selectors import person_get_for_user
from resoc.training import forms, services
from resoc.training.models import Enrollment
from resoc.training.selectors import (
    attendance_list_for_user,
    attendance_rate,
    cohort_get_for_user,
    enrollment_get_for_user,
    enrollment_list_for_user,
    taken_places,
    time_left,
    with_attendance,
    with_expected_release,
)
from resoc.training.views import require

S = Enrollment.Status
# The applications page lists the open applications first, then the decided ones.
STATUS_ORDER = Case(
    When(status=S.APPLIED, then=Value(0)),
    When(status=S.WAITLISTED, then=Value(1)),
    When(status=S.SELECTED, then=Value(2)),
    When(status=S.REJECTED, then=Value(4)),
    default=Value(3),
    output_field=IntegerField(),
)


@login_required
def applications(request, code):
    """The cohort's call for interest: who applied, the officer's assessment, the decisions."""
    cohort = cohort_get_for_user(user=request.user, code=code)
    require(request.user, "training.view_applications", cohort)
    rows = list(
        with_expected_release(enrollment_list_for_user(user=request.user).filter(cohort=cohort))
        .annotate(order=STATUS_ORDER)
        .order_by("order", "waitlist_position", "applied_on", "person__family_name", "pk")
    )
    for e in rows:
        e.time_left = time_left(e.expected_release, cohort)
    audit_record(
        "training.application.listed",
        actor=request.user,
        obj=cohort,
        detail={"refs": [e.person.ref for e in rows]},
    )
    taken = taken_places(cohort)
    return render(
        request,
        "training/applications.html",
        {
            "cohort": cohort,
            "rows": rows,
            "taken": taken,
            "free": None if cohort.capacity is None else max(cohort.capacity - taken, 0),
            "days": ((cohort.end or cohort.start) - cohort.start).days + 1,
            "can_manage": request.user.has_perm("training.manage_applications", cohort),
        },
    )


@login_required
def apply(request, code):
    cohort = cohort_get_for_user(user=request.user, code=code)
    require(request.user, "training.manage_applications", cohort)
    form = forms.ApplicationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        enrollment = form.save(commit=False)
        enrollment.cohort, enrollment.person = cohort, form.person
        try:
            services.enrollment_apply(actor=request.user, enrollment=enrollment)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Application recorded."))
            return redirect("training:applications", code=cohort.code)
    title = _("Apply to %(cohort)s") % {"cohort": cohort}
    return render(request, "training/form.html", {"form": form, "title": title, "cohort": cohort})


def _enrollment_page(request, enrollment, **forms_):
    cohort = enrollment.cohort
    user = request.user
    enrollment.expected_release = (
        with_expected_release(Enrollment.objects.filter(pk=enrollment.pk))
        .values_list("expected_release", flat=True)
        .first()
    )
    counted = with_attendance(Enrollment.objects.filter(pk=enrollment.pk)).first()
    attendance = list(
        attendance_list_for_user(user=user)
        .filter(enrollment=enrollment)
        .select_related("session")
        .order_by("session__date", "session__starts_at")
    )
    can_manage = user.has_perm("training.manage_applications", cohort)
    can_run = user.has_perm("training.run_cohort", cohort)
    context = {
        "enrollment": enrollment,
        "cohort": cohort,
        "person": enrollment.person,
        "time_left": time_left(enrollment.expected_release, cohort),
        "rate": attendance_rate(counted.n_present, counted.n_absent),
        "counted": counted,
        "attendance": attendance,
        "min_attendance": services.min_attendance(),
        "can_manage": can_manage,
        "can_run": can_run,
        "decidable": enrollment.status in (S.APPLIED, S.WAITLISTED, S.SELECTED),
        "assess_form": forms_.get("assess") or forms.AssessmentForm(instance=enrollment),
        "decision_form": forms_.get("decision") or forms.DecisionForm(),
        "outcome_form": forms_.get("outcome")
        or forms.OutcomeForm(initial={"on": timezone.localdate()}),
    }
    return render(request, "training/enrollment.html", context)


@login_required
def enrollment_detail(request, pk):
    require(request.user, "training.view_training")
    enrollment = enrollment_get_for_user(user=request.user, pk=pk)
    audit_record(
        "training.enrollment.viewed",
        actor=request.user,
        obj=enrollment,
        person_ref=enrollment.person.ref,
    )
    return _enrollment_page(request, enrollment)


def _done(request, enrollment, message):
    messages.success(request, message)
    return redirect("training:enrollment", pk=enrollment.pk)


@login_required
@require_POST
def enrollment_assess(request, pk):
    enrollment = enrollment_get_for_user(user=request.user, pk=pk)
    require(request.user, "training.manage_applications", enrollment.cohort)
    form = forms.AssessmentForm(request.POST, instance=enrollment, user=request.user)
    if form.is_valid():
        try:
            services.enrollment_save(actor=request.user, enrollment=form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _done(request, enrollment, _("Assessment saved."))
    return _enrollment_page(request, enrollment, assess=form)


@login_required
@require_POST
def enrollment_decide(request, pk):
    enrollment = enrollment_get_for_user(user=request.user, pk=pk)
    require(request.user, "training.manage_applications", enrollment.cohort)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.enrollment_decide(
                actor=request.user,
                enrollment=enrollment,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return _done(request, enrollment, _("Decision recorded."))
    return _enrollment_page(request, enrollment, decision=form)


@login_required
@require_POST
def enrollment_outcome(request, pk):
    enrollment = enrollment_get_for_user(user=request.user, pk=pk)
    require(request.user, "training.run_cohort", enrollment.cohort)
    form = forms.OutcomeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.enrollment_set_status(
                actor=request.user,
                enrollment=enrollment,
                status=data["status"],
                on=data["on"],
                passed=data["passed"],
                score=data["score"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return _done(request, enrollment, _("Outcome recorded."))
    return _enrollment_page(request, enrollment, outcome=form)


@login_required
def person_training(request, ref):
    """One person's applications and courses, as far as the user's scope shows them."""
    require(request.user, "training.view_training")
    person = person_get_for_user(user=request.user, ref=ref)
    rows = list(
        with_attendance(enrollment_list_for_user(user=request.user).filter(person=person))
        .select_related("cohort__institution")
        .order_by("-cohort__start")
    )
    for e in rows:
        e.rate = attendance_rate(e.n_present, e.n_absent)
    audit_record("training.person.viewed", actor=request.user, obj=person, person_ref=person.ref)
    return render(request, "training/person.html", {"person": person, "rows": rows})
