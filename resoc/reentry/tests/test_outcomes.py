"""Outcome figures on hand-computed cases (as of 2026-03-01)."""

import datetime
from decimal import Decimal

import pytest

from resoc.people.models import Person
from resoc.people.tests.factories import CustodyFactory
from resoc.reentry.dates import add_months, release_cutoff
from resoc.reentry.outcomes import outcomes_aggregate, person_outcomes
from resoc.reentry.tests.conftest import in_custody, released
from resoc.reentry.tests.factories import EventFactory, FollowUpFactory

pytestmark = pytest.mark.django_db

D = datetime.date
AS_OF = D(2026, 3, 1)
E, SE, U = "employed", "self_employed", "unemployed"


def contact(person, day, employment=""):
    return FollowUpFactory(person=person, date=day, employment=employment)


def event(person, day, kind="reoffended"):
    return EventFactory(person=person, date=day, kind=kind)


@pytest.fixture
def people(prison_a, prison_ba):
    p = {}
    # A: employed within 6 months, reoffended within 12; 24 months not reached.
    p["A"] = released(prison_a, "A", on=D(2025, 1, 15)).person
    contact(p["A"], D(2025, 2, 10), U)
    contact(p["A"], D(2025, 7, 10), E)
    event(p["A"], D(2025, 12, 1))
    # B: employed on the last day of the 6 months; reoffended a day after 12 months (within 24).
    p["B"] = released(prison_a, "B", on=D(2024, 1, 31)).person
    contact(p["B"], D(2024, 7, 31), E)
    event(p["B"], D(2025, 2, 1), "reimprisoned")
    # C: never followed, though an official record shows reoffending: not eligible.
    p["C"] = released(prison_a, "C", on=D(2024, 6, 1)).person
    event(p["C"], D(2024, 8, 1))
    # D: released too recently for any window.
    p["D"] = released(prison_a, "D", on=D(2025, 12, 1)).person
    contact(p["D"], D(2026, 1, 10), E)
    # E: released on 31 August; self-employed on 28 February is within the 6 months.
    p["E"] = released(prison_a, "E", on=D(2024, 8, 31)).person
    contact(p["E"], D(2025, 2, 28), SE)
    # F: released twice; only the latest release counts (events around the first do not).
    p["F"] = released(prison_a, "F", on=D(2020, 1, 1)).person
    CustodyFactory(
        person=p["F"],
        institution=prison_a,
        admitted_on=D(2024, 6, 1),
        expected_release_on=D(2025, 6, 1),
        released_on=D(2025, 6, 1),
    )
    contact(p["F"], D(2020, 3, 1), E)
    event(p["F"], D(2020, 6, 1))
    # G: in custody, never released.
    p["G"] = in_custody(prison_a, "G").person
    # H: contact on the day of release only; 12 months reached exactly on AS_OF.
    p["H"] = released(prison_a, "H", on=D(2025, 3, 1)).person
    contact(p["H"], D(2025, 3, 1), E)
    # I: employed one day after the 6 months.
    p["I"] = released(prison_a, "I", on=D(2025, 1, 1)).person
    contact(p["I"], D(2025, 7, 2), E)
    # J: released in Bosnia and Herzegovina, employed within 6 months, not reoffending.
    p["J"] = released(prison_ba, "J", on=D(2024, 1, 1)).person
    contact(p["J"], D(2024, 3, 1), E)
    return p


def test_aggregate_over_everyone(people, django_assert_num_queries):
    with django_assert_num_queries(1):
        result = outcomes_aggregate(as_of=AS_OF)
    assert result == {
        # A B E F H I J eligible; A B E J employed.
        "employed_6m_after_release": {"eligible": 7, "employed": 4, "rate": Decimal("0.5714")},
        # A B E H I J eligible; A reoffended (B a day late).
        "recidivism_12m": {"eligible": 6, "reoffended": 1, "rate": Decimal("0.1667")},
        # B J eligible; B reoffended.
        "recidivism_24m": {"eligible": 2, "reoffended": 1, "rate": Decimal("0.5000")},
        # Released: all but G; followed: all but C and G.
        "followed": {"released": 9, "followed": 8},
    }


def test_aggregate_of_one_country(people):
    result = outcomes_aggregate(as_of=AS_OF, country="RS")
    assert result["employed_6m_after_release"] == {
        "eligible": 6,
        "employed": 3,
        "rate": Decimal("0.5000"),
    }
    assert result["recidivism_12m"] == {"eligible": 5, "reoffended": 1, "rate": Decimal("0.2000")}
    assert result["recidivism_24m"] == {"eligible": 1, "reoffended": 1, "rate": Decimal("1.0000")}
    assert result["followed"] == {"released": 8, "followed": 7}
    assert outcomes_aggregate(as_of=AS_OF, country="BA")["followed"] == {
        "released": 1,
        "followed": 1,
    }


def test_no_one_eligible_gives_no_rate(people):
    result = outcomes_aggregate(persons_qs=Person.objects.filter(ref="D"), as_of=AS_OF)
    assert result["employed_6m_after_release"] == {"eligible": 0, "employed": 0, "rate": None}
    assert result["recidivism_24m"]["rate"] is None
    assert result["followed"] == {"released": 1, "followed": 1}


def test_an_earlier_as_of_counts_the_release_of_that_time(people):
    # As of 2020-12-31, F's release that counts is the one of 2020 (with work and an event).
    result = outcomes_aggregate(persons_qs=Person.objects.filter(ref="F"), as_of=D(2020, 12, 31))
    assert result["employed_6m_after_release"]["employed"] == 1
    assert result["recidivism_12m"] == {"eligible": 0, "reoffended": 0, "rate": None}
    assert outcomes_aggregate(persons_qs=Person.objects.filter(ref="F"), as_of=D(2021, 1, 1))[
        "recidivism_12m"
    ] == {"eligible": 1, "reoffended": 1, "rate": Decimal("1.0000")}


def test_person_outcomes(people):
    assert person_outcomes(person=people["A"], as_of=AS_OF) == {
        "released_on": D(2025, 1, 15),
        "followed": True,
        "employed_6m": True,
        "reoffended_12m": True,
        "reoffended_24m": None,
    }
    assert person_outcomes(person=people["C"], as_of=AS_OF) == {
        "released_on": D(2024, 6, 1),
        "followed": False,
        "employed_6m": None,
        "reoffended_12m": None,
        "reoffended_24m": None,
    }
    assert person_outcomes(person=people["B"], as_of=AS_OF)["reoffended_12m"] is False
    assert person_outcomes(person=people["B"], as_of=AS_OF)["reoffended_24m"] is True
    assert person_outcomes(person=people["G"], as_of=AS_OF) is None


def test_months_after_release_are_calendar_months():
    assert add_months(D(2024, 8, 31), 6) == D(2025, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert release_cutoff(D(2025, 2, 28), 6) == D(2024, 8, 31)
    assert release_cutoff(D(2025, 3, 30), 6) == D(2024, 9, 30)
    assert release_cutoff(D(2025, 3, 15), 1) == D(2025, 2, 15)
    for day in (D(2024, 8, 29), D(2024, 8, 31), D(2025, 3, 1)):
        for months in (1, 6, 12, 24):
            cut = release_cutoff(day, months)
            assert add_months(cut, months) <= day < add_months(cut + datetime.timedelta(1), months)
