import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resoc.audit.models import AuditEntry
from resoc.imports.tests.helpers import errors_of, has_error, run
from resoc.people.models import Person
from resoc.reentry.models import AssessmentItem, FollowUp, NeedsAssessment, OutcomeEvent
from resoc.reentry.tests.conftest import in_custody, released
from resoc.reentry.tests.factories import EventFactory, FollowUpFactory

pytestmark = pytest.mark.django_db

D = datetime.date
ASSESSMENTS = ["person", "date", "domain", "level", "notes"]
FOLLOW_UPS = ["person", "date", "event", "notes"]


@pytest.fixture
def people(prison_a):
    in_custody(prison_a, "P-1")
    released(prison_a, "R-1", on=D(2025, 1, 15))
    released(prison_a, "R-2", on=D(2025, 3, 1))


def test_assessment_rows_make_one_assessment_per_person_and_date(make_csv, people):
    path = make_csv(
        [
            ASSESSMENTS,
            ["p-1", "2025-02-01", "accommodation", "high", "No address"],
            ["P-1", "2025-02-01", "health", "Low", ""],
            ["P-1", "01.08.2025", "accommodation", "medium", ""],
        ]
    )
    result = run("assessments", path)

    assert result.counts["created"] == 3
    assert NeedsAssessment.objects.count() == 2
    first = NeedsAssessment.objects.get(date=D(2025, 2, 1))
    assert first.assessor is None
    assert dict(first.items.values_list("domain", "level")) == {
        "accommodation": "high",
        "health": "low",
    }
    assert AuditEntry.objects.filter(action="reentry.assessmentitem.created").count() == 3

    again = make_csv(
        [ASSESSMENTS[:4], ["P-1", "2025-02-01", "accommodation", "medium"]], name="again.csv"
    )
    assert run("assessments", again).counts["updated"] == 1
    item = AssessmentItem.objects.get(assessment=first, domain="accommodation")
    assert (item.level, item.notes) == ("medium", "No address")  # no notes column: kept


def test_assessment_errors_name_row_column_and_reason(make_csv, people):
    path = make_csv(
        [
            ASSESSMENTS,
            ["P-1", "2025-02-01", "luck", "high", ""],
            ["P-1", "2025-02-01", "health", "extreme", ""],
            ["NOBODY", "2025-02-01", "health", "low", ""],
            ["P-1", "2099-01-01", "health", "low", ""],
            ["P-1", "2025-03-01", "health", "low", ""],
            ["P-1", "2025-03-01", "health", "high", ""],
        ]
    )
    errors = errors_of("assessments", path)
    assert has_error(errors, 2, "domain", "luck")
    assert has_error(errors, 3, "level", "extreme")
    assert has_error(errors, 4, "person", "NOBODY")
    assert has_error(errors, 5, "date", "future")
    assert has_error(errors, 7, "person+date+domain", "row 6")
    assert not NeedsAssessment.objects.exists()


def test_follow_up_rows_make_contacts_and_events(make_csv, people):
    path = make_csv(
        [
            FOLLOW_UPS,
            ["R-1", "2025-02-20", "unemployed", "Looking for work"],
            ["R-1", "2025-04-20", "employed", ""],
            ["R-1", "2025-04-20", "reoffended", "Theft"],
            ["R-2", "2025-09-01", "reimprisoned", ""],
        ]
    )
    result = run("follow-ups", path)

    assert result.counts["created"] == 4
    contacts = dict(FollowUp.objects.values_list("date", "employment"))
    assert contacts == {D(2025, 2, 20): "unemployed", D(2025, 4, 20): "employed", D(2025, 9, 1): ""}
    assert FollowUp.objects.get(date=D(2025, 2, 20)).notes == "Looking for work"
    events = OutcomeEvent.objects.order_by("date")
    assert [(e.person.ref, e.kind, e.source, e.notes) for e in events] == [
        ("R-1", "reoffended", "self_reported", "Theft"),
        ("R-2", "reimprisoned", "self_reported", ""),
    ]
    assert events[0].follow_up == FollowUp.objects.get(date=D(2025, 4, 20))


def test_follow_up_import_updates_and_keeps_an_official_source(make_csv, people):
    who = Person.objects.get(ref="R-1")
    FollowUpFactory(person=who, date=D(2025, 2, 20), employment="unemployed")
    EventFactory(person=who, date=D(2025, 3, 1), source="official")
    path = make_csv(
        [
            FOLLOW_UPS,
            ["R-1", "2025-02-20", "employed", ""],
            ["R-1", "2025-03-01", "reoffended", "Court record"],
        ]
    )
    result = run("follow-ups", path)

    assert result.counts["updated"] == 1
    assert FollowUp.objects.get(date=D(2025, 2, 20)).employment == "employed"
    event = OutcomeEvent.objects.get()
    assert (event.source, event.notes) == ("official", "Court record")


def test_follow_up_errors(make_csv, people):
    path = make_csv(
        [
            FOLLOW_UPS,
            ["R-1", "2025-01-10", "employed", ""],  # before the release
            ["P-1", "2025-05-01", "employed", ""],  # never released
            ["R-1", "2025-06-01", "employed", ""],
            ["R-1", "2025-06-01", "unemployed", ""],  # a second employment for the contact
        ]
    )
    errors = errors_of("follow-ups", path)
    assert has_error(errors, 2, "date", "follow-up comes after release")
    assert has_error(errors, 3, "date", "no release on or before 2025-05-01")
    assert has_error(errors, 5, "event", "Row 4 gives the employment")
    assert not FollowUp.objects.exists()
    path = make_csv([FOLLOW_UPS, ["R-1", "2025-05-01", "promoted", ""]], name="bad.csv")
    assert has_error(errors_of("follow-ups", path), 2, "event", "promoted")


def test_imports_run_a_constant_number_of_queries(make_csv, prison_a):
    def rows(count, prefix):
        for n in range(count):
            released(prison_a, f"{prefix}{n}", on=D(2025, 1, 1))
        return [[f"{prefix}{n}", "2025-03-01", "employed", ""] for n in range(count)] + [
            [f"{prefix}{n}", "2025-04-01", "reoffended", ""] for n in range(count)
        ]

    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            run("follow-ups", path)
        return len(captured)

    queries(make_csv([FOLLOW_UPS, *rows(1, "W")], name="w.csv"))  # the first import costs more
    few = queries(make_csv([FOLLOW_UPS, *rows(2, "A")], name="a.csv"))
    many = queries(make_csv([FOLLOW_UPS, *rows(30, "B")], name="b.csv"))
    # Not one query per row: only the audit entries' inserts come in batches (SQLite's limit
    # on parameters per statement).
    assert few <= many <= few + 2
