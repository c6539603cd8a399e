"""When custody ends or moves, the open work assignments end that day, with that reason."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from resoc.audit.models import AuditEntry
from resoc.imports.tests.helpers import errors_of, has_error, run
from resoc.imports.tests.test_persons import HEADER, person
from resoc.people.models import CustodyEpisode
from resoc.people.services import custody_release, custody_transfer
from resoc.work.models import WorkAssignment
from resoc.work.tests.factories import AssignmentFactory, WorkMonthFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def test_release_ends_open_assignments_with_reason_released(
    manager, worker_a, workshop_a, workshop_a2, assignment_a
):
    finished = AssignmentFactory(
        person=worker_a,
        workshop=workshop_a2,
        start=D(2023, 1, 1),
        end=D(2023, 6, 30),
        ended_reason="completed",
    )

    custody_release(actor=manager, person=worker_a, on=D(2024, 8, 15))

    assignment_a.refresh_from_db()
    assert (assignment_a.end, assignment_a.ended_reason) == (D(2024, 8, 15), "released")
    finished.refresh_from_db()
    assert (finished.end, finished.ended_reason) == (D(2023, 6, 30), "completed")
    entry = AuditEntry.objects.get(action="work.workassignment.updated")
    assert entry.person_ref == worker_a.ref
    assert entry.detail["changes"]["ended_reason"] == ["", "released"]


def test_transfer_ends_open_assignments_with_reason_transferred(
    manager, worker_a, prison_b, assignment_a
):
    custody_transfer(actor=manager, person=worker_a, to_institution=prison_b, on=D(2024, 9, 1))

    assignment_a.refresh_from_db()
    assert (assignment_a.end, assignment_a.ended_reason) == (D(2024, 9, 1), "transferred")


def test_assignment_planned_to_end_after_the_release_ends_on_the_release(
    manager, worker_a, workshop_a
):
    planned = AssignmentFactory(
        person=worker_a,
        workshop=workshop_a,
        start=D(2024, 1, 1),
        end=D(2025, 12, 31),
        ended_reason="completed",
    )

    custody_release(actor=manager, person=worker_a, on=D(2024, 8, 15))

    planned.refresh_from_db()
    assert (planned.end, planned.ended_reason) == (D(2024, 8, 15), "released")


def test_release_before_recorded_work_is_refused_and_changes_nothing(
    manager, worker_a, workshop_a, assignment_a
):
    WorkMonthFactory(person=worker_a, workshop=workshop_a, month=D(2024, 9, 1))

    with pytest.raises(ValidationError, match="work recorded in RS-NIS-TAI for 2024-09"):
        custody_release(actor=manager, person=worker_a, on=D(2024, 8, 15))
    assert CustodyEpisode.objects.get(person=worker_a).released_on is None
    assignment_a.refresh_from_db()
    assert assignment_a.end is None


def test_release_before_an_assignment_starts_is_refused(manager, worker_a, workshop_a):
    AssignmentFactory(person=worker_a, workshop=workshop_a, start=D(2024, 10, 1))

    with pytest.raises(ValidationError, match="starting on 2024-10-01"):
        custody_release(actor=manager, person=worker_a, on=D(2024, 8, 15))


def test_release_page_ends_assignments(client_for, officer_a, worker_a, assignment_a):
    response = client_for(officer_a).post(f"/people/{worker_a.ref}/release/", {"on": "2024-08-15"})

    assert response.status_code == 302
    assignment_a.refresh_from_db()
    assert assignment_a.ended_reason == "released"


# The persons import can record a release too


def test_persons_import_release_ends_open_assignments(make_csv, worker_a, assignment_a):
    row = person(
        worker_a.ref, kind="former_prisoner", admitted="2022-03-01", released_on="2024-08-15"
    )

    result = run("persons", make_csv([HEADER, row]))

    assignment_a.refresh_from_db()
    assert (assignment_a.end, assignment_a.ended_reason) == (D(2024, 8, 15), "released")
    assert {"end", "ended_reason"} <= set(result.rows[0].fields)
    entry = AuditEntry.objects.get(action="work.workassignment.updated")
    assert entry.person_ref == worker_a.ref
    assert entry.detail["import"] == "persons"


def test_persons_import_release_before_recorded_work_is_a_row_error(
    make_csv, worker_a, workshop_a, assignment_a
):
    WorkMonthFactory(person=worker_a, workshop=workshop_a, month=D(2024, 9, 1))
    row = person(
        worker_a.ref, kind="former_prisoner", admitted="2022-03-01", released_on="2024-08-15"
    )

    errors = errors_of("persons", make_csv([HEADER, row]))

    assert has_error(errors, 2, "released_on", "Work is recorded in RS-NIS-TAI for 2024-09")
    assert WorkAssignment.objects.get().end is None
