"""The IATI 2.03 export: valid against the shared schema, one activity per cycle."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from resoc.reporting.iati import SCHEMA_DIR, iati_xml, schema_path, validate
from resoc.reporting.models import Indicator, IndicatorPeriod

D = datetime.date


@pytest.fixture
def framework(programme):
    indicator = Indicator.objects.create(
        cycle=programme.c1,
        code="OUT1",
        name="Persons trained",
        unit=Indicator.Unit.PERSONS,
        level=Indicator.Level.OUTPUT,
        formula="persons_trained",
        baseline_value=Decimal("0"),
        baseline_year=2021,
        sdg_targets="4.4, 8.5",
    )
    IndicatorPeriod.objects.create(
        indicator=indicator, start=D(2023, 1, 1), end=D(2023, 12, 31), target=Decimal("20")
    )
    costs = Indicator.objects.create(
        cycle=programme.c1,
        code="OUT2",
        name="Equipment delivered",
        unit=Indicator.Unit.EUR,
        level=Indicator.Level.OUTPUT,
        formula="equipment_value_eur",
    )
    IndicatorPeriod.objects.create(
        indicator=costs, start=D(2023, 1, 1), end=D(2023, 12, 31), target=Decimal("5000")
    )
    manual = Indicator.objects.create(
        cycle=programme.c1,
        code="IMP1",
        name="Prisons with a resocialisation plan",
        unit=Indicator.Unit.NUMBER,
        level=Indicator.Level.IMPACT,
        sdg_targets="16.3",
    )
    IndicatorPeriod.objects.create(
        indicator=manual, start=D(2023, 1, 1), end=D(2023, 12, 31), target=3, actual=2
    )
    return programme


def _tree(xml: bytes):
    return etree.fromstring(xml)


def test_schema_is_the_shared_one():
    shared = Path(settings.BASE_DIR).parent / "shared" / "standards" / "iati-2.03"
    assert schema_path().is_file()
    if not shared.is_dir():
        pytest.skip(f"The shared standards are not beside the repository ({shared}).")
    for name in ("iati-activities-schema.xsd", "iati-common.xsd", "xml.xsd"):
        assert (SCHEMA_DIR / name).read_bytes() == (shared / name).read_bytes(), name


def test_export_validates_against_the_iati_schema(framework):
    xml = iati_xml(today=D(2025, 1, 1))
    assert validate(xml) == []


def test_one_activity_per_cycle_with_countries_sectors_and_funders(framework):
    root = _tree(iati_xml(today=D(2025, 1, 1)))
    activities = root.findall("iati-activity")
    assert [a.findtext("iati-identifier")[-2:] for a in activities] == ["C1", "C2"]
    c1 = activities[0]
    assert [e.get("code") for e in c1.findall("recipient-country")] == ["RS"]
    assert {e.get("code") for e in c1.findall("sector")} == {"15130", "11330"}
    roles = [(e.get("ref"), e.get("role")) for e in c1.findall("participating-org")]
    assert ("DON-A", "1") in roles and ("DON-B", "1") in roles
    assert roles[-1][1] == "4"  # the implementer
    assert c1.find("activity-status").get("code") == "4"  # ended 2024-12-31
    assert {t.get("code") for t in c1.findall("tag")} == {"4.4", "8.5", "16.3"}


def test_transactions_are_the_cycles_spending(framework):
    c1 = _tree(iati_xml(today=D(2025, 1, 1))).findall("iati-activity")[0]
    values = {}
    for t in c1.findall("transaction"):
        code = t.find("transaction-type").get("code")
        values[code] = values.get(code, Decimal(0)) + Decimal(t.findtext("value"))
    # C1: equipment 2000 + training 4500 (expenditure), grants 3500 (disbursements)
    assert values == {"4": Decimal("6500.00"), "3": Decimal("3500.00")}


def test_budget_split_by_year(framework):
    c1 = _tree(iati_xml(today=D(2025, 1, 1))).findall("iati-activity")[0]
    budgets = [Decimal(b.findtext("value")) for b in c1.findall("budget")]
    assert len(budgets) == 3 and sum(budgets) == Decimal("100000.00")


def test_results_with_baseline_targets_and_actuals(framework):
    c1 = _tree(iati_xml(today=D(2025, 1, 1))).findall("iati-activity")[0]
    results = {r.findtext("title/narrative"): r for r in c1.findall("result")}
    equipment = results["Equipment delivered"].find("indicator/period")
    assert equipment.find("target").get("value") == "5000"
    assert equipment.find("actual").get("value") == "2000"  # C1: 1000 EUR + 117,500 RSD
    manual = results["Prisons with a resocialisation plan"]
    assert manual.get("type") == "3"
    assert manual.find("indicator/period/actual").get("value") == "2"
    trained = results["Persons trained"].find("indicator")
    assert trained.find("baseline").get("year") == "2021"
    assert [r.get("code") for r in trained.findall("reference")] == ["4.4", "8.5"]


def test_small_counts_of_people_are_not_published(framework):
    c1 = _tree(iati_xml(today=D(2025, 1, 1))).findall("iati-activity")[0]
    results = {r.findtext("title/narrative"): r for r in c1.findall("result")}
    actual = results["Persons trained"].find("indicator/period/actual")
    assert actual.get("value") is None
    assert "Fewer than 10" in actual.findtext("comment/narrative")


def test_cycle_without_framework_reports_default_results(framework):
    c2 = _tree(iati_xml(today=D(2025, 1, 1))).findall("iati-activity")[1]
    titles = [r.findtext("title/narrative") for r in c2.findall("result")]
    assert "Employed within 6 months of release" in titles


def test_command_writes_a_valid_file(framework, tmp_path):
    output = tmp_path / "iati.xml"
    call_command("export", "iati", "--output", str(output))
    assert validate(output.read_bytes()) == []


def test_command_without_cycles_says_so(db, tmp_path):
    with pytest.raises(CommandError, match="No project cycles"):
        call_command("export", "iati", "--output", str(tmp_path / "x.xml"))
