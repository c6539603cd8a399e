from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resoc.audit.models import AuditEntry, AuditHead
from resoc.grants.models import Application, Grant, Visit
from resoc.grants.tests.conftest import D, apply, evaluate, released
from resoc.grants.tests.factories import GrantFactory, grant_in
from resoc.imports.kinds import kind_get
from resoc.imports.services import import_template
from resoc.imports.tests.helpers import errors_of, has_error, run
from resoc.people.models import Person
from resoc.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

GRANTS = ["code", "person", "cycle", "sector", "value", "currency", "status", "delivered_on"]
VISITS = ["grant", "visited_on", "business_active", "jobs", "notes"]


@pytest.fixture
def old_cycle(rs):
    from resoc.registry.tests.factories import CycleFactory

    cycle = CycleFactory(code="RESOC-4", start=D(2019, 1, 1), end=D(2020, 6, 30))
    cycle.countries.set([rs])
    return cycle


@pytest.fixture
def former(prison_a):
    return released(prison_a, "F-1", on=D(2018, 6, 1), trained=False)


# grants


def test_a_historical_grant_is_imported_without_a_call(make_csv, former, old_cycle, rsd_rate):
    path = make_csv(
        [
            GRANTS,
            [
                "H-2019-001",
                "f-1",
                "RESOC-4",
                "carpentry",
                "234000",
                "rsd",
                "delivered",
                "2024-03-01",
            ],
        ]
    )
    result = run("grants", path)
    assert result.counts["created"] == 1
    application = Application.objects.get()
    assert (application.code, application.person, application.call) == ("H-2019-001", former, None)
    assert (application.country.code, application.cycle, application.sector) == (
        "RS",
        old_cycle,
        "carpentry",
    )
    assert (application.decision, application.approved_eur) == ("approved", Decimal("2000.00"))
    grant = Grant.objects.get()
    assert (grant.code, grant.status, grant.delivered_on) == (
        "H-2019-001",
        "delivered",
        D(2024, 3, 1),
    )
    assert (grant.value, grant.currency, grant.value_eur) == (
        Decimal("234000"),
        "RSD",
        Decimal("2000.00"),
    )
    assert AuditEntry.objects.get(action="grants.grant.created").person_ref == "F-1"
    assert run("grants", path).counts["unchanged"] == 1


def test_statuses_map_onto_applications_and_grants(make_csv, prison_a, old_cycle):
    for ref in ("F-2", "F-3", "F-4", "F-5"):
        released(prison_a, ref, on=D(2018, 6, 1), trained=False)
    path = make_csv(
        [
            GRANTS,
            ["H-2", "F-2", "RESOC-4", "bakery", "1500", "EUR", "applied", ""],
            ["H-3", "F-3", "RESOC-4", "bakery", "1500", "EUR", "rejected", ""],
            ["H-4", "F-4", "RESOC-4", "bakery", "1500", "EUR", "approved", ""],
            ["H-5", "F-5", "RESOC-4", "bakery", "1500", "EUR", "closed", "2020-01-10"],
        ]
    )
    run("grants", path)
    decisions = dict(Application.objects.values_list("code", "decision"))
    assert decisions == {"H-2": "pending", "H-3": "rejected", "H-4": "approved", "H-5": "approved"}
    assert dict(Grant.objects.values_list("code", "status")) == {"H-4": "approved", "H-5": "closed"}
    assert Application.objects.get(code="H-3").decision_reason == "Imported."


def test_delivery_dates_are_required_from_delivered_on(make_csv, former, old_cycle):
    path = make_csv(
        [
            GRANTS,
            ["H-1", "F-1", "RESOC-4", "bakery", "100", "EUR", "delivered", ""],
            ["H-2", "F-1", "RESOC-4", "bakery", "100", "EUR", "approved", "2020-01-01"],
            ["H-3", "F-1", "RESOC-4", "bakery", "100", "EUR", "closed", "2099-01-01"],
        ]
    )
    errors = errors_of("grants", path)
    assert has_error(errors, 2, "delivered_on", "needs its delivery date")
    assert has_error(errors, 3, "delivered_on", "Only a delivered or closed grant")
    assert has_error(errors, 4, "delivered_on", "future")
    assert not Application.objects.exists()


def test_cells_and_references_are_checked(make_csv, former, old_cycle):
    path = make_csv(
        [
            GRANTS,
            ["H-1", "X-9", "RESOC-9", "bakery", "100", "EUR", "applied", ""],
            ["H-2", "F-1", "RESOC-4", "pottery", "-5", "EURO", "paid", ""],
        ]
    )
    errors = errors_of("grants", path)
    assert has_error(errors, 2, "person", "X-9")
    assert has_error(errors, 2, "cycle", "RESOC-9")
    assert has_error(errors, 3, "sector", "pottery")
    assert has_error(errors, 3, "currency", "three-letter")
    assert has_error(errors, 3, "status", "paid")
    path = make_csv([GRANTS, ["H-2", "F-1", "RESOC-4", "bakery", "-5", "EUR", "applied", ""]])
    assert has_error(errors_of("grants", path), 2, "value", "negative")


def test_applicants_are_prisoners_with_a_country(make_csv, former, old_cycle):
    PersonFactory(ref="STAFF-1", kind=Person.Kind.STAFF)
    PersonFactory(ref="NOBODY-HELD", kind=Person.Kind.FORMER_PRISONER)
    path = make_csv(
        [
            GRANTS,
            ["H-3", "STAFF-1", "RESOC-4", "bakery", "100", "EUR", "applied", ""],
            ["H-4", "NOBODY-HELD", "RESOC-4", "bakery", "100", "EUR", "applied", ""],
        ]
    )
    errors = errors_of("grants", path)
    assert has_error(errors, 2, "person", "not a prisoner or former prisoner")
    assert has_error(errors, 3, "person", "country is unknown")


def test_a_value_without_a_rate_is_refused(make_csv, former, old_cycle):
    path = make_csv([GRANTS, ["H-1", "F-1", "RESOC-4", "bakery", "100", "RSD", "applied", ""]])
    assert has_error(errors_of("grants", path), 2, "currency", "No exchange rate for RSD")


def test_a_grant_does_not_go_back(make_csv, former, old_cycle):
    run(
        "grants",
        make_csv(
            [GRANTS, ["H-1", "F-1", "RESOC-4", "bakery", "100", "EUR", "delivered", "2020-01-10"]]
        ),
    )
    path = make_csv(
        [GRANTS, ["H-1", "F-1", "RESOC-4", "bakery", "100", "EUR", "approved", ""]], name="b.csv"
    )
    assert has_error(errors_of("grants", path), 2, "status", "cannot go back to approved")
    path = make_csv(
        [GRANTS, ["H-1", "F-1", "RESOC-4", "bakery", "100", "EUR", "rejected", ""]], name="c.csv"
    )
    assert has_error(errors_of("grants", path), 2, "status", "undo the approval on its page")


def test_a_code_keeps_its_person(make_csv, former, prison_a, old_cycle):
    released(prison_a, "F-2", on=D(2018, 6, 1))
    run(
        "grants", make_csv([GRANTS, ["H-1", "F-1", "RESOC-4", "bakery", "1", "EUR", "applied", ""]])
    )
    path = make_csv(
        [GRANTS, ["H-1", "F-2", "RESOC-4", "bakery", "1", "EUR", "applied", ""]], name="b.csv"
    )
    assert has_error(errors_of("grants", path), 2, "person", "of another person")


# Rows that join a call: its rules hold


def test_a_decision_by_import_needs_two_evaluations(
    make_csv, call, applicant, grants_rs, evaluator
):
    path = make_csv([GRANTS, ["NEW-1", "A-1", "RESOC-7", "bakery", "1000", "EUR", "approved", ""]])
    assert has_error(errors_of("grants", path), 2, "status", "at least 2 committee members")
    application = apply(grants_rs, call, applicant)
    evaluate(grants_rs, application)
    row = [application.code, "A-1", "RESOC-7", "bakery", "1000", "EUR", "approved", ""]
    path = make_csv([GRANTS, row], name="b.csv")
    assert has_error(errors_of("grants", path), 2, "status", "this application has 1")
    evaluate(evaluator, application)
    run("grants", path)
    application.refresh_from_db()
    assert (application.decision, application.approved_eur) == ("approved", Decimal("1000.00"))
    assert application.call == call and application.requested_eur == Decimal("3000.00")
    assert Grant.objects.get().application == application


def test_an_ineligible_applicant_is_not_approved_by_import(
    make_csv, call, prison_a, grants_rs, evaluator
):
    untrained = released(prison_a, "U-1", trained=False)
    application = apply(grants_rs, call, untrained)
    evaluate(grants_rs, application)
    evaluate(evaluator, application)
    row = [application.code, "U-1", "RESOC-7", "bakery", "1000", "EUR", "approved", ""]
    assert has_error(errors_of("grants", make_csv([GRANTS, row])), 2, "status", "not eligible")
    # A rejection of an ineligible applicant needs no scores.
    released(prison_a, "U-2", trained=False)
    path = make_csv(
        [GRANTS, ["NEW-2", "U-2", "RESOC-7", "bakery", "1", "EUR", "rejected", ""]], name="r.csv"
    )
    run("grants", path)
    assert Application.objects.get(code="NEW-2").call == call


def test_the_budget_holds_for_imports(make_csv, call, prison_a, grants_rs, evaluator):
    call.budget_eur = Decimal("4000")
    call.save()
    codes = []
    for ref in ("B-1", "B-2"):
        application = apply(grants_rs, call, released(prison_a, ref))
        evaluate(grants_rs, application)
        evaluate(evaluator, application)
        codes.append(application.code)
    path = make_csv(
        [
            GRANTS,
            [codes[0], "B-1", "RESOC-7", "bakery", "2500", "EUR", "approved", ""],
            [codes[1], "B-2", "RESOC-7", "bakery", "2000", "EUR", "approved", ""],
        ]
    )
    errors = errors_of("grants", path)
    assert has_error(errors, 3, "value", "exceed the budget of call C-RS: 2,500.00 of 4,000.00")
    assert not has_error(errors, 2, "value", "budget")
    path = make_csv(
        [
            GRANTS,
            [codes[0], "B-1", "RESOC-7", "bakery", "2000", "EUR", "approved", ""],
            [codes[1], "B-2", "RESOC-7", "bakery", "2000", "EUR", "approved", ""],
        ],
        name="b.csv",
    )
    run("grants", path)
    assert Grant.objects.count() == 2


def test_grants_import_runs_a_constant_number_of_queries(make_csv, prison_a, old_cycle):
    def rows(prefix, count):
        for n in range(count):
            released(prison_a, f"{prefix}{n}", on=D(2018, 6, 1), trained=False)
        return [
            [
                f"H-{prefix}{n}",
                f"{prefix}{n}",
                "RESOC-4",
                "bakery",
                "100",
                "EUR",
                "delivered",
                "2020-01-10",
            ]
            for n in range(count)
        ]

    AuditHead.objects.get_or_create(pk=1)

    def queries(path):
        with CaptureQueriesContext(connection) as ctx:
            run("grants", path)
        return len(ctx.captured_queries)

    few = queries(make_csv([GRANTS, *rows("A", 2)], name="few.csv"))
    many = queries(make_csv([GRANTS, *rows("B", 20)], name="many.csv"))
    assert many == few


# grant-visits


def test_visits_are_imported_and_updated_by_grant_and_day(make_csv, prison_a):
    grant = grant_in(prison_a, ref="V-1", delivered_on=D(2024, 1, 10))
    path = make_csv(
        [
            VISITS,
            [grant.code, "2024-04-12", "yes", "1", "Busy"],
            [grant.code, "2025-01-15", "no", "", "Closed in winter"],
        ]
    )
    assert run("grant-visits", path).counts["created"] == 2
    visits = list(
        Visit.objects.order_by("visited_on").values_list("business_active", "jobs_created")
    )
    assert visits == [(True, 1), (False, None)]
    assert AuditEntry.objects.filter(action="grants.visit.created", person_ref="V-1").count() == 2
    path = make_csv([VISITS, [grant.code, "2025-01-15", "yes", "2", ""]], name="b.csv")
    assert run("grant-visits", path).counts["updated"] == 1
    assert Visit.objects.get(visited_on=D(2025, 1, 15)).business_active is True


def test_visit_cells_are_checked(make_csv, prison_a):
    delivered = grant_in(prison_a, ref="V-2", delivered_on=D(2024, 1, 10))
    path = make_csv(
        [
            VISITS,
            [delivered.code, "2024-03-01", "maybe", "", ""],
            ["NOPE", "2024-04-12", "yes", "", ""],
            [delivered.code, "2099-01-01", "yes", "", ""],
            [delivered.code, "2024-03-02", "yes", "-1", ""],
        ]
    )
    errors = errors_of("grant-visits", path)
    assert has_error(errors, 2, "business_active", "use yes or no")
    assert has_error(errors, 3, "grant", "NOPE")
    assert has_error(errors, 4, "visited_on", "future")
    assert has_error(errors, 5, "jobs", "from 0")


def test_visits_come_after_delivery(make_csv, prison_a):
    delivered = grant_in(prison_a, ref="V-2", delivered_on=D(2024, 1, 10))
    approved = GrantFactory()
    path = make_csv(
        [
            VISITS,
            [approved.code, "2024-04-12", "yes", "", ""],
            [delivered.code, "2024-01-01", "yes", "", ""],
        ]
    )
    errors = errors_of("grant-visits", path)
    assert has_error(errors, 2, "grant", "not delivered yet")
    assert has_error(errors, 3, "visited_on", "cannot precede the delivery")
    assert not Visit.objects.exists()


def test_visits_import_runs_a_constant_number_of_queries(make_csv, prison_a):
    def rows(prefix, count):
        made = [
            grant_in(prison_a, ref=f"{prefix}{n}", delivered_on=D(2024, 1, 10))
            for n in range(count)
        ]
        return [[g.code, "2024-04-12", "yes", "0", ""] for g in made]

    AuditHead.objects.get_or_create(pk=1)

    def queries(path):
        with CaptureQueriesContext(connection) as ctx:
            run("grant-visits", path)
        return len(ctx.captured_queries)

    few = queries(make_csv([VISITS, *rows("A", 2)], name="few.csv"))
    assert queries(make_csv([VISITS, *rows("B", 20)], name="many.csv")) == few


def test_templates_document_the_columns():
    for name, columns in (("grants", GRANTS), ("grant-visits", VISITS)):
        workbook = import_template(kind=kind_get(name))
        assert [c.value for c in workbook.active[1]] == columns
    required = [c.name for c in kind_get("grants").columns if c.required]
    assert required == GRANTS[:-1]
