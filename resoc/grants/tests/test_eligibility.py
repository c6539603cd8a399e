import dataclasses
import sys
import types

import pytest

import resoc.reentry
from resoc.grants import eligibility
from resoc.grants.eligibility import Rules
from resoc.grants.tests.conftest import (
    APPLIED,
    D,
    apply,
    approve,
    complete_training,
    evaluate,
    released,
)
from resoc.people.tests.factories import CustodyFactory, PersonFactory

pytestmark = pytest.mark.django_db

RULES = Rules(released_within_months=24, release_within_days=90)


def check(person, *, on=APPLIED, rules=RULES):
    """{criterion: (status, reason)} under the rules (given as a call would give them)."""
    call = types.SimpleNamespace(**dataclasses.asdict(rules))
    checks = eligibility.check_many([(person, call, on)], today=D(2025, 6, 1))[0]
    return {c["key"]: (c["status"], c["reason"]) for c in checks}


def reoffend(person, on):
    from resoc.reentry.models import OutcomeEvent

    return OutcomeEvent.objects.create(person=person, kind="reoffended", date=on, source="official")


def test_a_recent_release_with_training_and_no_reoffending_is_eligible(prison_a):
    person = released(prison_a, "E-1", on=D(2024, 6, 1))
    result = check(person)
    assert result["release"] == (
        "met",
        "Released on 2024-06-01, within 24 months of the application.",
    )
    assert result["training"][0] == "met" and "Bakery course" in result["training"][1]
    assert result["reoffending"] == (
        "met",
        "No reoffending is recorded since the release on 2024-06-01.",
    )


def test_a_release_too_long_ago_is_not_met(prison_a):
    person = released(prison_a, "E-2", on=D(2023, 1, 31))
    assert check(person)["release"] == (
        "not_met",
        "Released on 2023-01-31, more than 24 months before the application.",
    )
    # The window is the call's.
    assert check(person, rules=Rules(36, 90))["release"][0] == "met"


def test_the_latest_release_counts(prison_a, prison_b):
    person = released(prison_a, "E-3", on=D(2020, 6, 1))
    CustodyFactory(
        person=person,
        institution=prison_b,
        admitted_on=D(2022, 1, 1),
        expected_release_on=D(2024, 9, 1),
        released_on=D(2024, 9, 1),
    )
    assert "2024-09-01" in check(person)["release"][1]


def test_nobody_released_is_not_met():
    person = PersonFactory(ref="E-4", kind="former_prisoner")
    result = check(person)
    assert result["release"] == ("not_met", "No release from custody is recorded.")
    assert result["reoffending"][0] == "unknown"


def test_a_prisoner_close_to_release_may_apply_and_one_far_from_it_not(prison_a):
    close = CustodyFactory(
        institution=prison_a, admitted_on=D(2021, 1, 1), expected_release_on=D(2025, 4, 1)
    ).person
    far = CustodyFactory(
        institution=prison_a, admitted_on=D(2021, 1, 1), expected_release_on=D(2025, 9, 1)
    ).person
    unknown = CustodyFactory(
        institution=prison_a, admitted_on=D(2021, 1, 1), expected_release_on=None
    ).person
    assert check(close)["release"][0] == "met"
    assert check(close)["reoffending"][0] == "met"  # not released yet
    assert check(far)["release"] == (
        "not_met",
        "In custody; the expected release on 2025-09-01 is more than 90 days after the "
        "application.",
    )
    assert check(unknown)["release"][0] == "not_met"


def test_no_completed_training_is_not_met_unless_the_call_does_not_ask(prison_a):
    person = released(prison_a, "E-5", trained=False)
    assert check(person)["training"] == ("not_met", "No completed training is recorded.")
    relaxed = Rules(24, 90, requires_training=False)
    assert check(person, rules=relaxed)["training"][0] == "met"
    complete_training(person)
    assert check(person)["training"][0] == "met"


def test_reoffending_since_release_is_not_met(prison_a):
    person = released(prison_a, "E-6", on=D(2024, 6, 1))
    reoffend(person, D(2024, 1, 1))  # before this release: does not count
    assert check(person)["reoffending"][0] == "met"
    reoffend(person, D(2024, 10, 1))
    assert check(person)["reoffending"] == (
        "not_met",
        "Reoffending is recorded since the release on 2024-06-01.",
    )


def test_the_reentry_apps_own_answer_is_used_when_it_gives_one(prison_a, monkeypatch):
    asked = []

    def person_reoffended_since(*, person, since):
        asked.append((person.ref, since))
        return True

    fake = types.SimpleNamespace(person_reoffended_since=person_reoffended_since)
    monkeypatch.setattr(resoc.reentry, "selectors", fake, raising=False)
    monkeypatch.setitem(sys.modules, "resoc.reentry.selectors", fake)
    person = released(prison_a, "E-7", on=D(2024, 6, 1))
    assert check(person)["reoffending"][0] == "not_met"
    assert asked == [("E-7", D(2024, 6, 1))]


@pytest.fixture
def without_reoffending_records(monkeypatch):
    """An installation whose re-entry app has neither the selector nor the events."""
    monkeypatch.setattr(resoc.reentry, "selectors", types.ModuleType("selectors"), raising=False)
    monkeypatch.setitem(sys.modules, "resoc.reentry.selectors", resoc.reentry.selectors)
    monkeypatch.setitem(sys.modules, "resoc.reentry.models", types.ModuleType("models"))


def test_without_reoffending_records_the_criterion_is_unknown_never_met(
    prison_a, without_reoffending_records
):
    person = released(prison_a, "E-8", on=D(2024, 6, 1))
    status, reason = check(person)["reoffending"]
    assert status == "unknown"
    assert "keeps no reoffending records" in reason


def test_an_unknown_criterion_shows_but_does_not_block_the_approval(
    call, applicant, grants_rs, evaluator, without_reoffending_records
):
    application = apply(grants_rs, call, applicant)
    assert application.overall_eligibility == "unknown"
    evaluate(grants_rs, application)
    evaluate(evaluator, application)
    approve(grants_rs, application)
    application.refresh_from_db()
    assert application.decision == "approved"
    assert application.eligibility[2]["status"] == "unknown"


def test_eligibility_of_many_applications_costs_a_constant_number_of_queries(
    prison_a, django_assert_max_num_queries
):
    few = [released(prison_a, f"Q-{n}") for n in range(2)]
    many = few + [released(prison_a, f"R-{n}") for n in range(8)]
    with django_assert_max_num_queries(4):
        eligibility.check_many([(p, None, D(2025, 2, 1)) for p in few], today=D(2025, 6, 1))
    with django_assert_max_num_queries(4):
        eligibility.check_many([(p, None, D(2025, 2, 1)) for p in many], today=D(2025, 6, 1))
