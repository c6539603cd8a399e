"""What donors see: small counts as <10, zeros included, with complementary suppression."""

import itertools
import random

import pytest

from resoc.reporting.disclosure import SECONDARY, for_donors, is_suppressed


def results(**trained):
    persons = dict.fromkeys(
        ("total", "prisoners", "staff", "family_members", "former_prisoners"), 0
    )
    persons.update(female=0, male=0, juveniles=0)
    persons.update(trained)
    return {
        "persons_trained": persons,
        "enrollments_completed": 50,
        "certificates_issued": 3,
        "former_prisoners_granted": 0,
        "equipment_value_eur": "5.00",
        "businesses_active_12m": {"eligible": 5, "active": 4, "rate": "0.8000"},
        "employed_6m_after_release": {"eligible": 40, "employed": 12, "rate": "0.3000"},
        "recidivism_12m": {"eligible": 40, "reoffended": 3, "rate": "0.0750"},
    }


def big(**changes):
    values = {
        "total": 300,
        "prisoners": 150,
        "staff": 60,
        "family_members": 40,
        "former_prisoners": 50,
        "female": 120,
        "male": 180,
        "juveniles": 30,
    }
    values.update(changes)
    return results(**values)


def test_large_figures_are_shown_in_full():
    shown = for_donors(big())
    assert shown["persons_trained"]["prisoners"] == 150
    assert shown["employed_6m_after_release"] == {"eligible": 40, "employed": 12, "rate": "0.3000"}
    assert shown["disclosure"]["threshold"] == 10


def test_small_counts_and_zeros_are_shown_as_below_ten():
    shown = for_donors(big())
    assert shown["certificates_issued"] == "<10"
    assert shown["former_prisoners_granted"] == "<10"  # zero included
    assert shown["enrollments_completed"] == 50


def test_money_is_not_suppressed():
    assert for_donors(big())["equipment_value_eur"] == "5.00"


def test_one_small_category_hides_another_so_it_cannot_be_worked_out():
    shown = for_donors(big(prisoners=195, staff=60, family_members=40, former_prisoners=5))[
        "persons_trained"
    ]
    assert shown["total"] == 300
    assert shown["former_prisoners"] == "<10"
    # the next smallest goes too: 300 - 195 - 60 leaves two unknowns
    assert shown["family_members"] == SECONDARY
    assert shown["prisoners"] == 195 and shown["staff"] == 60


def test_hidden_cells_hold_at_least_the_threshold_together():
    shown = for_donors(big(prisoners=291, staff=0, family_members=2, former_prisoners=7))[
        "persons_trained"
    ]
    # 0 + 2 + 7 < 10: not enough cover; the prisoners go too.
    assert all(is_suppressed(shown[n]) for n in ("staff", "family_members", "prisoners"))


def test_sex_split_with_few_women_hides_both():
    shown = for_donors(big(female=4, male=296))["persons_trained"]
    assert shown["female"] == "<10"
    assert shown["male"] == SECONDARY


def test_few_people_of_unstated_sex_hide_a_sex():
    shown = for_donors(big(female=120, male=177))["persons_trained"]  # 3 "not stated"
    assert shown["female"] == SECONDARY  # the smaller, so male + 3 cannot be told apart
    assert shown["male"] == 177


def test_small_total_hides_everything():
    shown = for_donors(results(total=7, prisoners=7, male=7, juveniles=0))["persons_trained"]
    assert all(value == "<10" for value in shown.values())


def test_all_in_one_category_hides_the_total_too():
    shown = for_donors(results(total=10, prisoners=10, male=10))["persons_trained"]
    assert all(is_suppressed(value) for value in shown.values())


def test_juveniles_hidden_when_the_rest_is_small():
    assert for_donors(big(juveniles=295))["persons_trained"]["juveniles"] == SECONDARY
    assert for_donors(big(juveniles=5))["persons_trained"]["juveniles"] == "<10"


def test_rates_with_few_eligible_are_hidden():
    shown = for_donors(big())
    assert shown["businesses_active_12m"] == {"eligible": "<10", "active": "<10", "rate": "<10"}


def test_rates_hidden_with_a_small_count():
    assert for_donors(big())["recidivism_12m"] == {
        "eligible": 40,
        "reoffended": "<10",
        "rate": SECONDARY,
    }


def test_everyone_reoffending_is_hidden():
    data = big()
    data["recidivism_12m"] = {"eligible": 40, "reoffended": 40, "rate": "1.0000"}
    shown = for_donors(data)["recidivism_12m"]
    assert shown == {"eligible": 40, "reoffended": SECONDARY, "rate": SECONDARY}


def test_null_rate_stays_null():
    data = big()
    data["recidivism_12m"] = {"eligible": 0, "reoffended": 0, "rate": None}
    assert for_donors(data)["recidivism_12m"] == {
        "eligible": "<10",
        "reoffended": "<10",
        "rate": None,
    }


def test_threshold_is_a_setting(settings):
    settings.RESOC_DISCLOSURE_THRESHOLD = 5
    shown = for_donors(big())
    assert shown["certificates_issued"] == "<5"
    assert shown["recidivism_12m"]["reoffended"] == "<5"


def _feasible(shown: dict, original: dict, names, total: int, limit: int):
    """Every value each hidden cell could take, to a reader who knows the rule and the total."""
    hidden = [n for n in names if is_suppressed(shown[n])]
    left = total - sum(shown[n] for n in names if n not in hidden)
    ranges = [
        range(0, limit) if shown[n].startswith("<") else range(limit, left + 1) for n in hidden
    ]
    seen = {n: set() for n in hidden}
    for combo in itertools.product(*ranges[:-1]) if hidden else []:
        last = left - sum(combo)
        if last in ranges[-1]:
            for n, v in zip(hidden, (*combo, last), strict=True):
                seen[n].add(v)
    return seen


@pytest.mark.parametrize("seed", range(4))
def test_no_hidden_category_can_be_worked_out_from_the_total(seed):
    names = ("prisoners", "staff", "family_members", "former_prisoners")
    r = random.Random(seed)
    limit = 5
    for _ in range(150):
        cells = {n: r.choice([0, 1, 2, 3, 4, 5, 6, 8, 12]) for n in names}
        total = sum(cells.values())
        data = results(total=total, **cells)
        shown = for_donors(data, limit=limit)["persons_trained"]
        if is_suppressed(shown["total"]):
            continue
        for name, values in _feasible(shown, cells, names, total, limit).items():
            assert cells[name] in values
            assert len(values) > 1, (cells, shown, name)
