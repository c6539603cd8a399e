"""Writing release-and-after records. Every write is audited with the person's reference."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from resoc.accounts.models import Role
from resoc.audit.services import audit_record
from resoc.core.services import audited_save
from resoc.people.models import CustodyEpisode, Person
from resoc.reentry.models import (
    AssessmentItem,
    Domain,
    FollowUp,
    NeedsAssessment,
    OutcomeEvent,
    PlanAction,
    Referral,
    ReleasePlan,
)
from resoc.reentry.selectors import commissioner_for, referral_consent

State = ReleasePlan.State


def _not_in_future(day: datetime.date, field: str) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


# Needs assessments


@transaction.atomic
def assessment_save(
    *, actor, assessment: NeedsAssessment, levels: dict[str, tuple[str, str]]
) -> NeedsAssessment:
    """Save an assessment with {domain: (level, notes)}; domains not given are left alone."""
    _not_in_future(assessment.date, "date")
    unknown = sorted(set(levels) - set(Domain.values))
    if unknown:
        raise ValidationError(_("Unknown domains: %(names)s.") % {"names": ", ".join(unknown)})
    if assessment._state.adding and assessment.assessor_id is None:
        assessment.assessor = actor
    ref = assessment.person.ref
    audited_save(actor=actor, instance=assessment, person_ref=ref)
    stored = {i.domain: i for i in assessment.items.all()}
    for domain, (level, notes) in levels.items():
        item = stored.get(domain) or AssessmentItem(assessment=assessment, domain=domain)
        item.level, item.notes = level, notes or ""
        audited_save(actor=actor, instance=item, person_ref=ref)
    return assessment


# Release plans


def _assign_by_destination(plan: ReleasePlan) -> None:
    plan.commissioner = commissioner_for(plan.destination)


def _unsign(plan: ReleasePlan) -> None:
    plan.officer_signed_by = plan.officer_signed_on = None
    plan.commissioner_signed_by = plan.commissioner_signed_on = None
    plan.state = State.DRAFT


@transaction.atomic
def plan_create(
    *,
    actor,
    episode: CustodyEpisode,
    destination: str,
    goals: dict | None = None,
    expected_release_on: datetime.date | None = None,
) -> ReleasePlan:
    """A plan for a custody episode that has not ended; the commissioner follows the destination."""
    if ReleasePlan.objects.filter(episode=episode).exists():
        raise ValidationError(_("This custody episode has a release plan already."))
    if not episode.is_open:
        raise ValidationError(_("A release plan is made while the person is in custody."))
    plan = ReleasePlan(
        episode=episode,
        person=episode.person,
        destination=destination.strip(),
        goals={k: v for k, v in (goals or {}).items() if v},
    )
    _assign_by_destination(plan)
    _set_expected_release(actor, episode, expected_release_on)
    return audited_save(actor=actor, instance=plan, person_ref=episode.person.ref)


def _set_expected_release(actor, episode: CustodyEpisode, day) -> None:
    if day is None or day == episode.expected_release_on:
        return
    if day < episode.admitted_on:
        raise ValidationError(
            {"expected_release_on": _("The expected release cannot precede the admission.")}
        )
    episode.expected_release_on = day
    audited_save(actor=actor, instance=episode, person_ref=episode.person.ref)


@transaction.atomic
def plan_update(
    *,
    actor,
    plan: ReleasePlan,
    destination: str,
    goals: dict,
    expected_release_on: datetime.date | None = None,
) -> ReleasePlan:
    """Change the plan. A signed plan that changes must be signed again; a new destination
    brings its commissioner."""
    goals = {k: v for k, v in goals.items() if v}
    destination = destination.strip()
    moved = destination.casefold() != plan.destination.casefold()
    changed = moved or goals != plan.goals
    episode = plan.episode
    if expected_release_on and expected_release_on != episode.expected_release_on:
        changed = True
        _set_expected_release(actor, episode, expected_release_on)
    plan.destination, plan.goals = destination, goals
    if moved:
        _assign_by_destination(plan)
    if changed and plan.state != State.DRAFT:
        _unsign(plan)
    return audited_save(actor=actor, instance=plan, person_ref=plan.person.ref)


@transaction.atomic
def plan_sign(*, actor, plan: ReleasePlan, on: datetime.date | None = None) -> ReleasePlan:
    """The treatment officer signs first, then the plan's commissioner agrees."""
    on = on or timezone.localdate()
    if actor.has_perm("reentry.sign_as_officer", plan):
        if plan.state != State.DRAFT:
            raise ValidationError(_("The treatment officer has signed this plan already."))
        plan.officer_signed_by, plan.officer_signed_on = actor, on
        plan.state = State.SIGNED_BY_OFFICER
        role = "officer"
    elif actor.has_perm("reentry.sign_as_commissioner", plan):
        if plan.state == State.DRAFT:
            raise ValidationError(_("The treatment officer signs the plan first."))
        if plan.state == State.AGREED:
            raise ValidationError(_("The commissioner has signed this plan already."))
        if on < plan.officer_signed_on:
            raise ValidationError(_("The commissioner cannot sign before the officer."))
        plan.commissioner_signed_by, plan.commissioner_signed_on = actor, on
        plan.state = State.AGREED
        role = "commissioner"
    else:
        raise PermissionDenied(
            _("Only a treatment officer of the person, or the plan's commissioner, signs it.")
        )
    audited_save(actor=actor, instance=plan, person_ref=plan.person.ref)
    audit_record(
        "reentry.releaseplan.signed",
        actor=actor,
        obj=plan,
        person_ref=plan.person.ref,
        detail={"as": role, "on": on},
    )
    return plan


@transaction.atomic
def plan_assign(*, actor, plan: ReleasePlan, commissioner) -> ReleasePlan:
    """A manager hands the plan to another commissioner (or to none)."""
    if not actor.has_perm("reentry.assign_commissioner"):
        raise PermissionDenied(_("Only managers assign commissioners."))
    if commissioner is not None and (
        commissioner.role != Role.COMMISSIONER or not commissioner.is_active
    ):
        raise ValidationError({"commissioner": _("Choose an active probation commissioner.")})
    plan.commissioner = commissioner
    return audited_save(actor=actor, instance=plan, person_ref=plan.person.ref)


@transaction.atomic
def plan_follow_transfer(*, actor, old: CustodyEpisode, new: CustodyEpisode) -> None:
    """A transfer continues the same custody: the plan moves to the new episode."""
    plan = ReleasePlan.objects.filter(episode=old).first()
    if plan is not None:
        plan.episode = new
        audited_save(actor=actor, instance=plan, person_ref=new.person.ref)


@transaction.atomic
def plans_assign_unassigned(*, actor=None) -> int:
    """Give every plan without a commissioner the commissioner of its destination, if any."""
    from resoc.reentry.selectors import commissioner_list

    commissioners = list(commissioner_list())
    count = 0
    for plan in ReleasePlan.objects.filter(commissioner__isnull=True).select_related("person"):
        plan.commissioner = commissioner_for(plan.destination, commissioners=commissioners)
        if plan.commissioner is not None:
            audited_save(actor=actor, instance=plan, person_ref=plan.person.ref)
            count += 1
    return count


def action_save(*, actor, action: PlanAction) -> PlanAction:
    return audited_save(actor=actor, instance=action, person_ref=action.plan.person.ref)


# Referrals


@transaction.atomic
def referral_save(*, actor, referral: Referral) -> Referral:
    """Create or change a draft referral: what it asks and what it would share."""
    if not referral._state.adding:
        stored = Referral.objects.get(pk=referral.pk)
        if stored.status != Referral.Status.DRAFT:
            raise ValidationError(
                _("A referral that was sent cannot be changed; record the answer.")
            )
        referral.status, referral.sent_on = stored.status, stored.sent_on
    else:
        referral.status, referral.sent_on = Referral.Status.DRAFT, None
        referral.created_by = referral.created_by or actor
    referral.shared = [v for v in Referral.Data.values if v in (referral.shared or [])]
    return audited_save(actor=actor, instance=referral, person_ref=referral.person.ref)


def no_consent_message(person: Person, on: datetime.date) -> str:
    return _(
        "%(ref)s has no consent to referrals on %(day)s (given and not withdrawn): the referral "
        "cannot be sent. Record the consent on the person's page first."
    ) % {"ref": person.ref, "day": on.isoformat()}


@transaction.atomic
def referral_send(*, actor, referral: Referral, on: datetime.date | None = None) -> Referral:
    """Send a draft: only with the person's consent to referrals holding on the day."""
    on = on or timezone.localdate()
    _not_in_future(on, "sent_on")
    if referral.status != Referral.Status.DRAFT:
        raise ValidationError(_("This referral was sent already."))
    if referral_consent(person=referral.person, on=on) is None:
        raise ValidationError(no_consent_message(referral.person, on))
    referral.status, referral.sent_on = Referral.Status.SENT, on
    audited_save(actor=actor, instance=referral, person_ref=referral.person.ref)
    audit_record(
        "reentry.referral.sent",
        actor=actor,
        obj=referral,
        person_ref=referral.person.ref,
        detail={"agency": referral.agency.code, "shared": referral.shared, "on": on},
    )
    return referral


ANSWERS = {
    Referral.Status.SENT: {Referral.Status.ACCEPTED, Referral.Status.DECLINED},
    Referral.Status.ACCEPTED: {Referral.Status.COMPLETED},
}


@transaction.atomic
def referral_answer(
    *, actor, referral: Referral, status: str, on: datetime.date, outcome: str = ""
) -> Referral:
    """The agency's answer: a sent referral is accepted or declined, an accepted one completed."""
    _not_in_future(on, "on")
    allowed = ANSWERS.get(referral.status, set())
    if status not in allowed:
        raise ValidationError(
            _("A %(current)s referral cannot become %(status)s.")
            % {"current": referral.get_status_display().lower(), "status": status}
        )
    if on < referral.sent_on:
        raise ValidationError({"on": _("The answer cannot precede the sending.")})
    referral.status = status
    if status == Referral.Status.COMPLETED:
        referral.completed_on = on
    else:
        referral.answered_on = on
    if outcome:
        referral.outcome = outcome
    return audited_save(actor=actor, instance=referral, person_ref=referral.person.ref)


# Follow-up


def check_after_release(releases, day: datetime.date) -> str | None:
    """None when one of the release days lies on or before the day; otherwise the reason."""
    if any(r is not None and r <= day for r in releases):
        return None
    return _("There is no release on or before %(day)s: follow-up comes after release.") % {
        "day": day.isoformat()
    }


def _check_released(person: Person, day: datetime.date, field: str) -> None:
    releases = person.custody_episodes.values_list("released_on", flat=True)
    if message := check_after_release(releases, day):
        raise ValidationError({field: message})


@transaction.atomic
def follow_up_save(*, actor, follow_up: FollowUp, event: OutcomeEvent | None = None) -> FollowUp:
    """Record a contact after release, with a reoffending event learnt at it if any."""
    if follow_up.date:
        _not_in_future(follow_up.date, "date")
        _check_released(follow_up.person, follow_up.date, "date")
    if follow_up._state.adding and follow_up.contacted_by_id is None:
        follow_up.contacted_by = actor
    audited_save(actor=actor, instance=follow_up, person_ref=follow_up.person.ref)
    if event is not None:
        event.person, event.follow_up = follow_up.person, follow_up
        event_save(actor=actor, event=event)
    return follow_up


def event_save(*, actor, event: OutcomeEvent) -> OutcomeEvent:
    if event.date:
        _not_in_future(event.date, "date")
        _check_released(event.person, event.date, "date")
    return audited_save(actor=actor, instance=event, person_ref=event.person.ref)
