"""Business survival and the visits worklist, on hand-computed cases."""

from decimal import Decimal

import pytest

from resoc.grants.dates import add_months, delivered_by, mark_date, months_between
from resoc.grants.models import Grant
from resoc.grants.selectors import grant_survival, grant_survival_by, visits_due
from resoc.grants.tests.conftest import D
from resoc.grants.tests.factories import GrantFactory, VisitFactory, grant_in

pytestmark = pytest.mark.django_db

AS_OF = D(2026, 6, 30)


def grant(delivered_on, *visits, **kwargs):
    """A delivered grant and its visits: (day, active) pairs."""
    made = GrantFactory(delivered_on=delivered_on, **kwargs)
    for day, active in visits:
        VisitFactory(grant=made, visited_on=day, business_active=active)
    return made


@pytest.fixture
def cases(db):
    """Hand-computed, as of 2026-06-30.

    12 months: eligible G0 G1 G2 G5 G6 (5), active G0 G1 G5 (3).
    24 months: eligible G0 (1), active G0 (1).
    """
    return {
        # Delivered long ago; its latest visit at or after both marks is active.
        "G0": grant(D(2024, 1, 10), (D(2025, 2, 1), True), (D(2026, 1, 15), True)),
        # Active at its 12-month visit.
        "G1": grant(D(2025, 1, 15), (D(2026, 1, 20), True), application__sector="carpentry"),
        # Active at 12 months, then a later visit says closed: not active.
        "G2": grant(
            D(2025, 3, 1),
            (D(2025, 6, 1), True),
            (D(2026, 3, 5), True),
            (D(2026, 6, 1), False),
            application__sector="carpentry",
        ),
        # Delivered long enough ago, but no visit at or after the mark: not counted.
        "G3": grant(D(2025, 2, 10), (D(2025, 8, 10), True)),
        # Too recent: 12 months are not over on 2026-06-30.
        "G4": grant(D(2025, 9, 1), (D(2026, 6, 1), True)),
        # Exactly 12 months, visited on the mark: counted, active.
        "G5": grant(D(2025, 6, 30), (D(2026, 6, 30), True)),
        # Closed at its 12-month visit; a visit after as_of does not count.
        "G6": grant(D(2025, 4, 1), (D(2026, 4, 10), False), (D(2026, 7, 15), True)),
        # Approved, never delivered.
        "G7": GrantFactory(),
    }


def test_survival_at_12_months_counts_the_hand_computed_cases(cases):
    result = grant_survival(qs=Grant.objects.all(), as_of=AS_OF, months=12)
    assert result == {"eligible": 5, "active": 3, "rate": Decimal("0.6000")}


def test_survival_at_24_months_counts_only_grants_delivered_two_years_ago(cases):
    result = grant_survival(qs=Grant.objects.all(), as_of=AS_OF, months=24)
    assert result == {"eligible": 1, "active": 1, "rate": Decimal("1.0000")}


def test_a_later_visit_saying_closed_overrides_an_active_one(cases):
    only = Grant.objects.filter(pk=cases["G2"].pk)
    assert grant_survival(qs=only, as_of=AS_OF, months=12) == {
        "eligible": 1,
        "active": 0,
        "rate": Decimal("0.0000"),
    }
    # Before the closing visit, the same grant was active.
    assert grant_survival(qs=only, as_of=D(2026, 5, 31), months=12)["active"] == 1


def test_grants_too_recent_or_without_a_late_visit_are_not_counted(cases):
    qs = Grant.objects.filter(pk__in=[cases["G3"].pk, cases["G4"].pk, cases["G7"].pk])
    assert grant_survival(qs=qs, as_of=AS_OF, months=12) == {
        "eligible": 0,
        "active": 0,
        "rate": None,
    }


def test_closed_grants_still_count(cases):
    Grant.objects.filter(pk=cases["G1"].pk).update(status="closed")
    assert grant_survival(qs=Grant.objects.all(), as_of=AS_OF, months=12)["eligible"] == 5


def test_survival_by_sector_adds_up(cases):
    rows = grant_survival_by(qs=Grant.objects.all(), as_of=AS_OF, months=12, group="sector")
    by_key = {r["key"]: r for r in rows}
    assert (by_key["carpentry"]["eligible"], by_key["carpentry"]["active"]) == (2, 1)
    assert by_key["carpentry"]["rate"] == Decimal("0.5000")
    # bakery: G0 G3 G5 G6 delivered long enough ago, G0 G5 G6 visited, G0 G5 active.
    assert (by_key["bakery"]["delivered"], by_key["bakery"]["eligible"]) == (4, 3)
    assert by_key["bakery"]["active"] == 2
    assert sum(r["eligible"] for r in rows) == 5


def test_survival_by_country_and_call(prison_a, prison_ba):
    rs = grant_in(prison_a, delivered_on=D(2025, 1, 1))
    ba = grant_in(prison_ba, delivered_on=D(2025, 1, 1))
    VisitFactory(grant=rs, visited_on=D(2026, 1, 2), business_active=True)
    VisitFactory(grant=ba, visited_on=D(2026, 1, 2), business_active=False)
    rows = grant_survival_by(qs=Grant.objects.all(), as_of=AS_OF, months=12, group="country")
    assert [(r["key"], r["eligible"], r["active"]) for r in rows] == [("BA", 1, 0), ("RS", 1, 1)]
    rows = grant_survival_by(qs=Grant.objects.all(), as_of=AS_OF, months=12, group="call")
    assert [(r["key"], r["eligible"], r["active"]) for r in rows] == [(None, 2, 1)]


def test_survival_is_one_query(cases, django_assert_num_queries):
    with django_assert_num_queries(1):
        grant_survival(qs=Grant.objects.all(), as_of=AS_OF, months=12)
    with django_assert_num_queries(1):
        grant_survival_by(qs=Grant.objects.all(), as_of=AS_OF, months=12, group="sector")


def test_a_month_after_the_31st_is_the_first_of_the_month_after_next():
    assert months_between(D(2025, 1, 31), D(2025, 2, 28)) == 0
    assert months_between(D(2025, 1, 31), D(2025, 3, 1)) == 1
    assert mark_date(D(2025, 1, 31), 1) == D(2025, 3, 1)
    assert mark_date(D(2024, 2, 29), 12) == D(2025, 3, 1)
    assert mark_date(D(2025, 1, 15), 12) == D(2026, 1, 15)
    assert delivered_by(D(2025, 3, 30), 1) == D(2025, 2, 28)
    assert delivered_by(D(2025, 3, 15), 1) == D(2025, 2, 15)
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)


def test_the_database_counts_months_like_python(db):
    """Month ends: a visit on 28 February is not yet a month after 31 January."""
    early = grant(D(2025, 1, 31), (D(2025, 2, 28), True))
    late = grant(D(2025, 1, 31), (D(2025, 3, 1), False))
    qs = Grant.objects.filter(pk=early.pk)
    assert grant_survival(qs=qs, as_of=D(2025, 3, 10), months=1)["eligible"] == 0
    qs = Grant.objects.filter(pk=late.pk)
    assert grant_survival(qs=qs, as_of=D(2025, 3, 10), months=1) == {
        "eligible": 1,
        "active": 0,
        "rate": Decimal("0.0000"),
    }
    # Delivered on 31 January: on 28 February a month has not passed.
    assert grant_survival(qs=qs, as_of=D(2025, 2, 28), months=1)["eligible"] == 0


# The worklist


def test_worklist_lists_the_latest_mark_without_a_visit(prison_a, manager):
    today = D(2026, 6, 30)
    overdue = grant_in(prison_a, ref="W-1", delivered_on=D(2025, 12, 1))  # 6 months: 2026-06-01
    VisitFactory(grant=overdue, visited_on=D(2026, 3, 5))  # the 3-month visit only
    soon = grant_in(prison_a, ref="W-2", delivered_on=D(2026, 1, 10))  # 6 months: 2026-07-10
    VisitFactory(grant=soon, visited_on=D(2026, 4, 12))
    done = grant_in(prison_a, ref="W-3", delivered_on=D(2025, 12, 1))
    VisitFactory(grant=done, visited_on=D(2026, 6, 5))
    grant_in(prison_a, ref="W-4", delivered_on=D(2026, 5, 1))  # 3 months: 2026-08-01, not yet
    grant_in(prison_a, ref="W-5", delivered_on=D(2025, 1, 1), status="closed")
    missed = grant_in(prison_a, ref="W-6", delivered_on=D(2024, 1, 1))  # 24 months overdue
    due = visits_due(user=manager, today=today)
    rows = [(d.grant.application.person.ref, d.months, d.due_on, d.overdue(today)) for d in due]
    assert rows == [
        ("W-6", 24, D(2026, 1, 1), True),
        ("W-1", 6, D(2026, 6, 1), True),
        ("W-2", 6, D(2026, 7, 10), False),
    ]
    assert missed.visits.count() == 0


def test_worklist_is_scoped(prison_a, prison_ba, coordinator_rs):
    grant_in(prison_a, ref="RS-1", delivered_on=D(2025, 1, 1))
    grant_in(prison_ba, ref="BA-1", delivered_on=D(2025, 1, 1))
    due = visits_due(user=coordinator_rs, today=AS_OF)
    assert [d.grant.application.person.ref for d in due] == ["RS-1"]
