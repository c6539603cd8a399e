import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resoc.audit.models import AuditEntry, AuditHead
from resoc.imports.tests.helpers import errors_of, has_error, run
from resoc.registry.tests.factories import OrganisationFactory
from resoc.work.models import ProductionRecord, WorkAssignment, WorkMonth
from resoc.work.tests.conftest import in_custody
from resoc.work.tests.factories import AssignmentFactory, ProductionFactory, WorkMonthFactory

pytestmark = pytest.mark.django_db

D = datetime.date
ASSIGNMENTS = ["person", "workshop", "start", "end", "role", "hours_per_week"]
MONTHS = ["person", "workshop", "month", "hours", "pay", "currency"]
PRODUCTION = ["workshop", "month", "product", "quantity", "unit", "value", "currency", "buyer"]


# work-assignments


def test_assignments_are_created_then_updated_by_key(make_csv, worker_a, workshop_a):
    path = make_csv([ASSIGNMENTS, ["a-1", "RS-NIS-TAI", "2024-01-01", "", "cutter", "40"]])

    result = run("work-assignments", path)

    assert result.counts["created"] == 1
    stored = WorkAssignment.objects.get()
    assert (stored.person, stored.role, stored.hours_per_week) == (worker_a, "cutter", 40)
    assert AuditEntry.objects.get(action="work.workassignment.created").person_ref == "A-1"

    path = make_csv(
        [ASSIGNMENTS, ["A-1", "RS-NIS-TAI", "2024-01-01", "2024-06-30", "cutter", "40"]],
        name="again.csv",
    )
    assert run("work-assignments", path).counts["updated"] == 1
    stored.refresh_from_db()
    assert (stored.end, stored.ended_reason) == (D(2024, 6, 30), "completed")


def test_assignment_rules_are_row_errors(make_csv, prison_a, worker_a, worker_b, workshop_a):
    AssignmentFactory(person=worker_a, workshop=workshop_a, start=D(2024, 1, 1))
    in_custody(prison_a, "A-2", admitted_on=D(2024, 5, 1))
    path = make_csv(
        [
            ASSIGNMENTS,
            ["B-1", "RS-NIS-TAI", "2024-01-01", "", "", ""],  # custody elsewhere
            ["A-2", "RS-NIS-TAI", "2024-04-01", "", "", ""],  # before admission
            ["A-1", "RS-NIS-TAI", "2024-03-01", "", "", ""],  # overlaps the stored one
        ]
    )

    errors = errors_of("work-assignments", path)

    assert has_error(errors, 2, "start", "not in custody at the workshop's institution")
    assert has_error(errors, 3, "start", "not in custody")
    assert has_error(errors, 4, "start", "already works in this workshop from 2024-01-01")
    assert WorkAssignment.objects.count() == 1


def test_assignment_cells_are_checked_first(make_csv, worker_a, workshop_a):
    path = make_csv(
        [
            ASSIGNMENTS,
            ["A-1", "RS-NIS-TAI", "2024-06-01", "2024-05-31", "", ""],  # end before start
            ["A-1", "RS-NIS-TAI", "2024-07-01", "2024-12-31", "", "70"],  # too many hours
            ["A-9", "RS-NIS-XXX", "2024-07-01", "", "", ""],  # unknown person and workshop
        ]
    )

    errors = errors_of("work-assignments", path)

    assert has_error(errors, 2, "end", "The end cannot precede the start")
    assert has_error(errors, 3, "hours_per_week", "60")
    assert has_error(errors, 4, "person", "A-9")
    assert has_error(errors, 4, "workshop", "RS-NIS-XXX")


def test_overlapping_rows_in_one_file_are_refused(make_csv, worker_a, workshop_a):
    path = make_csv(
        [
            ASSIGNMENTS,
            ["A-1", "RS-NIS-TAI", "2024-01-01", "2024-06-30", "", ""],
            ["A-1", "RS-NIS-TAI", "2024-06-01", "", "", ""],
        ]
    )

    errors = errors_of("work-assignments", path)

    assert has_error(errors, 3, "start", "overlaps the one of row 2")
    assert not WorkAssignment.objects.exists()


def test_shortening_an_assignment_before_recorded_months_is_refused(
    make_csv, worker_a, workshop_a, assignment_a
):
    WorkMonthFactory(person=worker_a, workshop=workshop_a, month=D(2024, 6, 1))
    path = make_csv([ASSIGNMENTS, ["A-1", "RS-NIS-TAI", "2024-01-01", "2024-05-31", "", ""]])

    errors = errors_of("work-assignments", path)

    assert has_error(errors, 2, "end", "Work is recorded for 2024-06")


# work-months


def test_work_months_are_imported_with_pay_in_eur(
    make_csv, worker_a, workshop_a, assignment_a, rsd_rate
):
    path = make_csv([MONTHS, ["A-1", "RS-NIS-TAI", "2024-03", "120", "2350", "rsd"]])

    result = run("work-months", path)

    assert result.counts["created"] == 1
    record = WorkMonth.objects.get()
    assert (record.month, record.currency, record.pay_eur) == (
        D(2024, 3, 1),
        "RSD",
        Decimal("20.00"),
    )
    assert AuditEntry.objects.get(action="work.workmonth.created").person_ref == "A-1"


def test_work_month_cells_are_checked_first(make_csv, worker_a, workshop_a, assignment_a):
    path = make_csv(
        [
            MONTHS,
            ["A-1", "RS-NIS-TAI", "2024-13", "100", "100", "EUR"],  # no such month
            ["A-1", "RS-NIS-TAI", "2024-03", "-1", "100", "EUR"],  # negative hours
            ["A-1", "RS-NIS-TAI", "2024-05", "100", "100", "euro"],  # not a code
        ]
    )

    errors = errors_of("work-months", path)

    assert has_error(errors, 2, "month", "use YYYY-MM")
    assert has_error(errors, 3, "hours", "0")
    assert has_error(errors, 4, "currency", "three-letter")


def test_work_month_rules_are_row_errors(make_csv, worker_a, workshop_a, assignment_a):
    path = make_csv(
        [
            MONTHS,
            ["A-1", "RS-NIS-TAI", "2023-12", "100", "100", "EUR"],  # before the assignment
            ["A-1", "RS-NIS-TAI", "2024-04", "100", "100", "XYZ"],  # no rate
        ]
    )

    errors = errors_of("work-months", path)

    assert has_error(errors, 2, "month", "no work assignment in this workshop in 2023-12")
    assert has_error(errors, 3, "currency", "No exchange rate for XYZ on or before 2024-04-30")


def test_monthly_maximum_counts_rows_of_the_file_and_what_is_stored(
    make_csv, worker_a, workshop_a, workshop_a2, assignment_a, settings
):
    settings.RESOC_WORK_MAX_HOURS_PER_MONTH = 180
    AssignmentFactory(person=worker_a, workshop=workshop_a2, start=D(2024, 1, 1))
    third = AssignmentFactory(
        person=worker_a, workshop__institution=workshop_a.institution, start=D(2024, 1, 1)
    ).workshop
    WorkMonthFactory(person=worker_a, workshop=third, month=D(2024, 3, 1), hours=50)
    # Replaced by the file: its stored hours do not count.
    WorkMonthFactory(person=worker_a, workshop=workshop_a, month=D(2024, 3, 1), hours=170)
    path = make_csv(
        [
            MONTHS,
            ["A-1", "RS-NIS-TAI", "2024-03", "70", "100", "EUR"],
            ["A-1", "RS-NIS-BAK", "2024-03", "61", "100", "EUR"],
        ]
    )

    errors = errors_of("work-months", path)

    assert has_error(errors, 2, "hours", "181 hours in 2024-03 over all workshops (rows 2, 3")
    assert has_error(errors, 3, "hours", "at most 180")
    path = make_csv(
        [
            MONTHS,
            ["A-1", "RS-NIS-TAI", "2024-03", "70", "100", "EUR"],
            ["A-1", "RS-NIS-BAK", "2024-03", "60", "100", "EUR"],
        ],
        name="ok.csv",
    )
    assert run("work-months", path).counts == {"created": 1, "updated": 1, "unchanged": 0}


# production


def test_production_is_imported_with_and_without_buyer_and_reimported_unchanged(
    make_csv, workshop_a, rsd_rate, buyer
):
    rows = [
        PRODUCTION,
        ["RS-NIS-TAI", "2024-03", "Uniforms", "100", "pieces", "23500", "RSD", "BUY-1"],
        ["RS-NIS-TAI", "2024-03", "Uniforms", "20", "pieces", "", "", ""],
    ]

    assert run("production", make_csv(rows)).counts["created"] == 2
    sold = ProductionRecord.objects.get(buyer=buyer)
    assert sold.value_eur == Decimal("200.00")
    assert ProductionRecord.objects.get(buyer=None).value is None
    again = run("production", make_csv(rows, name="again.csv"))
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 2}


def test_production_rules_are_row_errors(make_csv, workshop_a, rsd_rate):
    OrganisationFactory(code="DONOR-1", kind="donor")
    path = make_csv(
        [
            PRODUCTION,
            ["RS-NIS-TAI", "2024-03", "Uniforms", "100", "pieces", "100", "RSD", "DONOR-1"],
            ["RS-NIS-TAI", "2024-03", "Bread", "100", "loaves", "", "", ""],
            ["RS-NIS-TAI", "2024-03", "Chairs", "5", "pieces", "100", "", ""],
            ["RS-NIS-TAI", "2024-03", "Tables", "-5", "pieces", "", "", ""],
        ]
    )

    errors = errors_of("production", path)

    assert has_error(errors, 2, "buyer", "DONOR-1 is not a buyer")
    assert has_error(errors, 3, "unit", "“loaves” is not allowed")
    assert has_error(errors, 4, "currency", "Give the currency")
    assert has_error(errors, 5, "quantity", "0")


# A file costs the same number of queries whatever its length


@pytest.fixture
def audit_head(db):
    AuditHead.objects.get_or_create(pk=1)


def queries_of(kind, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        run(kind, path)
    return len(queries)


def test_work_imports_run_a_constant_number_of_queries(
    make_csv, audit_head, prison_a, workshop_a, rsd_rate, buyer
):
    people = [in_custody(prison_a, f"Q-{n}") for n in range(22)]
    for person in people[:2] + people[10:12]:
        AssignmentFactory(person=person, workshop=workshop_a, start=D(2024, 1, 1))
        WorkMonthFactory(person=person, workshop=workshop_a, month=D(2024, 1, 1))
    ProductionFactory(workshop=workshop_a, product="P-0")

    def assignments(refs, name):
        rows = [[r, "RS-NIS-TAI", "2024-01-01", "", "worker", "40"] for r in refs]
        return make_csv([ASSIGNMENTS, *rows], name=name)

    def months(refs, name):
        rows = [[r, "RS-NIS-TAI", "2024-02", "100", "2350", "RSD"] for r in refs]
        return make_csv([MONTHS, *rows], name=name)

    def production(count, start, name):
        # P-0 is stored: each file changes it and creates the others.
        rows = [["RS-NIS-TAI", "2024-03", "P-0", name[1], "pieces", "", "", ""]]
        rows += [
            ["RS-NIS-TAI", "2024-03", f"P-{n}", "5", "kg", "100", "RSD", "BUY-1" if n % 2 else ""]
            for n in range(start, start + count)
        ]
        return make_csv([PRODUCTION, *rows], name=name)

    few = [f"Q-{n}" for n in range(0, 4)]
    many = [f"Q-{n}" for n in range(10, 22)]
    assert queries_of("work-assignments", assignments(few, "a1.csv")) == queries_of(
        "work-assignments", assignments(many, "a2.csv")
    )
    assert queries_of("work-months", months(few, "m1.csv")) == queries_of(
        "work-months", months(many, "m2.csv")
    )
    assert queries_of("production", production(2, 1, "p1.csv")) == queries_of(
        "production", production(20, 10, "p2.csv")
    )
