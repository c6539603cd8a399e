"""Import kinds of work: `work-assignments`, `work-months` and `production`.

The rules are the services' (resoc.work.services), checked on records read in chunks, so a file
costs a constant number of queries whatever its length.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resoc.core.money import MissingExchangeRate, Rates
from resoc.imports.kinds import Kind, field_column, register
from resoc.imports.parsers import Ref, Text
from resoc.imports.plan import CHUNK, upsert
from resoc.people.models import CustodyEpisode, Person
from resoc.registry.models import Organisation
from resoc.work.models import ProductionRecord, WorkAssignment, WorkMonth
from resoc.work.months import MonthParser, month_end
from resoc.work.services import (
    check_custody,
    check_month_covered,
    check_overlap,
    hours_text,
    max_hours,
    overlaps,
)

ZERO = Decimal("0")
EndReason = WorkAssignment.EndReason

PERSON_HELP = gettext_lazy("Programme reference of the person.")
WORKSHOP_HELP = gettext_lazy("Code of the workshop.")
MONTH_HELP = gettext_lazy("The month, as YYYY-MM.")
CURRENCY_HELP = gettext_lazy("ISO 4217 code, e.g. RSD; converted to EUR at the month's last rate.")


def _person_column(model):
    return field_column(model, "person", parser=Ref(Person, "ref", upper=True), help=PERSON_HELP)


def _by_person(model, person_ids, **filters) -> dict[int, list]:
    """{person id: [records]} of the model for these people, one query per CHUNK people."""
    ids = sorted(person_ids)
    found = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        qs = model.objects.filter(person_id__in=ids[start : start + CHUNK], **filters)
        for obj in qs.order_by():
            found[obj.person_id].append(obj)
    return found


def _rows_list(rows) -> str:
    return ", ".join(str(r.number) for r in rows)


# work-assignments


def _check_assignment_row(row) -> list:
    end = row.get("end")
    if end and end < row["start"]:
        return [("end", _("The end cannot precede the start."))]
    return []


def _apply_assignments(plan, rows) -> None:
    people = {row["person"].pk for row in rows}
    episodes = _by_person(CustodyEpisode, people)
    stored = _by_person(WorkAssignment, people)
    stored_by_key = {(a.person_id, a.workshop_id, a.start): a for v in stored.values() for a in v}
    months = _by_person(WorkMonth, people)
    in_file = {(row["person"].pk, row["workshop"].pk, row["start"]) for row in rows}
    # What each (person, workshop) will hold after the import: the file's rows and the stored
    # assignments the file leaves alone.
    final = defaultdict(list)
    for row in rows:
        key = (row["person"].pk, row["workshop"].pk, row["start"])
        existing = stored_by_key.get(key)
        end = row["end"] if "end" in row else getattr(existing, "end", None)
        final[key[:2]].append((row, row["start"], end))
    for assignment in stored_by_key.values():
        key = (assignment.person_id, assignment.workshop_id, assignment.start)
        if key[:2] in final and key not in in_file:
            final[key[:2]].append((None, assignment.start, assignment.end))

    items = []
    for row in rows:
        person, workshop, start = row["person"], row["workshop"], row["start"]
        existing = stored_by_key.get((person.pk, workshop.pk, start))
        end = row["end"] if "end" in row else getattr(existing, "end", None)
        message = check_custody(
            episodes.get(person.pk, ()),
            institution_id=workshop.institution_id,
            start=start,
            end=end,
        )
        if message:
            plan.error(row, "start", message)
        for other, other_start, other_end in final[(person.pk, workshop.pk)]:
            if other is row or not overlaps(start, end, other_start, other_end):
                continue
            if other is None:
                stand_in = WorkAssignment(start=other_start, end=other_end)
                plan.error(row, "start", check_overlap([stand_in], start=start, end=end))
            elif other.number < row.number:
                message = _("This assignment overlaps the one of row %(row)s.")
                plan.error(row, "start", message % {"row": other.number})
        values = {n: row[n] for n in ("person", "workshop", "start", "role") if n in row}
        if "hours_per_week" in row:
            values["hours_per_week"] = row["hours_per_week"]
        if "end" in row:
            values["end"] = end
            kept = existing.ended_reason if existing and existing.end else ""
            values["ended_reason"] = (kept or EndReason.COMPLETED) if end else ""
        items.append((row, values))
    _check_months_stay_covered(plan, rows, months, final)
    upsert(
        plan,
        model=WorkAssignment,
        items=items,
        key=("person", "workshop", "start"),
        person_ref=lambda values: values["person"].ref,
    )


def _check_months_stay_covered(plan, rows, months, final) -> None:
    """Stored work months must still lie inside an assignment once the file is applied."""
    for (person_id, workshop_id), periods in final.items():
        file_rows = [r for r, _s, _e in periods if r is not None]
        for record in months.get(person_id, ()):
            if record.workshop_id != workshop_id:
                continue
            first, last = record.month, month_end(record.month)
            if any(s <= last and (e is None or e >= first) for _r, s, e in periods):
                continue
            message = _(
                "Work is recorded for %(month)s; no assignment in this workshop would cover it."
            ) % {"month": record.month.strftime("%Y-%m")}
            plan.error(file_rows[0], "end", message)


register(
    Kind(
        name="work-assignments",
        label=gettext_lazy("Work assignments"),
        columns=(
            _person_column(WorkAssignment),
            field_column(WorkAssignment, "workshop", help=WORKSHOP_HELP),
            field_column(WorkAssignment, "start"),
            field_column(
                WorkAssignment,
                "end",
                help=gettext_lazy("Last day of work; empty while the assignment lasts."),
            ),
            field_column(WorkAssignment, "role"),
            field_column(WorkAssignment, "hours_per_week"),
        ),
        key=("person", "workshop", "start"),
        apply=_apply_assignments,
        check_row=_check_assignment_row,
        description=gettext_lazy(
            "Who works in which workshop. The person must be in custody at the workshop's "
            "institution for the whole period; assignments of one person in one workshop "
            "cannot overlap."
        ),
    )
)


# work-months


def _apply_months(plan, rows) -> None:
    people = {row["person"].pk for row in rows}
    assignments = _by_person(WorkAssignment, people)
    file_months = {row["month"] for row in rows}
    stored = _by_person(WorkMonth, people, month__in=sorted(file_months))
    in_file = {(row["person"].pk, row["workshop"].pk, row["month"]) for row in rows}
    totals = defaultdict(lambda: ZERO)
    groups = defaultdict(list)
    for records in stored.values():
        for record in records:
            if (record.person_id, record.workshop_id, record.month) not in in_file:
                totals[(record.person_id, record.month)] += record.hours
    for row in rows:
        totals[(row["person"].pk, row["month"])] += row["hours"]
        groups[(row["person"].pk, row["month"])].append(row)
    rates = Rates(row["currency"] for row in rows)
    items = []
    for row in rows:
        person, workshop, month = row["person"], row["workshop"], row["month"]
        mine = [a for a in assignments.get(person.pk, ()) if a.workshop_id == workshop.pk]
        if message := check_month_covered(mine, month=month):
            plan.error(row, "month", message)
        total = totals[(person.pk, month)]
        if total > max_hours():
            group = groups[(person.pk, month)]
            message = _(
                "%(total)s hours in %(month)s over all workshops (rows %(rows)s and what is "
                "stored); at most %(max)s hours a month are allowed."
            ) % {
                "total": hours_text(total),
                "month": month.strftime("%Y-%m"),
                "rows": _rows_list(group),
                "max": max_hours(),
            }
            plan.error(row, "hours", message)
        try:
            pay_eur = rates.to_eur(row["pay"], row["currency"], month_end(month)).amount_eur
        except MissingExchangeRate as exc:
            plan.error(row, "currency", str(exc))
            pay_eur = None
        values = {n: row[n] for n in ("person", "workshop", "month", "hours", "pay", "currency")}
        items.append((row, {**values, "pay_eur": pay_eur}))
    upsert(
        plan,
        model=WorkMonth,
        items=items,
        key=("person", "workshop", "month"),
        person_ref=lambda values: values["person"].ref,
    )


register(
    Kind(
        name="work-months",
        label=gettext_lazy("Work months"),
        columns=(
            _person_column(WorkMonth),
            field_column(WorkMonth, "workshop", help=WORKSHOP_HELP),
            field_column(WorkMonth, "month", parser=MonthParser(), help=MONTH_HELP),
            field_column(WorkMonth, "hours"),
            field_column(WorkMonth, "pay"),
            field_column(WorkMonth, "currency", parser=Text(upper=True), help=CURRENCY_HELP),
        ),
        key=("person", "workshop", "month"),
        apply=_apply_months,
        description=gettext_lazy(
            "Hours and pay of one person in one workshop and month. The month must lie within "
            "an assignment; a person's hours of a month, over all workshops, within the maximum."
        ),
    )
)


# production


def _check_production_row(row) -> list:
    errors = []
    buyer = row.get("buyer")
    if buyer and buyer.kind != Organisation.Kind.BUYER:
        errors.append(("buyer", _("%(code)s is not a buyer.") % {"code": buyer.code}))
    if row.get("value") is not None and not row.get("currency"):
        errors.append(("currency", _("Give the currency of the value.")))
    return errors


def _apply_production(plan, rows) -> None:
    rates = Rates(row.get("currency") for row in rows)
    items = []
    for row in rows:
        values = {n: row[n] for n in ("workshop", "month", "product", "quantity", "unit")}
        values["buyer"] = row.get("buyer")
        for name in ("value", "currency"):
            if name in row:
                values[name] = row[name]
        if "value" in row:
            values["value_eur"] = None
            if row["value"] is not None:
                try:
                    values["value_eur"] = rates.to_eur(
                        row["value"], row["currency"], month_end(row["month"])
                    ).amount_eur
                except MissingExchangeRate as exc:
                    plan.error(row, "currency", str(exc))
        items.append((row, values))
    upsert(plan, model=ProductionRecord, items=items, key=("workshop", "month", "product", "buyer"))


register(
    Kind(
        name="production",
        label=gettext_lazy("Production and sales"),
        columns=(
            field_column(ProductionRecord, "workshop", help=WORKSHOP_HELP),
            field_column(ProductionRecord, "month", parser=MonthParser(), help=MONTH_HELP),
            field_column(ProductionRecord, "product"),
            field_column(ProductionRecord, "quantity"),
            field_column(ProductionRecord, "unit"),
            field_column(ProductionRecord, "value"),
            field_column(ProductionRecord, "currency", parser=Text(upper=True), help=CURRENCY_HELP),
            field_column(
                ProductionRecord,
                "buyer",
                help=gettext_lazy("Code of the buying organisation (of kind buyer), if sold."),
            ),
        ),
        key=("workshop", "month", "product", "buyer"),
        apply=_apply_production,
        check_row=_check_production_row,
        description=gettext_lazy(
            "What a workshop produced in a month; a row with a buyer records what that buyer "
            "bought. A value is converted to EUR at the rate of the month's last day."
        ),
    )
)


# The persons import can end custody: it ends the open assignments there too.


def plan_assignments_end(plan, custody_items) -> None:
    """Plan the end of open assignments of people whose custody a persons row releases.

    custody_items are the persons importer's (row, {person, institution, admitted_on,
    released_on, ...}). Work starting, or recorded, after the release refuses the row.
    """
    released = [
        (row, values)
        for row, values in custody_items
        if values.get("released_on") and values["person"].pk is not None
    ]
    if not released:
        return
    people = {values["person"].pk for _row, values in released}
    open_ = defaultdict(list)
    ids = sorted(people)
    for start in range(0, len(ids), CHUNK):
        qs = WorkAssignment.objects.filter(person_id__in=ids[start : start + CHUNK]).filter(
            Q(end__isnull=True) | Q(end__gt=_earliest(released))
        )
        for assignment in qs.select_related("workshop").order_by():
            open_[assignment.person_id].append(assignment)
    months = _by_person(WorkMonth, open_.keys(), month__gt=_earliest(released))
    items = []
    for row, values in released:
        person, on = values["person"], values["released_on"]
        here = [
            a
            for a in open_.get(person.pk, ())
            if a.workshop.institution_id == values["institution"].pk
            and (a.end is None or a.end > on)
        ]
        for assignment in here:
            if assignment.start > on:
                message = _(
                    "The person works in %(workshop)s from %(start)s, after this release; "
                    "change that assignment first."
                ) % {"workshop": assignment.workshop.code, "start": assignment.start.isoformat()}
                plan.error(row, "released_on", message)
                continue
            items.append(
                (
                    row,
                    {
                        "person": person,
                        "workshop": assignment.workshop,
                        "start": assignment.start,
                        "end": on,
                        "ended_reason": EndReason.RELEASED,
                    },
                )
            )
        workshops = {a.workshop_id: a.workshop for a in here}
        for record in months.get(person.pk, ()):
            if record.workshop_id in workshops and record.month > on:
                message = _(
                    "Work is recorded in %(workshop)s for %(month)s, after this release; "
                    "change that record first."
                ) % {
                    "workshop": workshops[record.workshop_id].code,
                    "month": record.month.strftime("%Y-%m"),
                }
                plan.error(row, "released_on", message)
    if items:
        upsert(
            plan,
            model=WorkAssignment,
            items=items,
            key=("person", "workshop", "start"),
            person_ref=lambda values: values["person"].ref,
            primary=False,
        )


def _earliest(released) -> object:
    return min(values["released_on"] for _row, values in released)
