"""Each definition of the key results, on the hand-counted programme of conftest.py."""

import datetime

import pytest

from resoc.reporting.filters import FilterError
from resoc.reporting.selectors import key_results
from resoc.reporting.tests.conftest import AS_OF

TO = AS_OF.isoformat()


@pytest.fixture
def results(programme):
    return key_results(date_to=TO)


def test_key_results_have_the_fields_of_the_issue(results):
    for name in (
        "institutions_reached",
        "workshops_equipped",
        "equipment_value_eur",
        "training_cost_eur",
        "grants_value_eur",
        "total_invested_eur",
        "funding_by_source_eur",
        "persons_trained",
        "enrollments_completed",
        "certificates_issued",
        "former_prisoners_granted",
        "businesses_active_12m",
        "employed_6m_after_release",
        "recidivism_12m",
    ):
        assert name in results
    assert list(results["persons_trained"]) == [
        "total",
        "prisoners",
        "staff",
        "family_members",
        "former_prisoners",
        "female",
        "male",
        "juveniles",
    ]


def test_equipment_counts_from_delivery_and_converts_rsd(results):
    # 1000 EUR + 117,500 RSD at 117.5 + 2000 EUR (decommissioned, still delivered); the item
    # on order (5000) does not count.
    assert results["equipment_value_eur"] == "4000.00"


def test_training_cost_counts_cohorts_with_participants(results):
    # K1 3000 + K2 1500 + K3 800; K4 has applicants only.
    assert results["training_cost_eur"] == "5300.00"


def test_grants_count_when_delivered(results):
    # 2500 + 1000; the rejected application and the grant not yet delivered do not count.
    assert results["grants_value_eur"] == "3500.00"
    assert results["former_prisoners_granted"] == 2


def test_total_and_funding_split_by_cycle_shares(results):
    assert results["total_invested_eur"] == "12800.00"
    # C1: 2000 equipment + 4500 training + 3500 grants = 10000 at 70/30; C2: 2000 + 800.
    assert results["funding_by_source_eur"] == {
        "DON-A": "7000.00",
        "DON-B": "3000.00",
        "DON-C": "2800.00",
    }
    assert results["unfunded_eur"] == "0.00"


def test_sites_reached(results):
    # I1 (equipment, K1), I2 (K2, work), I3 (equipment, K3); not I4 (order, applicants only).
    assert results["institutions_reached"] == 3
    # W1, W2, W4 with delivered equipment, W5 with work assignments; not W3 (on order).
    assert results["workshops_equipped"] == 4


def test_persons_trained_once_each_by_situation_at_first_cohort(results):
    assert results["persons_trained"] == {
        "total": 6,  # P1 (two cohorts, once), P2, P3, P4, P5, P8; not the applicants
        "prisoners": 3,  # P1, P3, P8 (in custody in BA at K3)
        "staff": 1,  # P4
        "family_members": 1,  # P5
        "former_prisoners": 1,  # P2, released before K1 started
        "female": 3,
        "male": 3,
        "juveniles": 1,  # P3: 2023 - 2007 = 16
    }


def test_completions_and_certificates(results):
    assert results["enrollments_completed"] == 3  # P1 K1, P4 K1, P5 K2
    assert results["certificates_issued"] == 2  # P5's was revoked


def test_business_survival_at_12_months(results):
    # G2's visit 13 months on says active; G1's latest visit after its mark says closed.
    assert results["businesses_active_12m"] == {"eligible": 2, "active": 1, "rate": "0.5000"}


def test_outcomes_after_release(results):
    # P2 employed within 6 months, P8 unemployed; P9 never followed.
    assert results["employed_6m_after_release"] == {
        "eligible": 2,
        "employed": 1,
        "rate": "0.5000",
    }
    # P2 reoffended 14 months after release: outside the 12-month window, inside 24 months.
    assert results["recidivism_12m"] == {"eligible": 1, "reoffended": 0, "rate": "0.0000"}
    assert results["recidivism_24m"] == {"eligible": 1, "reoffended": 1, "rate": "1.0000"}


def test_rate_is_null_when_nobody_is_eligible(programme):
    results = key_results(country="BA", date_to=TO)
    assert results["recidivism_12m"] == {"eligible": 0, "reoffended": 0, "rate": None}


def test_a_country_without_institutions_or_workshops_counts_nothing(programme):
    from resoc.registry.tests.factories import InstitutionFactory, country

    country("ME")
    InstitutionFactory(code="I-AL", country=country("AL"))  # no workshop, no cohort
    for code in ("ME", "AL"):
        results = key_results(country=code, date_to=TO)
        assert results["institutions_reached"] == results["workshops_equipped"] == 0
        assert results["total_invested_eur"] == "0.00"
        assert results["persons_trained"]["total"] == 0
        assert results["recidivism_12m"] == {"eligible": 0, "reoffended": 0, "rate": None}


def test_country_filter_uses_the_institutions_country(programme):
    results = key_results(country="ba", date_to=TO)
    assert results["institutions_reached"] == 1
    assert results["workshops_equipped"] == 1
    assert results["equipment_value_eur"] == "2000.00"
    assert results["training_cost_eur"] == "800.00"
    assert results["grants_value_eur"] == "0.00"
    assert results["funding_by_source_eur"] == {"DON-C": "2800.00"}
    assert results["persons_trained"]["total"] == 1
    assert results["persons_trained"]["prisoners"] == 1


def test_country_filter_counts_a_person_in_each_country_once(programme):
    # P8 was trained in BA (K3) and, after a transfer, in RS (K2).
    rs = key_results(country="RS", date_to=TO)["persons_trained"]
    assert rs["total"] == 6
    assert rs["prisoners"] == 3  # P1, P3, and P8 in custody at I2 when K2 started


def test_cycle_filter(programme):
    results = key_results(cycle="C2", date_to=TO)
    assert results["equipment_value_eur"] == "2000.00"
    assert results["training_cost_eur"] == "800.00"
    assert results["persons_trained"]["total"] == 1
    # Work assignments belong to no cycle.
    assert results["workshops_equipped"] == 1


def test_period_filters_by_cohort_start_and_delivery(programme):
    results = key_results(date_from="2024-01-01", date_to=TO)
    assert results["equipment_value_eur"] == "0.00"
    assert results["training_cost_eur"] == "1500.00"  # K2
    assert results["grants_value_eur"] == "0.00"
    # K2's people, each in their situation at K2's start.
    trained = results["persons_trained"]
    assert (trained["total"], trained["prisoners"], trained["family_members"]) == (3, 2, 1)
    assert results["workshops_equipped"] == 1  # W5, still worked in
    assert results["institutions_reached"] == 1  # I2


def test_to_is_the_as_of_day_of_outcomes(programme):
    early = key_results(date_to="2023-12-31")
    # By then P8 was not released and K2 had not started.
    assert early["employed_6m_after_release"]["eligible"] == 1
    assert early["persons_trained"]["total"] == 5
    assert early["filters"]["to"] == "2023-12-31"


def test_money_is_text_with_two_decimals(results):
    for name in ("equipment_value_eur", "training_cost_eur", "total_invested_eur"):
        assert isinstance(results[name], str)
        assert results[name].split(".")[1].__len__() == 2


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"country": "ZZ"}, "country"),
        ({"cycle": "NOPE"}, "cycle"),
        ({"date_from": "2024-13-01"}, "from"),
        ({"date_from": "2024-02-01", "date_to": "2024-01-01"}, "to"),
    ],
)
def test_bad_filters_are_named(db, kwargs, message):
    with pytest.raises(FilterError, match=message):
        key_results(**kwargs)


def test_default_as_of_is_today(programme, time_machine):
    time_machine.move_to(datetime.datetime(2025, 1, 1, 12, 0))
    assert key_results()["filters"]["to"] == "2025-01-01"


def test_a_bounded_number_of_queries_whatever_the_data(programme, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from resoc.equipment.models import Status
    from resoc.equipment.tests.factories import EquipmentItemFactory
    from resoc.people.tests.factories import CustodyFactory
    from resoc.reporting.tests.factories import EnrollmentFactory, GrantFactory

    with CaptureQueriesContext(connection) as small:
        key_results(country="RS", cycle="C1", date_from="2020-01-01", date_to=TO)
    for _ in range(15):
        person = CustodyFactory(institution=programme.i1).person
        EnrollmentFactory(cohort=programme.k1, person=person, status="completed")
        EquipmentItemFactory(
            workshop__institution=programme.i2,
            cycle=programme.c1,
            status=Status.IN_USE,
            delivered_on=datetime.date(2023, 5, 1),
        )
        GrantFactory(application__person=person, application__cycle=programme.c1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        results = key_results(country="RS", cycle="C1", date_from="2020-01-01", date_to=TO)
    assert results["persons_trained"]["total"] == 6 + 15
    assert len(small.captured_queries) <= 16


@pytest.mark.parametrize("day", ["2023-06-01", "2024-01-01", "2025-01-01", "2026-06-30"])
@pytest.mark.parametrize("country", [None, "RS", "BA"])
def test_outcomes_agree_with_the_reentry_areas_definition(programme, day, country):
    from resoc.reentry.outcomes import outcomes_aggregate as reentry_outcomes
    from resoc.reporting.outcomes import outcomes_aggregate

    as_of = datetime.date.fromisoformat(day)
    theirs = reentry_outcomes(as_of=as_of, country=country)
    ours = outcomes_aggregate(as_of=as_of, country=country)
    for name in ("employed_6m_after_release", "recidivism_12m", "recidivism_24m"):
        expected = {
            k: (str(v) if k == "rate" and v is not None else v) for k, v in theirs[name].items()
        }
        assert ours[name] == expected, name
