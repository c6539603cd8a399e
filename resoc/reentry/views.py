"""Pages of release and after: the worklists, a person's record, plans, referrals, follow-up."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from resoc.audit.services import audit_record
from resoc.reentry import forms, services
from resoc.reentry.dates import plan_due_on
from resoc.reentry.models import FollowUp, NeedsAssessment, OutcomeEvent, PlanAction, Referral
from resoc.reentry.outcomes import outcomes_aggregate, person_outcomes
from resoc.reentry.selectors import (
    action_get_for_user,
    assessment_get_for_user,
    follow_up_get_for_user,
    person_custody_for_plan,
    person_get_for_user,
    person_reentry,
    persons_for_user,
    plan_get_for_user,
    referral_consent,
    referral_get_for_user,
    referral_shared_data,
    worklists_for_user,
)

VIEW, CHANGE = "reentry.view_reentry", "reentry.change_reentry"


def _require(user, perm, obj=None):
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _form_page(request, form, title, person, back):
    return render(
        request,
        "reentry/form.html",
        {"form": form, "title": title, "person": person, "back": back},
    )


def _saved(request, to, *args):
    messages.success(request, _("Saved."))
    return redirect(to, *args)


@login_required
def index(request):
    """The user's worklists: releases coming, plans and actions due, contacts due."""
    _require(request.user, VIEW)
    lists = worklists_for_user(user=request.user)
    audit_record(
        "reentry.worklist.viewed",
        actor=request.user,
        detail={"refs": sorted(p.ref for p in lists.persons())},
    )
    outcomes = outcomes_aggregate(persons_qs=persons_for_user(user=request.user), as_of=lists.today)
    return render(
        request,
        "reentry/index.html",
        {
            "lists": lists,
            "outcomes": outcomes,
            "can_assign": request.user.has_perm("reentry.assign_commissioner"),
        },
    )


@login_required
def person(request, ref):
    _require(request.user, VIEW)
    subject = person_get_for_user(user=request.user, ref=ref)
    audit_record("reentry.person.viewed", actor=request.user, obj=subject, person_ref=subject.ref)
    context = person_reentry(user=request.user, person=subject)
    plan = context["plans"][0] if context["plans"] else None
    return render(
        request,
        "reentry/person.html",
        {
            **context,
            "person": subject,
            "plan": plan,
            "plan_due_on": plan_due_on(
                context["custody"] and context["custody"].expected_release_on
            ),
            "outcomes": person_outcomes(person=subject, as_of=timezone.localdate()),
            "can_change": request.user.has_perm(CHANGE, subject),
        },
    )


# Needs assessments


def _assessment_form(request, subject, assessment):
    form = forms.AssessmentForm(request.POST or None, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        assessment.date = form.cleaned_data["date"]
        try:
            services.assessment_save(
                actor=request.user, assessment=assessment, levels=form.levels()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _saved(request, "reentry:person", subject.ref)
    title = _("Edit needs assessment") if assessment.pk else _("New needs assessment")
    return _form_page(request, form, title, subject, None)


@login_required
def assessment_create(request, ref):
    _require(request.user, CHANGE)
    subject = person_get_for_user(user=request.user, ref=ref)
    return _assessment_form(request, subject, NeedsAssessment(person=subject))


@login_required
def assessment_edit(request, pk):
    _require(request.user, CHANGE)
    assessment = assessment_get_for_user(user=request.user, pk=pk)
    return _assessment_form(request, assessment.person, assessment)


# Release plans


@login_required
def plan_create(request, ref):
    _require(request.user, CHANGE)
    subject = person_get_for_user(user=request.user, ref=ref)
    episode = person_custody_for_plan(person=subject)
    if episode is None:
        messages.error(request, _("A release plan is made while the person is in custody."))
        return redirect("reentry:person", subject.ref)
    form = forms.PlanForm(request.POST or None, episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                actor=request.user,
                episode=episode,
                destination=form.cleaned_data["destination"],
                goals=form.goals(),
                expected_release_on=form.cleaned_data["expected_release_on"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _saved(request, "reentry:plan", plan.pk)
    return _form_page(request, form, _("New release plan"), subject, None)


@login_required
def plan_detail(request, pk):
    _require(request.user, VIEW)
    plan = plan_get_for_user(user=request.user, pk=pk)
    audit_record(
        "reentry.releaseplan.viewed", actor=request.user, obj=plan, person_ref=plan.person.ref
    )
    user = request.user
    return render(
        request,
        "reentry/plan.html",
        {
            "plan": plan,
            "person": plan.person,
            "actions": plan.actions.select_related("agency"),
            "due_on": plan_due_on(plan.episode.expected_release_on),
            "can_change": user.has_perm(CHANGE, plan.person),
            "can_sign": user.has_perm("reentry.sign_as_officer", plan)
            or user.has_perm("reentry.sign_as_commissioner", plan),
            "can_assign": user.has_perm("reentry.assign_commissioner"),
            "assign_form": forms.AssignForm(initial={"commissioner": plan.commissioner_id}),
        },
    )


@login_required
def plan_edit(request, pk):
    _require(request.user, CHANGE)
    plan = plan_get_for_user(user=request.user, pk=pk)
    form = forms.PlanForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(
                actor=request.user,
                plan=plan,
                destination=form.cleaned_data["destination"],
                goals=form.goals(),
                expected_release_on=form.cleaned_data["expected_release_on"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _saved(request, "reentry:plan", plan.pk)
    return _form_page(request, form, _("Edit release plan"), plan.person, plan)


@login_required
@require_POST
def plan_sign(request, pk):
    _require(request.user, VIEW)
    plan = plan_get_for_user(user=request.user, pk=pk)
    try:
        services.plan_sign(actor=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Signed."))
    return redirect("reentry:plan", plan.pk)


@login_required
@require_POST
def plan_assign(request, pk):
    _require(request.user, "reentry.assign_commissioner")
    plan = plan_get_for_user(user=request.user, pk=pk)
    form = forms.AssignForm(request.POST)
    if form.is_valid():
        try:
            services.plan_assign(
                actor=request.user, plan=plan, commissioner=form.cleaned_data["commissioner"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Commissioner assigned."))
    else:
        messages.error(request, _("Choose a commissioner from the list."))
    return redirect("reentry:plan", plan.pk)


def _action_form(request, plan, action):
    form = forms.ActionForm(request.POST or None, instance=action, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.plan = plan
        try:
            services.action_save(actor=request.user, action=saved)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _saved(request, "reentry:plan", plan.pk)
    title = _("Edit action") if action.pk else _("New action")
    return _form_page(request, form, title, plan.person, plan)


@login_required
def action_create(request, pk):
    _require(request.user, CHANGE)
    plan = plan_get_for_user(user=request.user, pk=pk)
    return _action_form(request, plan, PlanAction(plan=plan))


@login_required
def action_edit(request, pk):
    _require(request.user, CHANGE)
    action = action_get_for_user(user=request.user, pk=pk)
    return _action_form(request, action.plan, action)


# Referrals


def _referral_form(request, subject, referral):
    form = forms.ReferralForm(request.POST or None, instance=referral, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.person = subject
        if saved.plan_id is None:
            plan = subject.release_plans.order_by("-episode__admitted_on").first()
            saved.plan = plan
        try:
            services.referral_save(actor=request.user, referral=saved)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _saved(request, "reentry:referral", saved.pk)
    title = _("Edit referral") if referral.pk else _("New referral")
    return _form_page(request, form, title, subject, None)


@login_required
def referral_create(request, ref):
    _require(request.user, CHANGE)
    subject = person_get_for_user(user=request.user, ref=ref)
    return _referral_form(request, subject, Referral(person=subject))


@login_required
def referral_edit(request, pk):
    _require(request.user, CHANGE)
    referral = referral_get_for_user(user=request.user, pk=pk)
    if referral.status != Referral.Status.DRAFT:
        messages.error(request, _("A referral that was sent cannot be changed; record the answer."))
        return redirect("reentry:referral", referral.pk)
    return _referral_form(request, referral.person, referral)


@login_required
def referral_detail(request, pk):
    _require(request.user, VIEW)
    referral = referral_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    shared = referral_shared_data(referral=referral, on=today)
    audit_record(
        "reentry.referral.viewed",
        actor=request.user,
        obj=referral,
        person_ref=referral.person.ref,
        detail={"shared_shown": shared is not None},
    )
    can_change = request.user.has_perm(CHANGE, referral.person)
    return render(
        request,
        "reentry/referral.html",
        {
            "referral": referral,
            "person": referral.person,
            "shared": shared,
            "consent": referral_consent(person=referral.person, on=today),
            "can_change": can_change,
            "send_form": forms.SendForm(initial={"on": today}),
            "answer_form": forms.AnswerForm(initial={"on": today}),
            "can_answer": can_change and referral.status in services.ANSWERS,
        },
    )


@login_required
@require_POST
def referral_send(request, pk):
    _require(request.user, CHANGE)
    referral = referral_get_for_user(user=request.user, pk=pk)
    form = forms.SendForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Give the day of sending."))
        services.referral_send(actor=request.user, referral=referral, on=form.cleaned_data["on"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Referral sent."))
    return redirect("reentry:referral", referral.pk)


@login_required
@require_POST
def referral_answer(request, pk):
    _require(request.user, CHANGE)
    referral = referral_get_for_user(user=request.user, pk=pk)
    form = forms.AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Give the answer and its day."))
        services.referral_answer(actor=request.user, referral=referral, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Answer recorded."))
    return redirect("reentry:referral", referral.pk)


# Follow-up


def _follow_up_form(request, subject, follow_up):
    form = forms.FollowUpForm(request.POST or None, instance=follow_up, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.person = subject
        try:
            services.follow_up_save(actor=request.user, follow_up=saved, event=form.outcome_event())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _saved(request, "reentry:person", subject.ref)
    title = _("Edit follow-up contact") if follow_up.pk else _("New follow-up contact")
    return _form_page(request, form, title, subject, None)


@login_required
def follow_up_create(request, ref):
    _require(request.user, CHANGE)
    subject = person_get_for_user(user=request.user, ref=ref)
    return _follow_up_form(request, subject, FollowUp(person=subject, date=timezone.localdate()))


@login_required
def follow_up_edit(request, pk):
    _require(request.user, CHANGE)
    follow_up = follow_up_get_for_user(user=request.user, pk=pk)
    return _follow_up_form(request, follow_up.person, follow_up)


@login_required
def event_create(request, ref):
    _require(request.user, CHANGE)
    subject = person_get_for_user(user=request.user, ref=ref)
    event = OutcomeEvent(person=subject)
    form = forms.EventForm(request.POST or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_save(actor=request.user, event=form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _saved(request, "reentry:person", subject.ref)
    return _form_page(request, form, _("New reoffending event"), subject, None)
