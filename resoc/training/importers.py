"""Import kinds of training: `courses`, `cohorts`, `enrollments` and `attendance`.

The rules are the services' (resoc.training.services), checked on records read in chunks, so a
file costs a constant number of queries whatever its length. `attendance` also reads the sheet
trainers keep: one row a person, one column a session date, cells P, A or E.
"""

import datetime
from collections import defaultdict

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resoc.core.money import MissingExchangeRate, Rates
from resoc.imports.errors import ImportFailed, RowError
from resoc.imports.kinds import Column, Kind, Reshaped, field_column, register
from resoc.imports.parsers import Date, Ref, Text
from resoc.imports.plan import CHUNK, upsert
from resoc.people.models import CustodyEpisode, Person, StaffPosition
from resoc.training.models import (
    ACTIVE,
    ENDINGS,
    PARTICIPANTS,
    TAKING_A_PLACE,
    Attendance,
    Cohort,
    Course,
    Enrollment,
    Session,
)
from resoc.training.services import check_eligibility

S = Enrollment.Status
CODE_HELP = gettext_lazy("Unique code: letters, digits, '-', '_' and '.'.")
PERSON_HELP = gettext_lazy("Programme reference of the person.")
COHORT_HELP = gettext_lazy("Code of the cohort.")


class YesNo:
    format = gettext_lazy("yes or no")
    TRUE = {"yes", "y", "true", "1", "x", "da", "po"}
    FALSE = {"no", "n", "false", "0", "ne", "jo"}

    def parse(self, value):
        if isinstance(value, bool):
            return value
        text = str(value).strip().casefold()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("“%(value)s” is not yes or no.") % {"value": value})


class AttendanceStatus:
    """present, absent or excused; or the trainers' letters P, A and E."""

    format = gettext_lazy("present, absent or excused (or P, A, E)")
    LETTERS = {"p": "present", "a": "absent", "e": "excused"}

    def parse(self, value):
        text = str(value).strip().casefold()
        text = self.LETTERS.get(text, text)
        for stored, label in Attendance.Status.choices:
            if text in (stored, str(label).casefold()):
                return stored
        raise ValueError(
            _("“%(value)s” is not an attendance; use P (present), A (absent) or E (excused).")
            % {"value": value}
        )


def _chunked(model, field: str, ids, **filters) -> dict[int, list]:
    """{id: [records]} of the model whose `field` is one of `ids`, one query per CHUNK ids."""
    ids = sorted(ids)
    found = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        qs = model.objects.filter(**{f"{field}__in": ids[start : start + CHUNK]}, **filters)
        for obj in qs.order_by():
            found[getattr(obj, field)].append(obj)
    return found


def _cohorts(rows) -> dict[int, Cohort]:
    """The rows' cohorts with course and institution, in one query (rules read both)."""
    ids = {row["cohort"].pk for row in rows}
    qs = Cohort.objects.filter(pk__in=ids).select_related("course", "institution")
    return {c.pk: c for c in qs}


# courses


def _apply_courses(plan, rows) -> None:
    items = []
    for row in rows:
        values = {n: row[n] for n in ("code", "title", "category", "hours") if n in row}
        if row.get("certified") is not None:
            values["certified"] = row["certified"]
        items.append((row, values))
    upsert(plan, model=Course, items=items, key=("code",))


register(
    Kind(
        name="courses",
        label=gettext_lazy("Courses"),
        columns=(
            field_column(Course, "code", help=CODE_HELP),
            field_column(Course, "title"),
            field_column(Course, "category"),
            field_column(Course, "hours"),
            Column(
                name="certified",
                parser=YesNo(),
                help=gettext_lazy("Whether completing the course earns a certificate."),
                empty=None,
            ),
        ),
        key=("code",),
        apply=_apply_courses,
        description=gettext_lazy("The course catalogue, by code."),
    )
)


# cohorts


def _check_cohort_row(row) -> list:
    errors = []
    if row.get("end") and row["end"] < row["start"]:
        errors.append(("end", _("The end cannot precede the start.")))
    return errors


def _apply_cohorts(plan, rows) -> None:
    rates = Rates(row.get("currency") or "EUR" for row in rows)
    stored = {c.code: c for c in Cohort.objects.filter(code__in=[r["code"] for r in rows])}
    spans = {
        s["cohort_id"]: (s["first"], s["last"])
        for s in Session.objects.filter(cohort__in=stored.values())
        .values("cohort_id")
        .annotate(first=Min("date"), last=Max("date"))
        .order_by()
    }
    items = []
    for row in rows:
        existing = stored.get(row["code"])
        values = {n: row[n] for n in ("code", "course", "cycle", "start")}
        for name in ("institution", "end", "provider", "cost"):
            if name in row:
                values[name] = row[name]
        if row.get("mode"):
            values["mode"] = row["mode"]
        currency = row.get("currency") or getattr(existing, "currency", "EUR")
        values["currency"] = currency
        cost = values["cost"] if "cost" in values else getattr(existing, "cost", None)
        values["cost_eur"] = None
        if cost is not None:
            try:
                values["cost_eur"] = rates.to_eur(cost, currency, row["start"]).amount_eur
            except MissingExchangeRate as exc:
                plan.error(row, "currency", str(exc))
        if existing is not None and existing.pk in spans:
            first, last = spans[existing.pk]
            end = values.get("end", existing.end)
            if first < row["start"] or (end is not None and last > end):
                message = _(
                    "The cohort has sessions from %(first)s to %(last)s; its dates must hold them."
                ) % {"first": first.isoformat(), "last": last.isoformat()}
                plan.error(row, "start", message)
        items.append((row, values))
    upsert(plan, model=Cohort, items=items, key=("code",))


register(
    Kind(
        name="cohorts",
        label=gettext_lazy("Cohorts"),
        columns=(
            field_column(Cohort, "code", help=CODE_HELP),
            field_column(Cohort, "course", help=gettext_lazy("Code of the course.")),
            field_column(
                Cohort,
                "institution",
                help=gettext_lazy("Code of the institution; empty for an online cohort."),
            ),
            field_column(Cohort, "cycle", help=gettext_lazy("Code of the project cycle.")),
            field_column(Cohort, "start"),
            field_column(Cohort, "end"),
            field_column(
                Cohort, "mode", required=False, help=gettext_lazy("in_person when empty.")
            ),
            field_column(Cohort, "provider", help=gettext_lazy("Code of the training provider.")),
            field_column(Cohort, "cost"),
            field_column(
                Cohort,
                "currency",
                required=False,
                parser=Text(upper=True),
                help=gettext_lazy(
                    "ISO 4217 code, e.g. RSD; EUR when empty. The cost is converted to EUR at "
                    "the rate of the start."
                ),
            ),
        ),
        key=("code",),
        apply=_apply_cohorts,
        check_row=_check_cohort_row,
        description=gettext_lazy("Cohorts of a course, in an institution or online."),
    )
)


# enrollments


def _check_enrollment_row(row) -> list:
    if row["status"] == S.COMPLETED and not row.get("completed_on"):
        return [("completed_on", _("A completed enrollment needs the day of completion."))]
    if row["status"] != S.COMPLETED and row.get("completed_on"):
        return [("completed_on", _("Only a completed enrollment has a day of completion."))]
    return []


def _apply_enrollments(plan, rows) -> None:
    cohorts = _cohorts(rows)
    people = {row["person"].pk for row in rows}
    episodes = _chunked(CustodyEpisode, "person_id", people)
    positions = _chunked(StaffPosition, "person_id", people)
    stored = _stored_enrollments(cohorts.keys(), people)
    in_file = {(row["cohort"].pk, row["person"].pk) for row in rows}
    places = defaultdict(int)
    for e in Enrollment.objects.filter(cohort__in=cohorts.keys(), status__in=TAKING_A_PLACE):
        if (e.cohort_id, e.person_id) not in in_file:
            places[e.cohort_id] += 1
    positions_top = {
        r["cohort_id"]: r["top"] or 0
        for r in Enrollment.objects.filter(cohort__in=cohorts.keys(), status=S.WAITLISTED)
        .values("cohort_id")
        .annotate(top=Max("waitlist_position"))
        .order_by()
    }
    items = []
    for row in rows:
        cohort, person, status = cohorts[row["cohort"].pk], row["person"], row["status"]
        existing = stored.get((cohort.pk, person.pk))
        if status != S.REJECTED:
            message = check_eligibility(
                cohort=cohort,
                person=person,
                episodes=episodes.get(person.pk, ()),
                positions=positions.get(person.pk, ()),
            )
            if message:
                plan.error(row, "person", message)
        completed_on = row.get("completed_on")
        if completed_on and completed_on < cohort.start:
            message = _("The completion cannot precede the cohort's start (%(start)s).")
            plan.error(row, "completed_on", message % {"start": cohort.start.isoformat()})
        if status in TAKING_A_PLACE:
            places[cohort.pk] += 1
            if cohort.capacity is not None and places[cohort.pk] > cohort.capacity:
                message = _(
                    "The cohort %(cohort)s has %(capacity)s places; with this row %(taken)s "
                    "people would hold one (selected, enrolled or completed)."
                ) % {"cohort": cohort.code, "capacity": cohort.capacity, "taken": places[cohort.pk]}
                plan.error(row, "status", message)
        values = {"cohort": cohort, "person": person, "status": status}
        values["completed_on"] = completed_on
        if status == S.WAITLISTED:
            if existing is None or existing.status != S.WAITLISTED:
                positions_top[cohort.pk] = positions_top.get(cohort.pk, 0) + 1
                values["waitlist_position"] = positions_top[cohort.pk]
        else:
            values["waitlist_position"] = None
        if status not in ENDINGS:
            values["ended_on"] = None
        if status in (S.REJECTED, S.WAITLISTED) and not getattr(existing, "decision_reason", ""):
            values["decision_reason"] = _("Recorded by an import.")
        if existing is None and status != S.APPLIED:
            values["decided_on"] = timezone.localdate()
        items.append((row, values))
    upsert(
        plan,
        model=Enrollment,
        items=items,
        key=("cohort", "person"),
        person_ref=lambda values: values["person"].ref,
    )


def _stored_enrollments(cohort_ids, people) -> dict:
    found = {}
    for records in _chunked(Enrollment, "person_id", people, cohort__in=cohort_ids).values():
        for e in records:
            found[(e.cohort_id, e.person_id)] = e
    return found


def _person_column(model):
    return field_column(model, "person", parser=Ref(Person, "ref", upper=True), help=PERSON_HELP)


register(
    Kind(
        name="enrollments",
        label=gettext_lazy("Enrollments"),
        columns=(
            field_column(Enrollment, "cohort", help=COHORT_HELP),
            _person_column(Enrollment),
            field_column(Enrollment, "status"),
            field_column(
                Enrollment,
                "completed_on",
                help=gettext_lazy("Day of completion; for completed enrollments only."),
            ),
        ),
        key=("cohort", "person"),
        apply=_apply_enrollments,
        check_row=_check_enrollment_row,
        description=gettext_lazy(
            "Who applied to, took part in or completed a cohort. Participants must have been in "
            "custody at the cohort's institution during it (staff: held a position there); "
            "the places taken stay within the cohort's capacity."
        ),
    )
)


# attendance


def _apply_attendance(plan, rows) -> None:
    cohorts = _cohorts(rows)
    enrollments = {
        (e.cohort_id, e.person_id): e
        for records in _chunked(Enrollment, "cohort_id", cohorts.keys()).values()
        for e in records
    }
    sessions = defaultdict(list)
    for records in _chunked(Session, "cohort_id", cohorts.keys()).values():
        for s in records:
            sessions[(s.cohort_id, s.date)].append(s)
    today = timezone.localdate()
    new_sessions, session_items, items, starting = {}, [], [], {}
    for row in rows:
        cohort, person, day = cohorts[row["cohort"].pk], row["person"], row["date"]
        enrollment = enrollments.get((cohort.pk, person.pk))
        if enrollment is None or enrollment.status not in PARTICIPANTS:
            message = _("%(person)s does not take part in %(cohort)s.")
            plan.error(row, "person", message % {"person": person.ref, "cohort": cohort.code})
            continue
        if enrollment.ended_on and day > enrollment.ended_on and enrollment.status != S.COMPLETED:
            message = _("The person's enrollment ended on %(day)s (%(status)s).") % {
                "day": enrollment.ended_on.isoformat(),
                "status": enrollment.get_status_display().lower(),
            }
            plan.error(row, "date", message)
            continue
        found = sessions.get((cohort.pk, day), [])
        if len(found) > 1:
            message = _(
                "%(cohort)s has %(count)s sessions on this day; record them on the attendance "
                "screen."
            ) % {"cohort": cohort.code, "count": len(found)}
            plan.error(row, "date", message)
            continue
        if day > today:
            plan.error(row, "date", _("Attendance cannot be recorded for a day to come."))
            continue
        if found:
            session = found[0]
        elif (cohort.pk, day) in new_sessions:
            session = new_sessions[(cohort.pk, day)]
        elif day < cohort.start or (cohort.end and day > cohort.end):
            message = _("The day lies outside the cohort (%(start)s to %(end)s).") % {
                "start": cohort.start.isoformat(),
                "end": cohort.end.isoformat() if cohort.end else "…",
            }
            plan.error(row, "date", message)
            continue
        else:
            # A day without a session gets one: the sheet is the trainer's record of it.
            session = Session(cohort=cohort, date=day, mode=cohort.mode)
            new_sessions[(cohort.pk, day)] = session
            session_items.append((row, session))
        enrollment.person = person  # loaded already: no query for the reference
        items.append((row, {"session": session, "enrollment": enrollment, "status": row["status"]}))
        if enrollment.status == S.SELECTED and enrollment.pk not in starting:
            starting[enrollment.pk] = (row, {"cohort": cohort, "person": person})
    if session_items:
        planned = upsert(
            plan,
            model=Session,
            items=[
                (row, {"cohort": s.cohort, "date": s.date, "starts_at": None, "mode": s.mode})
                for row, s in session_items
            ],
            key=("cohort", "date", "starts_at"),
            primary=False,
        )
        by_day = {(s.cohort_id, s.date): s for s in planned.values()}
        for _row, values in items:
            session = values["session"]
            if session.pk is None:
                values["session"] = by_day[(session.cohort.pk, session.date)]
    upsert(
        plan,
        model=Attendance,
        items=items,
        key=("session", "enrollment"),
        person_ref=lambda values: values["enrollment"].person.ref,
    )
    if starting:  # a selected person who attends is enrolled
        upsert(
            plan,
            model=Enrollment,
            items=[(row, {**v, "status": S.ENROLLED}) for row, v in starting.values()],
            key=("cohort", "person"),
            person_ref=lambda values: values["person"].ref,
            primary=False,
        )


def _date_header(cell) -> datetime.date | None:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    try:
        return Date().parse(cell)
    except ValueError:
        return None


WIDE_IGNORED = {"name"}


def _reshape_attendance(table) -> Reshaped | None:
    """The trainers' sheet (a `cohort` and a `person` column, then one column per session date
    headed YYYY-MM-DD or DD.MM.YYYY, cells P, A, E or empty) as rows of the long layout."""
    if not table:
        return None
    header = table[0]
    dates = {i: _date_header(c) for i, c in enumerate(header)}
    dates = {i: d for i, d in dates.items() if d is not None}
    if not dates:
        return None
    errors, named, seen = [], {}, {}
    for index, cell in enumerate(header):
        label = "" if cell is None else str(cell).strip()
        if index in dates:
            text = dates[index].isoformat()
            if text in seen:
                errors.append(RowError(1, label, _("This date appears twice.")))
            seen[text] = label if isinstance(cell, str) else text
        elif label.lower() in ("cohort", "person"):
            if label.lower() in named:
                errors.append(RowError(1, label, _("This column appears twice.")))
            named[label.lower()] = index
        elif label and label.lower() not in WIDE_IGNORED:
            message = _(
                "Unknown column; a sheet with one column per session date has the columns "
                "cohort, person (and name, which is not read) and dates as YYYY-MM-DD or "
                "DD.MM.YYYY."
            )
            errors.append(RowError(1, label, message))
    for name in ("cohort", "person"):
        if name not in named:
            errors.append(RowError(1, name, _("This required column is missing.")))
    if errors:
        raise ImportFailed(errors)
    long = [["cohort", "person", "date", "status"]]
    origins = []
    for number, cells in enumerate(table[1:], start=2):

        def cell(index, cells=cells):
            return cells[index] if index < len(cells) else None

        for index, day in sorted(dates.items(), key=lambda item: item[1]):
            value = cell(index)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            long.append([cell(named["cohort"]), cell(named["person"]), day.isoformat(), value])
            column = seen[day.isoformat()]
            origins.append((number, {"date": column, "status": column}))
    return Reshaped(table=long, origins=origins)


register(
    Kind(
        name="attendance",
        label=gettext_lazy("Attendance"),
        columns=(
            Column(name="cohort", parser=Ref(Cohort, "code"), required=True, help=COHORT_HELP),
            Column(
                name="person",
                parser=Ref(Person, "ref", upper=True),
                required=True,
                help=PERSON_HELP,
            ),
            Column(
                name="date",
                parser=Date(),
                required=True,
                help=gettext_lazy(
                    "Day of the session; a day without a session gets one (within the cohort)."
                ),
            ),
            Column(
                name="status",
                parser=AttendanceStatus(),
                required=True,
                help=gettext_lazy("present, absent or excused; or P, A, E."),
            ),
        ),
        key=("cohort", "person", "date"),
        apply=_apply_attendance,
        reshape=_reshape_attendance,
        description=gettext_lazy(
            "Who attended which session of a cohort. Also reads the trainers' sheet: a cohort "
            "and a person column, then one column per session date (YYYY-MM-DD or DD.MM.YYYY) "
            "with P, A or E."
        ),
    )
)


# The persons import can release people: their places in running courses end too.


def plan_enrollments_end(plan, custody_items) -> None:
    """Plan the end (as released) of the selected and enrolled places a persons row's release
    ends: in cohorts at the institution released from, or online, running on the release day.

    A selection for a cohort that starts later is left alone: the person may be admitted again
    by then, and the waitlist passes over whoever cannot take part.
    """
    released = [
        (row, values)
        for row, values in custody_items
        if values.get("released_on") and values["person"].pk is not None
    ]
    if not released:
        return
    people = {values["person"].pk for _row, values in released}
    active = _chunked(
        Enrollment,
        "person_id",
        people,
        status__in=ACTIVE,
    )
    cohort_ids = {e.cohort_id for records in active.values() for e in records}
    cohorts = {c.pk: c for c in Cohort.objects.filter(pk__in=cohort_ids)}
    items = []
    for row, values in released:
        person, on = values["person"], values["released_on"]
        for e in active.get(person.pk, ()):
            cohort = cohorts[e.cohort_id]
            here = cohort.institution_id in (None, values["institution"].pk)
            running = cohort.start <= on and (cohort.end is None or cohort.end >= on)
            if here and running:
                items.append(
                    (
                        row,
                        {
                            "cohort": cohort,
                            "person": person,
                            "status": S.RELEASED,
                            "ended_on": on,
                        },
                    )
                )
    if items:
        upsert(
            plan,
            model=Enrollment,
            items=items,
            key=("cohort", "person"),
            person_ref=lambda values: values["person"].ref,
            primary=False,
        )
