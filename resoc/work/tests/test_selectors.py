import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resoc.audit.models import AuditEntry, AuditHead
from resoc.work.selectors import (
    assignment_list_for_user,
    production_by_month,
    production_list_for_user,
    sales_by_buyer,
    workshop_workers,
)
from resoc.work.tests.conftest import in_custody
from resoc.work.tests.factories import AssignmentFactory, ProductionFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def test_workshop_workers_are_the_assignments_active_in_the_month(
    manager, prison_a, workshop_a, assignment_a
):
    ended = in_custody(prison_a, "A-2")
    AssignmentFactory(
        person=ended,
        workshop=workshop_a,
        start=D(2023, 1, 1),
        end=D(2024, 2, 29),
        ended_reason="completed",
    )
    later = in_custody(prison_a, "A-3")
    AssignmentFactory(person=later, workshop=workshop_a, start=D(2024, 3, 31))

    workers = workshop_workers(user=manager, workshop=workshop_a, month=D(2024, 3, 1))

    assert sorted(a.person.ref for a in workers) == ["A-1", "A-3"]
    assert sorted(
        a.person.ref
        for a in workshop_workers(user=manager, workshop=workshop_a, month=D(2024, 2, 10))
    ) == ["A-1", "A-2"]
    entry = AuditEntry.objects.filter(action="work.workers.listed").order_by("id").first()
    assert sorted(entry.detail["refs"]) == ["A-1", "A-3"]


def test_workshop_workers_run_the_same_queries_for_2_or_20_workers(
    manager, prison_a, workshop_a, workshop_a2
):
    AuditHead.objects.get_or_create(pk=1)
    for n in range(2):
        AssignmentFactory(person=in_custody(prison_a, f"W-{n}"), workshop=workshop_a)
    for n in range(20):
        AssignmentFactory(person=in_custody(prison_a, f"V-{n}"), workshop=workshop_a2)

    def queries(workshop):
        with CaptureQueriesContext(connection) as captured:
            workers = workshop_workers(user=manager, workshop=workshop, month=D(2024, 3, 1))
            names = [a.person.full_name for a in workers]
        return len(names), len(captured)

    assert queries(workshop_a)[1] == queries(workshop_a2)[1]
    assert queries(workshop_a2)[0] == 20


def test_workshop_workers_are_empty_for_donors_and_procurement(
    donor, procurement, workshop_a, assignment_a
):
    for user in (donor, procurement):
        assert workshop_workers(user=user, workshop=workshop_a, month=D(2024, 3, 1)) == []


def test_officers_see_only_workers_of_their_institution(
    officer_a, officer_b, workshop_a, assignment_a, assignment_b
):
    assert list(assignment_list_for_user(user=officer_a)) == [assignment_a]
    assert list(assignment_list_for_user(user=officer_b)) == [assignment_b]
    assert workshop_workers(user=officer_b, workshop=workshop_a, month=D(2024, 3, 1)) == []


def test_officer_no_longer_sees_a_released_worker(officer_a, prison_a, workshop_a):
    person = in_custody(prison_a, "R-1", released_on=D(2024, 6, 30))
    AssignmentFactory(
        person=person,
        workshop=workshop_a,
        start=D(2024, 1, 1),
        end=D(2024, 6, 30),
        ended_reason="released",
    )

    assert not assignment_list_for_user(user=officer_a).exists()


def test_coordinators_see_workers_of_their_country_only(
    coordinator_rs, coordinator_ba, assignment_a, assignment_b
):
    assert assignment_list_for_user(user=coordinator_rs).count() == 2
    assert assignment_list_for_user(user=coordinator_ba).count() == 0


def test_production_by_month_sums_in_the_database_with_empty_months_as_zero(
    workshop_a, workshop_b, buyer, django_assert_num_queries
):
    ProductionFactory(
        workshop=workshop_a, month=D(2024, 1, 1), quantity=10, value_eur=Decimal("100.50")
    )
    ProductionFactory(
        workshop=workshop_a,
        month=D(2024, 1, 1),
        quantity=5,
        value_eur=None,
        value=None,
        currency="",
    )
    ProductionFactory(
        workshop=workshop_a, month=D(2024, 3, 1), quantity=2, value_eur=Decimal("20"), buyer=buyer
    )
    ProductionFactory(
        workshop=workshop_b, month=D(2024, 3, 1), quantity=99, value_eur=Decimal("999")
    )

    with django_assert_num_queries(1):
        rows = production_by_month(workshop=workshop_a, months=4, until=D(2024, 3, 15))

    assert rows == [
        {"month": D(2023, 12, 1), "value_eur": Decimal("0"), "quantity": Decimal("0")},
        {"month": D(2024, 1, 1), "value_eur": Decimal("100.50"), "quantity": Decimal("15")},
        {"month": D(2024, 2, 1), "value_eur": Decimal("0"), "quantity": Decimal("0")},
        {"month": D(2024, 3, 1), "value_eur": Decimal("20"), "quantity": Decimal("2")},
    ]
    assert len(production_by_month(workshop=workshop_a, until=D(2024, 3, 1))) == 12


def test_production_is_readable_by_every_role_within_its_sites(
    donor, procurement, officer_a, coordinator_ba, workshop_a, workshop_b
):
    a = ProductionFactory(workshop=workshop_a)
    b = ProductionFactory(workshop=workshop_b)

    assert set(production_list_for_user(user=donor)) == {a, b}
    assert set(production_list_for_user(user=procurement)) == {a, b}
    assert list(production_list_for_user(user=officer_a)) == [a]
    assert list(production_list_for_user(user=coordinator_ba)) == []


def test_sales_by_buyer_sums_what_each_buyer_bought(
    manager, officer_b, workshop_a, workshop_b, buyer
):
    ProductionFactory(workshop=workshop_a, buyer=buyer, value_eur=Decimal("100"))
    ProductionFactory(workshop=workshop_b, buyer=buyer, value_eur=Decimal("50"))
    ProductionFactory(workshop=workshop_b, value_eur=Decimal("70"))

    rows = sales_by_buyer(user=manager)
    assert [(r["buyer__code"], r["records"], r["workshops"], r["value_eur"]) for r in rows] == [
        ("BUY-1", 2, 2, Decimal("150"))
    ]
    assert sales_by_buyer(user=officer_b)[0]["value_eur"] == Decimal("50")
    assert sales_by_buyer(user=manager, first=D(2025, 1, 1)) == []
