"""Training: the catalogue, cohorts and sessions, selection, attendance and completion.

Every write is audited; writes about a person carry their reference. The rules are plain checks
on loaded records, so the importers apply the same ones without a query per row.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from resoc.accounts.models import Role
from resoc.audit.services import Event, audit_record, audit_record_many, model_changes
from resoc.core.money import MissingExchangeRate, to_eur
from resoc.core.services import audited_delete, audited_save, field_values
from resoc.people.models import CustodyEpisode, Person, StaffPosition
from resoc.training.models import (
    ACTIVE,
    DECISIONS,
    ENDINGS,
    Attendance,
    Cohort,
    Course,
    Enrollment,
    Module,
    Session,
)
from resoc.training.selectors import attendance_rate, roster_q, taken_places, with_attendance

S = Enrollment.Status
C = Course.Category
K = Person.Kind


def _day(value: datetime.date) -> str:
    return value.isoformat()


def min_attendance() -> Decimal:
    """The attendance (in %) the completion rule asks for."""
    return Decimal(str(getattr(settings, "RESOC_COMPLETION_MIN_ATTENDANCE", 80)))


# Rules as plain checks on loaded records: the services and the importers share them.


def overlaps(a_start, a_end, b_start, b_end) -> bool:
    """Two periods share a day; None is an open start or end."""
    return (a_end is None or b_start is None or a_end >= b_start) and (
        b_end is None or a_start is None or b_end >= a_start
    )


def cohort_period(cohort: Cohort) -> tuple[datetime.date, datetime.date]:
    return cohort.start, cohort.end or cohort.start


def check_eligibility(
    *,
    cohort: Cohort,
    person: Person,
    episodes: Iterable[CustodyEpisode] = (),
    positions: Iterable[StaffPosition] = (),
) -> str | None:
    """None when the person may take part in the cohort; otherwise the reason.

    Staff courses (and training of trainers) take prison staff with a position at the cohort's
    institution during the cohort; family members take psychosocial courses (the workshops with
    families); every other participant must be in custody at the cohort's institution during the
    cohort, or, for an online cohort without an institution, in custody anywhere.
    """
    category, institution_id = cohort.course.category, cohort.institution_id
    start, end = cohort_period(cohort)
    place = {"institution": cohort.institution.name if institution_id else ""}
    period = {"start": _day(start), "end": _day(end)}
    if person.kind == K.STAFF:
        if category not in (C.STAFF, C.TRAINING_OF_TRAINERS):
            return _("Prison staff take staff courses and training of trainers; not this course.")
        for p in positions:
            if institution_id in (None, p.institution_id) and overlaps(
                p.started_on, p.ended_on, start, end
            ):
                return None
        if institution_id:
            message = _("The person holds no staff position at %(institution)s during the cohort.")
            return message % place
        return _("The person holds no staff position during the cohort.")
    if category == C.STAFF:
        return _("Only prison staff can take a staff course.")
    if person.kind == K.FAMILY_MEMBER:
        if category == C.PSYCHOSOCIAL:
            return None
        return _("Family members can take psychosocial courses only.")
    for e in episodes:
        if institution_id in (None, e.institution_id) and overlaps(
            e.admitted_on, e.ended_on, start, end
        ):
            return None
    if institution_id:
        message = _(
            "The person is not in custody at %(institution)s during the cohort (%(start)s to "
            "%(end)s)."
        )
        return message % {**place, **period}
    return _("The person is not in custody during the cohort (%(start)s to %(end)s).") % period


def eligibility(*, cohort: Cohort, person: Person) -> str | None:
    return check_eligibility(
        cohort=cohort,
        person=person,
        episodes=CustodyEpisode.objects.filter(person=person),
        positions=StaffPosition.objects.filter(person=person),
    )


def check_capacity(cohort: Cohort, *, taken: int, adding: int = 1) -> str | None:
    if cohort.capacity is not None and taken + adding > cohort.capacity:
        return _(
            "The cohort is full: %(taken)s of %(capacity)s places are taken (selected, enrolled "
            "or completed); put the person on the waitlist instead."
        ) % {"taken": taken, "capacity": cohort.capacity}
    return None


def check_reason(status: str, reason: str) -> str | None:
    if status in (S.REJECTED, S.WAITLISTED) and not reason.strip():
        return _("Give the reason for the decision (required when rejecting or waitlisting).")
    return None


def meets_completion_rule(*, course: Course, rate: Decimal | None, passed: bool | None) -> bool:
    """The configured rule: attendance of at least the minimum, and a passed assessment where
    the course has one."""
    if rate is None or rate < min_attendance():
        return False
    return passed is True or not course.has_assessment


# Catalogue


@transaction.atomic
def course_save(*, actor, course: Course) -> Course:
    return audited_save(actor=actor, instance=course)


@transaction.atomic
def course_modules_save(*, actor, course: Course, modules: list[Module], deleted=()) -> None:
    for module in deleted:
        if module.pk:
            audited_delete(actor=actor, instance=module)
    for module in modules:
        module.course = course
        audited_save(actor=actor, instance=module)


# Cohorts and sessions


def _cost_eur(cohort: Cohort) -> Decimal | None:
    if cohort.cost is None:
        return None
    try:
        return to_eur(cohort.cost, cohort.currency, cohort.start).amount_eur
    except MissingExchangeRate as exc:
        raise ValidationError({"currency": str(exc)}) from None


@transaction.atomic
def cohort_save(*, actor, cohort: Cohort, trainers=None, peer_trainers=None) -> Cohort:
    """Create or change a cohort; its cost is converted to EUR at the rate of its start.

    trainers (users with the trainer role) and peer_trainers (persons) replace the current ones
    when given.
    """
    cohort.currency = (cohort.currency or "EUR").strip().upper()
    cohort.full_clean()
    if cohort.end and cohort.end < cohort.start:
        raise ValidationError({"end": _("The end cannot precede the start.")})
    cohort.cost_eur = _cost_eur(cohort)
    if trainers is not None:
        wrong = [u.username for u in trainers if u.role != Role.TRAINER]
        if wrong:
            message = _("Only users with the trainer role can train a cohort: %(users)s.")
            raise ValidationError({"trainers": message % {"users": ", ".join(wrong)}})
    grown = False
    if cohort.pk:
        stored = Cohort.objects.select_for_update().get(pk=cohort.pk)
        taken = taken_places(cohort)
        if cohort.capacity is not None and cohort.capacity < taken:
            message = _("%(taken)s people hold places here; the capacity cannot be less.")
            raise ValidationError({"capacity": message % {"taken": taken}})
        grown = stored.capacity is not None and (
            cohort.capacity is None or cohort.capacity > stored.capacity
        )
    audited_save(actor=actor, instance=cohort)
    _set_members(actor, cohort, "trainers", trainers, lambda u: u.username)
    _set_members(actor, cohort, "peer_trainers", peer_trainers, lambda p: p.ref)
    if grown:
        waitlist_promote(actor=actor, cohort=cohort, on=timezone.localdate())
    return cohort


def _set_members(actor, cohort, name, members, label) -> None:
    if members is None:
        return
    manager = getattr(cohort, name)
    before = sorted(label(m) for m in manager.all())
    after = sorted(label(m) for m in members)
    if before != after:
        manager.set(members)
        audit_record(
            f"training.cohort.{name}_changed",
            actor=actor,
            obj=cohort,
            detail={name: [before, after]},
        )


@transaction.atomic
def session_save(*, actor, session: Session) -> Session:
    session.full_clean()
    cohort = session.cohort
    start, end = cohort.start, cohort.end
    if session.date < start or (end is not None and session.date > end):
        message = _("The session must lie within the cohort, %(start)s to %(end)s.")
        period = {"start": _day(start), "end": _day(end) if end else "…"}
        raise ValidationError({"date": message % period})
    if session.starts_at and session.ends_at and session.ends_at <= session.starts_at:
        raise ValidationError({"ends_at": _("The session must end after it starts.")})
    if session.module_id and session.module.course_id != cohort.course_id:
        raise ValidationError({"module": _("The module belongs to another course.")})
    return audited_save(actor=actor, instance=session)


# Applications and decisions


def _save_enrollment(actor, enrollment: Enrollment) -> Enrollment:
    return audited_save(actor=actor, instance=enrollment, person_ref=enrollment.person.ref)


@transaction.atomic
def enrollment_apply(*, actor, enrollment: Enrollment) -> Enrollment:
    """A person's application to a cohort's call for interest."""
    cohort, person = enrollment.cohort, enrollment.person
    today = timezone.localdate()
    if Enrollment.objects.filter(cohort=cohort, person=person).exists():
        raise ValidationError(_("This person has applied to this cohort already."))
    if cohort.end and cohort.end < today:
        raise ValidationError(_("The cohort has ended; it takes no more applications."))
    if message := eligibility(cohort=cohort, person=person):
        raise ValidationError(message)
    enrollment.status = S.APPLIED
    enrollment.applied_on = enrollment.applied_on or today
    enrollment.waitlist_position = None
    return _save_enrollment(actor, enrollment)


@transaction.atomic
def enrollment_save(*, actor, enrollment: Enrollment) -> Enrollment:
    """Save an enrollment's details (motivation, assessments); its status changes elsewhere."""
    stored = Enrollment.objects.get(pk=enrollment.pk)
    if stored.status != enrollment.status:
        raise ValidationError(_("Change the status with a decision or an outcome."))
    return _save_enrollment(actor, enrollment)


def _next_waitlist_position(cohort: Cohort) -> int:
    top = Enrollment.objects.filter(cohort=cohort, status=S.WAITLISTED).aggregate(
        m=Max("waitlist_position")
    )["m"]
    return (top or 0) + 1


def _lock(cohort: Cohort) -> Cohort:
    """Decisions on one cohort's places wait for each other (capacity is counted, then used)."""
    return (
        Cohort.objects.select_for_update(of=("self",))
        .select_related("course", "institution")
        .get(pk=cohort.pk)
    )


@transaction.atomic
def enrollment_decide(
    *, actor, enrollment: Enrollment, decision: str, reason: str = "", on=None
) -> Enrollment:
    """Select, waitlist or reject an application; a place freed by it moves the waitlist up."""
    on = on or timezone.localdate()
    cohort = _lock(enrollment.cohort)
    if decision not in DECISIONS:
        raise ValidationError({"status": _("Decide one of: selected, waitlisted, rejected.")})
    if enrollment.status not in (S.APPLIED, S.WAITLISTED, S.SELECTED):
        message = _("Only applications are decided; this enrollment is %(status)s.")
        raise ValidationError(message % {"status": enrollment.get_status_display().lower()})
    if message := check_reason(decision, reason):
        raise ValidationError({"decision_reason": message})
    was = enrollment.status
    if decision == S.SELECTED and was != S.SELECTED:
        if message := eligibility(cohort=cohort, person=enrollment.person):
            raise ValidationError(message)
        if message := check_capacity(cohort, taken=taken_places(cohort)):
            raise ValidationError(message)
    if decision == S.WAITLISTED and was != S.WAITLISTED:
        enrollment.waitlist_position = _next_waitlist_position(cohort)
    elif decision != S.WAITLISTED:
        enrollment.waitlist_position = None
    enrollment.status, enrollment.decision_reason, enrollment.decided_on = decision, reason, on
    _save_enrollment(actor, enrollment)
    if was == S.SELECTED and decision != S.SELECTED:
        waitlist_promote(actor=actor, cohort=cohort, on=on)
    return enrollment


def waitlist_promote(*, actor, cohort: Cohort, on: datetime.date) -> list[Enrollment]:
    """Move the waitlist up into the free places, first by waitlist position.

    Only before the cohort's end: a place freed on its last day or later stays free. A waitlisted
    person who can no longer take part (e.g. transferred away) is passed over.
    """
    if cohort.capacity is None or (cohort.end is not None and on >= cohort.end):
        return []
    free = cohort.capacity - taken_places(cohort)
    if free <= 0:
        return []
    promoted = []
    waiting = (
        Enrollment.objects.filter(cohort=cohort, status=S.WAITLISTED)
        .select_related("person", "cohort__course", "cohort__institution")
        .order_by("waitlist_position", "applied_on", "pk")
    )
    for enrollment in waiting:
        if len(promoted) == free:
            break
        if eligibility(cohort=enrollment.cohort, person=enrollment.person):
            continue
        enrollment.status, enrollment.waitlist_position, enrollment.decided_on = (
            S.SELECTED,
            None,
            on,
        )
        enrollment.decision_reason = _("Moved up from the waitlist when a place became free.")
        _save_enrollment(actor, enrollment)
        promoted.append(enrollment)
    return promoted


# Taking part and outcomes


@transaction.atomic
def enrollment_enroll(*, actor, enrollment: Enrollment) -> Enrollment:
    if enrollment.status == S.ENROLLED:
        return enrollment
    if enrollment.status == S.COMPLETED:  # a completion recorded by mistake is taken back
        enrollment.completed_on = None
    elif enrollment.status != S.SELECTED:
        raise ValidationError(_("Only a selected person can be enrolled."))
    enrollment.status = S.ENROLLED
    return _save_enrollment(actor, enrollment)


@transaction.atomic
def enrollment_end(*, actor, enrollment: Enrollment, status: str, on: datetime.date) -> Enrollment:
    """A selected or enrolled person drops out, is transferred or released; the attendance
    stays, and the place moves the waitlist up."""
    if status not in ENDINGS:
        raise ValidationError({"status": _("End as one of: dropped out, transferred, released.")})
    if enrollment.status not in ACTIVE:
        message = _("Only a selected or enrolled person can leave; this enrollment is %(status)s.")
        raise ValidationError(message % {"status": enrollment.get_status_display().lower()})
    cohort = _lock(enrollment.cohort)
    enrollment.status, enrollment.ended_on = status, on
    _save_enrollment(actor, enrollment)
    waitlist_promote(actor=actor, cohort=cohort, on=on)
    return enrollment


@transaction.atomic
def enrollment_complete(
    *,
    actor,
    enrollment: Enrollment,
    on: datetime.date,
    passed: bool | None = None,
    score: Decimal | None = None,
) -> Enrollment:
    """The trainer records a completion (whatever the attendance); an assessment the course
    has must have been passed."""
    if enrollment.status not in (S.SELECTED, S.ENROLLED, S.COMPLETED):
        message = _("Only a selected or enrolled person can complete; this enrollment is %(s)s.")
        raise ValidationError(message % {"s": enrollment.get_status_display().lower()})
    cohort = enrollment.cohort
    if on < cohort.start:
        message = _("The completion cannot precede the cohort's start (%(start)s).")
        raise ValidationError({"completed_on": message % {"start": _day(cohort.start)}})
    if passed is not None:
        enrollment.assessment_passed = passed
    if score is not None:
        enrollment.assessment_score = score
    if cohort.course.has_assessment and enrollment.assessment_passed is not True:
        raise ValidationError(
            {"assessment_passed": _("The course has an assessment: it must have been passed.")}
        )
    enrollment.status, enrollment.completed_on, enrollment.ended_on = S.COMPLETED, on, None
    return _save_enrollment(actor, enrollment)


@transaction.atomic
def enrollment_set_status(
    *,
    actor,
    enrollment: Enrollment,
    status: str,
    on: datetime.date | None = None,
    reason: str = "",
    passed: bool | None = None,
    score: Decimal | None = None,
) -> Enrollment:
    """One entry for every change of status (API, forms): each goes through its own rule."""
    on = on or timezone.localdate()
    if status in DECISIONS:
        return enrollment_decide(
            actor=actor, enrollment=enrollment, decision=status, reason=reason, on=on
        )
    if status == S.ENROLLED:
        return enrollment_enroll(actor=actor, enrollment=enrollment)
    if status == S.COMPLETED:
        return enrollment_complete(
            actor=actor, enrollment=enrollment, on=on, passed=passed, score=score
        )
    if status in ENDINGS:
        return enrollment_end(actor=actor, enrollment=enrollment, status=status, on=on)
    if status == enrollment.status:
        return enrollment
    raise ValidationError({"status": _("An enrollment cannot go back to applied.")})


@transaction.atomic
def enrollment_complete_due(
    *, actor, cohort: Cohort, on: datetime.date | None = None
) -> list[Enrollment]:
    """Complete the enrolled people who meet the completion rule, once the cohort has ended.

    Completed on the cohort's end. Whoever misses the rule stays enrolled for the trainer to
    decide (record a completion, or a drop-out).
    """
    on = on or timezone.localdate()
    if cohort.end is None or cohort.end > on:
        raise ValidationError(_("The completion rule is applied once the cohort has ended."))
    enrolled = list(
        with_attendance(Enrollment.objects.filter(cohort=cohort, status=S.ENROLLED)).select_related(
            "person"
        )
    )
    due = [
        e
        for e in enrolled
        if meets_completion_rule(
            course=cohort.course,
            rate=attendance_rate(e.n_present, e.n_absent),
            passed=e.assessment_passed,
        )
    ]
    events, now = [], timezone.now()
    for e in due:
        before = field_values(e)
        e.status, e.completed_on, e.updated_at = S.COMPLETED, cohort.end, now
        events.append(
            Event(
                action="training.enrollment.updated",
                obj=e,
                person_ref=e.person.ref,
                detail={"changes": model_changes(before, field_values(e)), "rule": "completion"},
            )
        )
    Enrollment.objects.bulk_update(due, ["status", "completed_on", "updated_at"])
    audit_record_many(actor=actor, events=events)
    return due


# Attendance


@transaction.atomic
def attendance_record(
    *, actor, session: Session, marks: dict[int, str], all_present: bool = False
) -> int:
    """Record a session's attendance: marks are {enrollment id: status}.

    all_present marks everyone on the list who has no mark yet (given or stored) as present.
    A selected person with a mark is enrolled from then on. Returns the number of changes.
    """
    if session.date > timezone.localdate():
        message = _("The session is on %(date)s; attendance is recorded on the day or later.")
        raise ValidationError(message % {"date": _day(session.date)})
    roster = {
        e.pk: e
        for e in Enrollment.objects.filter(roster_q(session), cohort_id=session.cohort_id)
        .exclude(status__in=(S.APPLIED, S.WAITLISTED, S.REJECTED))
        .select_related("person")
    }
    if unknown := set(marks) - set(roster):
        raise ValidationError(
            _("Not on this session's list: %(ids)s.") % {"ids": ", ".join(map(str, unknown))}
        )
    if bad := {s for s in marks.values() if s not in Attendance.Status.values}:
        raise ValidationError(_("Unknown attendance: %(s)s.") % {"s": ", ".join(sorted(bad))})
    stored = {a.enrollment_id: a for a in Attendance.objects.filter(session=session)}
    marks = dict(marks)
    if all_present:
        for pk in roster:
            if pk not in marks and pk not in stored:
                marks[pk] = Attendance.Status.PRESENT
    creates, updates, events = [], [], []
    now = timezone.now()
    recorder = actor if getattr(actor, "pk", None) else None
    for pk, status in marks.items():
        record = stored.get(pk)
        person = roster[pk].person
        if record is None:
            record = Attendance(
                session=session, enrollment_id=pk, status=status, recorded_by=recorder
            )
            creates.append(record)
            verb, changes = "created", {"status": [None, status]}
        elif record.status != status:
            changes = {"status": [record.status, status]}
            record.status, record.recorded_by, record.recorded_at = status, recorder, now
            updates.append(record)
            verb = "updated"
        else:
            continue
        events.append((verb, record, person.ref, changes))
    Attendance.objects.bulk_create(creates)
    if updates:
        Attendance.objects.bulk_update(updates, ["status", "recorded_by", "recorded_at"])
    started = [roster[pk] for pk in marks if roster[pk].status == S.SELECTED]
    for e in started:
        e.status, e.updated_at = S.ENROLLED, now
    Enrollment.objects.bulk_update(started, ["status", "updated_at"])
    audit_record_many(
        actor=actor,
        events=[
            Event(
                action=f"training.attendance.{verb}",
                obj=record,
                person_ref=ref,
                detail={"session": session.pk, "date": session.date, "changes": changes},
            )
            for verb, record, ref, changes in events
        ]
        + [
            Event(
                action="training.enrollment.updated",
                obj=e,
                person_ref=e.person.ref,
                detail={"changes": {"status": [S.SELECTED, S.ENROLLED]}},
            )
            for e in started
        ],
    )
    return len(events)


# Custody: a transfer or release during a course ends the person's place in it.


@transaction.atomic
def enrollments_end_for_custody(
    *, actor, person: Person, on: datetime.date, reason: str, institution=None
) -> list[Enrollment]:
    """End the person's selected and enrolled places as `transferred` or `released` on `on`.

    A release ends them all; a transfer those of cohorts held at the institution left (an
    online cohort without an institution goes on). Cohorts that ended before that day are left
    alone (their completion is still to be recorded). The attendance stays; each freed place
    moves the cohort's waitlist up.
    """
    qs = (
        Enrollment.objects.filter(person=person, status__in=ACTIVE)
        .filter(Q(cohort__end__isnull=True) | Q(cohort__end__gte=on))
        .select_related("cohort", "cohort__course", "cohort__institution")
    )
    if reason == S.TRANSFERRED:
        qs = qs.filter(cohort__institution=institution)
    ending = list(qs)
    if not ending:
        return []
    events, now = [], timezone.now()
    for e in ending:
        before = field_values(e)
        e.status, e.ended_on, e.updated_at = reason, on, now
        events.append(
            Event(
                action="training.enrollment.updated",
                obj=e,
                person_ref=person.ref,
                detail={"changes": model_changes(before, field_values(e))},
            )
        )
    Enrollment.objects.bulk_update(ending, ["status", "ended_on", "updated_at"])
    audit_record_many(actor=actor, events=events)
    for e in ending:
        waitlist_promote(actor=actor, cohort=e.cohort, on=on)
    return ending
