"""Writing work records. Every write is validated here and audited with the person's reference.

The rules (the importers apply the same ones, from the `check_*` functions below):
- an assignment lies within one custody episode of the person at the workshop's institution;
- it does not overlap another assignment of the same person in the same workshop;
- a work month lies within an assignment of the person in that workshop;
- a person's hours of one month, over all their workshops, stay within
  `settings.RESOC_WORK_MAX_HOURS_PER_MONTH`;
- when custody ends or moves, the open assignments end on that day with that reason.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from resoc.audit.services import Event, audit_record_many, model_changes
from resoc.core.money import MissingExchangeRate, Rates, to_eur
from resoc.core.services import audited_save, field_values
from resoc.people.models import CustodyEpisode, Person
from resoc.registry.models import Workshop
from resoc.work.models import ProductionRecord, WorkAssignment, WorkMonth
from resoc.work.months import month_end, month_start

ZERO = Decimal("0")
EndReason = WorkAssignment.EndReason


def max_hours() -> Decimal:
    return Decimal(settings.RESOC_WORK_MAX_HOURS_PER_MONTH)


def _day(value: datetime.date) -> str:
    return value.isoformat()


def _month(value: datetime.date) -> str:
    return value.strftime("%Y-%m")


def hours_text(value: Decimal) -> str:
    """200.00 as 200 and 12.50 as 12.5, never 2E+2."""
    return format(value.normalize(), "f")


# Rules as plain checks on loaded records: the services and the importers share them.


def check_custody(
    episodes: Iterable[CustodyEpisode],
    *,
    institution_id: int,
    start: datetime.date,
    end: datetime.date | None,
) -> str | None:
    """None when one episode at the institution covers start..end (an open end needs an open
    episode); otherwise the reason."""
    for episode in episodes:
        if episode.institution_id != institution_id or episode.admitted_on > start:
            continue
        ended = episode.ended_on
        if ended is None or (end is not None and ended >= end):
            return None
    if end is None:
        return _(
            "The person is not in custody at the workshop's institution from %(start)s on "
            "(an assignment without an end needs a custody that has not ended)."
        ) % {"start": _day(start)}
    return _(
        "The person is not in custody at the workshop's institution for the whole period "
        "%(start)s to %(end)s."
    ) % {"start": _day(start), "end": _day(end)}


def overlaps(a_start, a_end, b_start, b_end) -> bool:
    return (a_end is None or a_end >= b_start) and (b_end is None or b_end >= a_start)


def check_overlap(others: Iterable[WorkAssignment], *, start, end) -> str | None:
    for other in others:
        if overlaps(start, end, other.start, other.end):
            return _(
                "The person already works in this workshop from %(start)s%(end)s; assignments "
                "in one workshop cannot overlap."
            ) % {
                "start": _day(other.start),
                "end": _(" to %(end)s") % {"end": _day(other.end)} if other.end else "",
            }
    return None


def check_month_covered(
    assignments: Iterable[WorkAssignment], *, month: datetime.date
) -> str | None:
    first, last = month_start(month), month_end(month)
    if any(a.is_active_in(first, last) for a in assignments):
        return None
    return _("The person has no work assignment in this workshop in %(month)s.") % {
        "month": _month(month)
    }


def check_hours(total: Decimal, *, month: datetime.date) -> str | None:
    if total > max_hours():
        return _(
            "%(total)s hours in %(month)s over all workshops; at most %(max)s hours a month "
            "are allowed."
        ) % {"total": hours_text(total), "month": _month(month), "max": max_hours()}
    return None


def check_months_inside(months: Iterable[datetime.date], *, start, end) -> str | None:
    """Work months stored for the assignment must stay inside its period."""
    outside = sorted(m for m in months if month_end(m) < start or (end is not None and m > end))
    if outside:
        return _(
            "Work is recorded for %(months)s, outside %(start)s to %(end)s; change those "
            "months first."
        ) % {
            "months": ", ".join(_month(m) for m in outside),
            "start": _day(start),
            "end": _day(end) if end else "…",
        }
    return None


# Assignments


def _assignment_rules(assignment: WorkAssignment, *, months_of_before=None) -> None:
    start, end = assignment.start, assignment.end
    if start is None:
        return  # full_clean names the missing field
    if end is not None and end < start:
        raise ValidationError({"end": _("The end cannot precede the start.")})
    workshop = Workshop.objects.select_related("institution").get(pk=assignment.workshop_id)
    episodes = CustodyEpisode.objects.filter(
        person_id=assignment.person_id, institution_id=workshop.institution_id
    )
    message = check_custody(episodes, institution_id=workshop.institution_id, start=start, end=end)
    if message:
        raise ValidationError(message)
    others = WorkAssignment.objects.filter(
        person_id=assignment.person_id, workshop_id=assignment.workshop_id
    ).exclude(pk=assignment.pk)
    if message := check_overlap(others, start=start, end=end):
        raise ValidationError(message)
    message = months_of_before and check_months_inside(months_of_before, start=start, end=end)
    if message:
        raise ValidationError(message)


def _months_of(assignment: WorkAssignment) -> list[datetime.date]:
    """The stored work months that belong to this assignment's stored period."""
    stored = WorkAssignment.objects.filter(pk=assignment.pk).first()
    if stored is None:
        return []
    months = WorkMonth.objects.filter(
        person_id=stored.person_id,
        workshop_id=stored.workshop_id,
        month__gte=month_start(stored.start),
    )
    if stored.end is not None:
        months = months.filter(month__lte=stored.end)
    # Months that another assignment of the same workshop also covers do not depend on this one.
    others = list(
        WorkAssignment.objects.filter(
            person_id=stored.person_id, workshop_id=stored.workshop_id
        ).exclude(pk=stored.pk)
    )
    return [
        m
        for m in months.values_list("month", flat=True)
        if not any(o.is_active_in(m, month_end(m)) for o in others)
    ]


@transaction.atomic
def assignment_save(*, actor, assignment: WorkAssignment) -> WorkAssignment:
    """Create or change an assignment, within custody and without overlap."""
    if not assignment.end:
        assignment.ended_reason = ""
    elif not assignment.ended_reason:
        assignment.ended_reason = EndReason.COMPLETED
    assignment.full_clean()
    months = None if assignment._state.adding else _months_of(assignment)
    _assignment_rules(assignment, months_of_before=months)
    return audited_save(actor=actor, instance=assignment, person_ref=assignment.person.ref)


@transaction.atomic
def assignment_end(
    *, actor, assignment: WorkAssignment, on: datetime.date, reason: str = EndReason.COMPLETED
) -> WorkAssignment:
    if assignment.end is not None and assignment.end <= on:
        raise ValidationError(_("This assignment has already ended."))
    if on < assignment.start:
        message = _("The end cannot precede the start (%(start)s).")
        raise ValidationError({"end": message % {"start": _day(assignment.start)}})
    assignment.end, assignment.ended_reason = on, reason
    return assignment_save(actor=actor, assignment=assignment)


@transaction.atomic
def assignments_end_for_custody(
    *, actor, person: Person, on: datetime.date, reason: str
) -> list[WorkAssignment]:
    """End the person's open assignments on the day custody ended or moved.

    Open means without an end or ending after that day. An assignment that would start after
    it, or work months recorded after it, refuse the change: they must be corrected first.
    """
    open_ = list(
        WorkAssignment.objects.filter(person=person)
        .filter(Q(end__isnull=True) | Q(end__gt=on))
        .select_related("workshop")
    )
    if not open_:
        return []
    later = [a for a in open_ if a.start > on]
    if later:
        raise ValidationError(
            _(
                "%(person)s has work in %(workshop)s starting on %(start)s, after %(on)s; "
                "change that assignment first."
            )
            % {
                "person": person.ref,
                "workshop": later[0].workshop.code,
                "start": _day(later[0].start),
                "on": _day(on),
            }
        )
    after = (
        WorkMonth.objects.filter(person=person, month__gt=on)
        .filter(workshop__in=[a.workshop_id for a in open_])
        .order_by("month")
        .select_related("workshop")
        .first()
    )
    if after is not None:
        raise ValidationError(
            _(
                "%(person)s has work recorded in %(workshop)s for %(month)s, after %(on)s; "
                "change that record first."
            )
            % {
                "person": person.ref,
                "workshop": after.workshop.code,
                "month": _month(after.month),
                "on": _day(on),
            }
        )
    events, now = [], timezone.now()
    for assignment in open_:
        before = field_values(assignment)
        assignment.end, assignment.ended_reason, assignment.updated_at = on, reason, now
        events.append(
            Event(
                action="work.workassignment.updated",
                obj=assignment,
                person_ref=person.ref,
                detail={"changes": model_changes(before, field_values(assignment))},
            )
        )
    WorkAssignment.objects.bulk_update(open_, ["end", "ended_reason", "updated_at"])
    audit_record_many(actor=actor, events=events)
    return open_


# Work months


@dataclass
class MonthEntry:
    person: Person
    hours: Decimal
    pay: Decimal
    currency: str


def _hours_elsewhere(person_ids, month, *, exclude_workshop_id) -> dict[int, Decimal]:
    rows = (
        WorkMonth.objects.filter(person_id__in=person_ids, month=month)
        .exclude(workshop_id=exclude_workshop_id)
        .values("person_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    return {row["person_id"]: row["total"] or ZERO for row in rows}


def _convert(rates: Rates, amount, currency, month) -> Decimal:
    try:
        return rates.to_eur(amount, currency, month_end(month)).amount_eur
    except MissingExchangeRate as exc:
        raise ValidationError({"currency": str(exc)}) from None


@transaction.atomic
def work_month_save(*, actor, record: WorkMonth) -> WorkMonth:
    """Save one person's month in one workshop, converting the pay at the month's last rate."""
    if record.month:
        record.month = month_start(record.month)
    record.currency = (record.currency or "").upper()
    record.full_clean()
    assignments = WorkAssignment.objects.filter(
        person_id=record.person_id, workshop_id=record.workshop_id
    )
    if message := check_month_covered(assignments, month=record.month):
        raise ValidationError({"month": message})
    elsewhere = _hours_elsewhere(
        [record.person_id], record.month, exclude_workshop_id=record.workshop_id
    )
    total = elsewhere.get(record.person_id, ZERO) + record.hours
    if message := check_hours(total, month=record.month):
        raise ValidationError({"hours": message})
    try:
        record.pay_eur = to_eur(record.pay, record.currency, month_end(record.month)).amount_eur
    except MissingExchangeRate as exc:
        raise ValidationError({"currency": str(exc)}) from None
    return audited_save(actor=actor, instance=record, person_ref=record.person.ref)


@transaction.atomic
def work_months_save(
    *, actor, workshop: Workshop, month: datetime.date, entries: list[MonthEntry]
) -> dict[int, str]:
    """Save the month's records of several people in one workshop, all or nothing.

    An entry without hours and pay removes nobody's record: it is skipped. Returns {} or raises
    ValidationError whose `error_dict` is keyed by the person's reference.
    """
    month = month_start(month)
    entries = [e for e in entries if e.hours is not None and e.pay is not None]
    if not entries:
        return {}
    people = [e.person.pk for e in entries]
    assignments: dict[int, list] = {}
    for a in WorkAssignment.objects.filter(workshop=workshop, person_id__in=people):
        assignments.setdefault(a.person_id, []).append(a)
    elsewhere = _hours_elsewhere(people, month, exclude_workshop_id=workshop.pk)
    stored = {
        r.person_id: r
        for r in WorkMonth.objects.filter(workshop=workshop, month=month, person_id__in=people)
    }
    rates = Rates(e.currency for e in entries)
    errors, creates, updates, changes = {}, [], [], []
    for entry in entries:
        ref = entry.person.ref
        record = stored.get(entry.person.pk) or WorkMonth(workshop=workshop, month=month)
        record.person = entry.person  # loaded already: no query per row for its reference
        before = {} if record.pk is None else field_values(record)
        record.hours, record.pay, record.currency = entry.hours, entry.pay, entry.currency.upper()
        try:
            # The person and workshop are known to exist: no query per row to check them.
            record.full_clean(
                exclude=["person", "workshop"], validate_unique=False, validate_constraints=False
            )
            message = check_month_covered(assignments.get(entry.person.pk, ()), month=month)
            message = message or check_hours(
                elsewhere.get(entry.person.pk, ZERO) + entry.hours, month=month
            )
            if message:
                raise ValidationError(message)
            record.pay_eur = _convert(rates, record.pay, record.currency, month)
        except ValidationError as exc:
            errors[ref] = exc.messages
            continue
        if record.pk is None:
            creates.append(record)
            changes.append(("created", record, before))
        elif model_changes(before, field_values(record)):
            record.updated_at = timezone.now()
            updates.append(record)
            changes.append(("updated", record, before))
    if errors:
        raise ValidationError(errors)
    WorkMonth.objects.bulk_create(creates)
    if updates:
        WorkMonth.objects.bulk_update(
            updates, ["hours", "pay", "currency", "pay_eur", "updated_at"]
        )
    audit_record_many(
        actor=actor,
        events=[
            Event(
                action=f"work.workmonth.{verb}",
                obj=record,
                person_ref=record.person.ref,
                detail={"changes": model_changes(before, field_values(record))},
            )
            for verb, record, before in changes
        ],
    )
    return {}


# Production


@transaction.atomic
def production_save(*, actor, record: ProductionRecord) -> ProductionRecord:
    """Save a production record; its value is converted at the rate of the month's last day."""
    if record.month:
        record.month = month_start(record.month)
    record.currency = (record.currency or "").upper()
    record.full_clean()
    record.value_eur = None
    if record.value is not None:
        try:
            record.value_eur = to_eur(
                record.value, record.currency, month_end(record.month)
            ).amount_eur
        except MissingExchangeRate as exc:
            raise ValidationError({"currency": str(exc)}) from None
    return audited_save(actor=actor, instance=record)
