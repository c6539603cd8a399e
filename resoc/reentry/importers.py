"""The `assessments` and `follow-ups` import kinds."""

from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resoc.imports.kinds import Column, Kind, field_column, register
from resoc.imports.parsers import Choice, Ref
from resoc.imports.plan import CHUNK, upsert
from resoc.people.models import CustodyEpisode, Person
from resoc.reentry.models import (
    AssessmentItem,
    FollowUp,
    NeedsAssessment,
    OutcomeEvent,
)
from resoc.reentry.services import check_after_release

PERSON_HELP = gettext_lazy("Programme reference of the person.")
EMPLOYMENT_EVENTS = set(FollowUp.Employment.values)
REOFFENDING_EVENTS = set(OutcomeEvent.Kind.values)
EVENT_CHOICES = (*FollowUp.Employment.choices, *OutcomeEvent.Kind.choices)


def _person_column(model):
    return field_column(model, "person", parser=Ref(Person, "ref", upper=True), help=PERSON_HELP)


def _by_person(model, person_ids, **filters) -> dict[int, list]:
    ids = sorted(person_ids)
    found = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        qs = model.objects.filter(person_id__in=ids[start : start + CHUNK], **filters)
        for obj in qs.order_by():
            found[obj.person_id].append(obj)
    return found


def _not_in_future(row) -> list:
    if row["date"] > timezone.localdate():
        return [("date", _("The date cannot be in the future."))]
    return []


def _ref(values) -> str:
    return values["person"].ref


# assessments


def _apply_assessments(plan, rows) -> None:
    firsts = {}
    for row in rows:
        firsts.setdefault((row["person"].pk, row["date"]), row)
    assessments = upsert(
        plan,
        model=NeedsAssessment,
        items=[(row, {"person": row["person"], "date": row["date"]}) for row in firsts.values()],
        key=("person", "date"),
        person_ref=_ref,
    )
    items = []
    for row in rows:
        assessment = assessments[(row["person"].pk, row["date"])]
        values = {"assessment": assessment, "domain": row["domain"], "level": row["level"]}
        if "notes" in row:
            values["notes"] = row["notes"]
        items.append((row, values))
    upsert(
        plan,
        model=AssessmentItem,
        items=items,
        key=("assessment", "domain"),
        person_ref=lambda values: values["assessment"].person.ref,
        primary=False,
    )


register(
    Kind(
        name="assessments",
        label=gettext_lazy("Needs assessments"),
        columns=(
            _person_column(NeedsAssessment),
            field_column(NeedsAssessment, "date", help=gettext_lazy("Date of the assessment.")),
            field_column(AssessmentItem, "domain"),
            field_column(AssessmentItem, "level"),
            field_column(AssessmentItem, "notes"),
        ),
        key=("person", "date", "domain"),
        apply=_apply_assessments,
        check_row=_not_in_future,
        description=gettext_lazy(
            "One row per person, date and resettlement domain: the level of need found by the "
            "assessment of that day, and notes. The rows of one person and date make one "
            "assessment."
        ),
    )
)


# follow-ups


def _apply_follow_ups(plan, rows) -> None:
    people = {row["person"].pk for row in rows}
    releases = {
        person_id: [e.released_on for e in episodes]
        for person_id, episodes in _by_person(
            CustodyEpisode, people, released_on__isnull=False
        ).items()
    }
    groups = defaultdict(list)
    for row in rows:
        if message := check_after_release(releases.get(row["person"].pk, ()), row["date"]):
            plan.error(row, "date", message)
        groups[(row["person"].pk, row["date"])].append(row)
    contacts = []
    for group in groups.values():
        employment = [r for r in group if r["event"] in EMPLOYMENT_EVENTS]
        for later in employment[1:]:
            message = _("Row %(row)s gives the employment at this contact already.")
            plan.error(later, "event", message % {"row": employment[0].number})
        lead = employment[0] if employment else group[0]
        values = {"person": lead["person"], "date": lead["date"]}
        if employment:
            values["employment"] = lead["event"]
            if "notes" in lead:
                values["notes"] = lead["notes"]
        contacts.append((lead, values))
    follow_ups = upsert(
        plan, model=FollowUp, items=contacts, key=("person", "date"), person_ref=_ref
    )
    stored = {
        (e.kind, e.date) for events in _by_person(OutcomeEvent, people).values() for e in events
    }
    events = []
    for row in rows:
        if row["event"] not in REOFFENDING_EVENTS:
            continue
        values = {"person": row["person"], "kind": row["event"], "date": row["date"]}
        if (row["event"], row["date"]) not in stored:
            values["source"] = OutcomeEvent.Source.SELF_REPORTED
            values["follow_up"] = follow_ups[(row["person"].pk, row["date"])]
        if "notes" in row:
            values["notes"] = row["notes"]
        events.append((row, values))
    upsert(
        plan,
        model=OutcomeEvent,
        items=events,
        key=("person", "kind", "date"),
        person_ref=_ref,
        primary=False,
    )


register(
    Kind(
        name="follow-ups",
        label=gettext_lazy("Follow-up after release"),
        columns=(
            _person_column(FollowUp),
            field_column(FollowUp, "date", help=gettext_lazy("Date of the contact.")),
            Column(
                name="event",
                parser=Choice(EVENT_CHOICES),
                required=True,
                help=gettext_lazy(
                    "What the contact found: employed, self_employed, unemployed or in_training "
                    "(the employment), or reoffended or reimprisoned (an event on that date)."
                ),
            ),
            field_column(FollowUp, "notes"),
        ),
        key=("person", "date", "event"),
        apply=_apply_follow_ups,
        check_row=_not_in_future,
        description=gettext_lazy(
            "Contacts after release, one row per finding. The rows of one person and date make "
            "one contact, which must come on or after a release; a reoffending event is recorded "
            "as learnt at that contact (source: self-reported). Record official records of "
            "reoffending on the person's page or through the API."
        ),
    )
)
