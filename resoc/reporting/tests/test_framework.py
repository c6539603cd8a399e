"""Indicators against targets, disaggregated; the pages and who may edit them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from resoc.audit.models import AuditEntry
from resoc.reporting import services
from resoc.reporting.framework import disaggregation, framework_rows
from resoc.reporting.models import Indicator, IndicatorPeriod

D = datetime.date


@pytest.fixture
def indicators(programme):
    trained = Indicator.objects.create(
        cycle=programme.c1,
        code="OUT1",
        name="Persons trained",
        unit=Indicator.Unit.PERSONS,
        level=Indicator.Level.OUTPUT,
        formula="persons_trained",
        sdg_targets="4.4",
    )
    whole = IndicatorPeriod.objects.create(
        indicator=trained, start=D(2022, 1, 1), end=D(2024, 12, 31), target=Decimal("10")
    )
    employed = Indicator.objects.create(
        cycle=programme.c1,
        code="OC1",
        name="Employed after release",
        unit=Indicator.Unit.PERCENT,
        level=Indicator.Level.OUTCOME,
        formula="employed_6m_after_release",
        sdg_targets="8.5",
    )
    IndicatorPeriod.objects.create(
        indicator=employed, start=D(2022, 1, 1), end=D(2025, 1, 1), target=Decimal("40")
    )
    manual = Indicator.objects.create(
        cycle=programme.c1,
        code="IM1",
        name="Laws changed",
        unit=Indicator.Unit.NUMBER,
        level=Indicator.Level.IMPACT,
        baseline_value=0,
        baseline_year=2021,
    )
    IndicatorPeriod.objects.create(
        indicator=manual, start=D(2022, 1, 1), end=D(2024, 12, 31), target=2, actual=1
    )
    return {"trained": trained, "whole": whole, "employed": employed, "manual": manual}


def _actuals(rows):
    return {r.indicator.code: [p.actual for p in r.periods] for r in rows}


def test_actuals_computed_by_formula_or_entered(indicators, programme):
    rows = framework_rows(programme.c1, donor=False)
    actuals = _actuals(rows)
    # C1 (RS): P1, P2, P3, P4, P5 (K1, K2) and P8 (K2)
    assert actuals["OUT1"] == [Decimal(6)]
    assert actuals["OC1"] == [Decimal("50.00")]
    assert actuals["IM1"] == [Decimal(1)]
    trained = next(r for r in rows if r.indicator.code == "OUT1")
    assert trained.periods[0].achieved == pytest.approx(0.6)


def test_donor_sees_small_actuals_hidden(indicators, programme):
    actuals = _actuals(framework_rows(programme.c1, donor=True))
    assert actuals["OUT1"] == ["<10"]
    assert actuals["OC1"] == ["<10"]  # 2 eligible
    assert actuals["IM1"] == [Decimal(1)]  # not a count of people


def test_disaggregated_by_sex_age_country_and_kind(indicators):
    tables = dict(disaggregation(indicators["trained"], indicators["whole"], donor=False))
    assert dict(tables["Sex"]) == {"Women": 3, "Men": 3}
    # at their cohort's start: P3 16; P1 33, P2 38, P8 44 and more; P4, P5 born 1990 (33)
    assert dict(tables["Age band"]) == {"under 18": 1, "18 to 29": 0, "30 and over": 5}
    assert dict(tables["Country"]) == {"Serbia": 6}
    assert dict(tables["Kind of institution"])["Prison"] == 6


def test_disaggregation_hidden_for_donors(indicators):
    tables = dict(disaggregation(indicators["trained"], indicators["whole"], donor=True))
    assert set(dict(tables["Sex"]).values()) == {"<10"}


def test_formula_must_exist(programme):
    indicator = Indicator(
        cycle=programme.c1, code="X", name="X", unit="number", level="output", formula="nope"
    )
    with pytest.raises(ValidationError):
        indicator.full_clean()


def test_sdg_targets_are_checked(programme):
    indicator = Indicator(
        cycle=programme.c1, code="X", name="X", unit="number", level="output", sdg_targets="four"
    )
    with pytest.raises(ValidationError, match="SDG"):
        indicator.full_clean()


def test_computed_indicator_takes_no_actual_by_hand(indicators, manager):
    period = IndicatorPeriod(
        indicator=indicators["trained"], start=D(2025, 1, 1), end=D(2025, 12, 31), actual=5
    )
    with pytest.raises(ValidationError):
        services.indicator_period_save(actor=manager, period=period)


# Pages


def test_indicator_page_shows_targets_actuals_and_chart(indicators, programme, donor, client_for):
    response = client_for(donor).get(reverse("reporting:indicators"), {"cycle": "C1"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "<svg" in text and "OUT1" in text and "&lt;10" in text
    assert "New indicator" not in text


def test_indicator_detail_for_manager(indicators, manager, client_for):
    response = client_for(manager).get(
        reverse("reporting:indicator_detail", args=[indicators["trained"].pk])
    )
    assert response.status_code == 200
    assert "Age band" in response.content.decode()


def test_pages_need_a_login(indicators, client):
    for url in (
        reverse("reporting:indicators"),
        reverse("reporting:indicator_detail", args=[indicators["trained"].pk]),
    ):
        assert client.get(url).status_code == 302


def test_manager_creates_an_indicator_and_a_period(programme, manager, client_for):
    client = client_for(manager)
    response = client.post(
        reverse("reporting:indicator_create") + "?cycle=C1",
        {
            "code": "NEW",
            "name": "Certificates",
            "unit": "persons",
            "level": "output",
            "formula": "certificates_issued",
            "ascending": "on",
            "sdg_targets": "4.4, 8.3",
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="NEW")
    response = client.post(
        reverse("reporting:period_create", args=[indicator.pk]),
        {"start": "2023-01-01", "end": "2023-12-31", "target": "50"},
    )
    assert response.status_code == 302
    assert indicator.periods.get().target == 50
    assert AuditEntry.objects.filter(action="reporting.indicator.created").exists()


@pytest.mark.parametrize("persona", ["donor", "officer_a", "coordinator_rs", "auditor"])
def test_others_cannot_change_the_framework(indicators, persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    pk = indicators["trained"].pk
    urls = [
        reverse("reporting:indicator_create") + "?cycle=C1",
        reverse("reporting:indicator_edit", args=[pk]),
        reverse("reporting:period_create", args=[pk]),
        reverse("reporting:period_edit", args=[indicators["whole"].pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"code": "Z"}).status_code == 403, url


def test_seeding_gives_each_cycle_a_framework(db, manager, client_for):
    from resoc.core.seeding import seed_run
    from resoc.registry.models import ProjectCycle

    seed_run(persons=30, seed=3)
    cycles = ProjectCycle.objects.all()
    assert cycles and all(c.indicators.count() == 6 for c in cycles)
    assert IndicatorPeriod.objects.filter(target__isnull=False).exists()
    response = client_for(manager).get(reverse("reporting:indicators"))
    assert response.status_code == 200 and "OP1" in response.content.decode()
