import datetime
from decimal import Decimal

import pytest

from resoc.audit.models import AuditEntry
from resoc.imports.tests.helpers import errors_of, has_error, run
from resoc.registry.migrations._countries import NAMES
from resoc.registry.models import ExchangeRate, Institution, Organisation, ProjectCycle, Workshop
from resoc.registry.tests.factories import (
    ExchangeRateFactory,
    InstitutionFactory,
    OrganisationFactory,
    country,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def preloaded_countries():
    """The files name countries that migration 0002 preloads; on PostgreSQL a transactional test
    run before in the same process flushed them."""
    for code in NAMES:
        country(code)


RATES = [
    ["currency", "valid_from", "units_per_eur"],
    ["RSD", "2024-01-01", "117.25"],
    ["BAM", "2024-01-01", "1.95583"],
]


def test_exchange_rates_are_created_then_updated_by_natural_key(make_csv):
    ExchangeRateFactory(currency="RSD", valid_from=datetime.date(2024, 1, 1), units_per_eur=100)

    result = run("exchange-rates", make_csv(RATES))

    assert result.counts == {"created": 1, "updated": 1, "unchanged": 0}
    assert ExchangeRate.objects.count() == 2
    rsd = ExchangeRate.objects.get(currency="RSD")
    assert rsd.units_per_eur == Decimal("117.25")
    update = AuditEntry.objects.get(action="registry.exchangerate.updated")
    assert update.object_id == str(rsd.pk)
    assert update.detail["import"] == "exchange-rates"
    assert update.detail["changes"]["units_per_eur"] == ["100.000000", "117.25"]
    assert AuditEntry.objects.filter(action="registry.exchangerate.created").count() == 1


def test_reimporting_the_same_file_changes_nothing(make_csv):
    path = make_csv(RATES)
    run("exchange-rates", path)
    entries = AuditEntry.objects.count()
    stamps = list(ExchangeRate.objects.values_list("updated_at", flat=True))

    result = run("exchange-rates", path)

    assert result.counts == {"created": 0, "updated": 0, "unchanged": 2}
    assert list(ExchangeRate.objects.values_list("updated_at", flat=True)) == stamps
    new = AuditEntry.objects.order_by("id")[entries:]
    assert [e.action for e in new] == ["import.applied"]
    assert new[0].detail == {
        "kind": "exchange-rates",
        "file": "data.csv",
        "counts": {"created": 0, "updated": 0, "unchanged": 2},
    }


def test_the_import_itself_is_audited_with_kind_file_and_counts(make_csv):
    run("exchange-rates", make_csv(RATES, name="rates-2024.csv"))

    entry = AuditEntry.objects.get(action="import.applied")
    assert entry.actor_name == "cli"
    assert entry.detail["file"] == "rates-2024.csv"
    assert entry.detail["counts"]["created"] == 2


def test_a_bad_file_writes_nothing_and_names_row_column_and_reason(make_csv):
    path = make_csv(RATES + [["EUROS", "2024-13-01", "-1"], ["RSD", "2024-02-01", "abc"]])

    errors = errors_of("exchange-rates", path)

    assert has_error(errors, 4, "currency", "three-letter ISO 4217 code")
    assert (4, "valid_from", "“2024-13-01” is not a valid date.") in errors
    assert has_error(errors, 4, "units_per_eur", "greater than or equal to 0.000001")
    assert (5, "units_per_eur", "“abc” is not a number.") in errors
    assert ExchangeRate.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_field_validators_report_format_errors(make_csv):
    path = make_csv([["code", "name", "kind"], ["bad code!", "X", "sponsor"]])

    errors = errors_of("organisations", path)

    assert (2, "code", "Use letters, digits, '-', '_' and '.' only.") in errors
    assert has_error(errors, 2, "kind", "“sponsor” is not allowed; use one of: donor, government")


def test_semicolon_csv_with_bom_and_decimal_commas(make_csv):
    path = make_csv(
        [["currency", "valid_from", "units_per_eur"], ["rsd", "01.02.2024", "117,5"]],
        delimiter=";",
        bom=True,
    )

    run("exchange-rates", path)

    rate = ExchangeRate.objects.get()
    assert (rate.currency, rate.valid_from, rate.units_per_eur) == (
        "RSD",
        datetime.date(2024, 2, 1),
        Decimal("117.5"),
    )


def test_xlsx_with_real_date_cells_and_numbers(make_xlsx):
    path = make_xlsx(
        [
            ["code", "name", "start", "end", "budget_eur"],
            ["C7", "Cycle seven", datetime.datetime(2024, 1, 1), "31.12.2025", 250000],
            [None, None, None, None, None],
            ["C8", "Cycle eight", datetime.date(2026, 1, 1), "2026-12-31", None],
        ]
    )

    result = run("cycles", path)

    assert result.counts["created"] == 2
    c7 = ProjectCycle.objects.get(code="C7")
    assert (c7.start, c7.end, c7.budget_eur) == (
        datetime.date(2024, 1, 1),
        datetime.date(2025, 12, 31),
        Decimal("250000"),
    )
    assert ProjectCycle.objects.get(code="C8").budget_eur is None
    assert run("cycles", path).counts == {"created": 0, "updated": 0, "unchanged": 2}


def test_cycle_end_cannot_precede_start(make_csv):
    path = make_csv([["code", "name", "start", "end"], ["C1", "One", "2024-05-01", "2024-04-30"]])

    assert errors_of("cycles", path) == [(2, "end", "The end cannot precede the start.")]


def test_organisations_with_and_without_country(make_csv):
    OrganisationFactory(code="EU", name="Old name", kind="donor")
    path = make_csv(
        [
            ["code", "name", "kind", "country"],
            ["EU", "European Union", "donor", ""],
            ["MOJ-RS", "Ministry of Justice", "Government", "rs"],
        ]
    )

    result = run("organisations", path)

    assert result.counts == {"created": 1, "updated": 1, "unchanged": 0}
    assert Organisation.objects.get(code="EU").name == "European Union"
    moj = Organisation.objects.get(code="MOJ-RS")
    assert (moj.kind, moj.country.code) == ("government", "RS")


def test_institutions_and_workshops_resolve_codes(make_csv):
    run(
        "institutions",
        make_csv(
            [
                ["code", "name", "country", "kind", "municipality"],
                ["RS-NIS", "CI Niš", "RS", "prison", "Niš"],
                ["BA-ZE", "KPZ Zenica", "BA", "prison", ""],
            ]
        ),
    )
    run(
        "workshops",
        make_csv(
            [
                ["code", "institution", "name", "trade"],
                ["WS-1", "RS-NIS", "Tailoring", "tailoring"],
                ["WS-2", "BA-ZE", "Carpentry", "carpentry"],
            ],
            name="ws.csv",
        ),
    )

    assert Institution.objects.get(code="RS-NIS").country.code == "RS"
    assert Workshop.objects.get(code="WS-2").institution.code == "BA-ZE"
    path = make_csv([["code", "institution", "name", "trade"], ["WS-3", "NOPE", "X", "y"]])
    assert errors_of("workshops", path) == [
        (2, "institution", "There is no institution with the code “NOPE”.")
    ]


def test_an_update_leaves_columns_absent_from_the_file_alone(make_csv):
    InstitutionFactory(code="RS-NIS", name="Old", municipality="Niš", capacity=900)

    run(
        "institutions",
        make_csv([["code", "name", "country", "kind"], ["RS-NIS", "New", "RS", "prison"]]),
    )

    institution = Institution.objects.get(code="RS-NIS")
    assert (institution.name, institution.municipality, institution.capacity) == ("New", "Niš", 900)


def test_unknown_and_missing_columns_are_errors(make_csv):
    path = make_csv([["Code", "name", "colour"], ["C1", "One", "red"]])

    errors = errors_of("cycles", path)

    assert has_error(errors, 1, "colour", "Unknown column; the columns are: code, name, start")
    assert (1, "start", "This required column is missing.") in errors
    assert (1, "end", "This required column is missing.") in errors


def test_required_values_and_duplicate_keys_inside_a_file(make_csv):
    path = make_csv(
        [
            ["currency", "valid_from", "units_per_eur"],
            ["RSD", "2024-01-01", "117"],
            ["", "2024-01-01", "1"],
            ["rsd", "01.01.2024", "118"],
        ]
    )

    errors = errors_of("exchange-rates", path)

    assert errors == [
        (3, "currency", "A value is required."),
        (4, "currency+valid_from", "The same currency + valid_from as row 2."),
    ]


def test_empty_lines_are_skipped_and_rows_keep_their_spreadsheet_number(make_csv):
    header = ["code", "name", "start", "end"]
    bad = make_csv([header, ["", "", "", ""], [], ["C1", "One", "2024-01-01", "x"]])
    good = make_csv([header, [], ["C1", "One", "2024-01-01", "2024-02-01"]], name="good.csv")

    assert errors_of("cycles", bad) == [
        (4, "end", "“x” is not a date; use YYYY-MM-DD or DD.MM.YYYY.")
    ]
    result = run("cycles", good)
    assert [(r.number, r.action) for r in result.rows] == [(3, "created")]


def test_a_file_that_is_not_utf8_or_not_a_table_is_refused(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("code,name\nNIŠ,Niš\n".encode("cp1250"))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    other = tmp_path / "data.xls"
    other.write_bytes(b"")

    assert "UTF-8" in errors_of("organisations", latin)[0][2]
    assert errors_of("organisations", broken) == [
        (None, "", "The file is not a readable .xlsx workbook.")
    ]
    assert errors_of("organisations", other) == [(None, "", "Use a .csv or .xlsx file.")]


UPSERTS = {
    "exchange-rates": (
        ["currency", "valid_from", "units_per_eur"],
        ["EUR", "2024-01-01", "1"],
        ["EUR", "2024-01-01", "1.5"],
    ),
    "organisations": (["code", "name", "kind"], ["EU", "EU", "donor"], ["EU", "EU", "partner"]),
    "institutions": (
        ["code", "name", "country", "kind"],
        ["ME-SP", "ZIKS", "ME", "prison"],
        ["ME-SP", "ZIKS", "ME", "women"],
    ),
    "workshops": (
        ["code", "institution", "name", "trade"],
        ["WS-1", "RS-NIS", "Tailoring", "tailoring"],
        ["WS-1", "RS-SM", "Tailoring", "tailoring"],
    ),
    "cycles": (
        ["code", "name", "start", "end", "budget_eur"],
        ["C9", "Nine", "2024-01-01", "2024-12-31", "1000"],
        ["C9", "Nine", "2024-01-01", "2024-12-31", "1000.50"],
    ),
}


@pytest.mark.parametrize("kind", list(UPSERTS))
def test_every_kind_creates_then_updates_then_leaves_alone(kind, make_csv, prison_a, prison_b):
    header, first, second = UPSERTS[kind]
    counts = [
        run(kind, make_csv([header, first], name="1.csv")).counts,
        run(kind, make_csv([header, second], name="2.csv")).counts,
        run(kind, make_csv([header, second], name="3.csv")).counts,
    ]

    assert counts == [
        {"created": 1, "updated": 0, "unchanged": 0},
        {"created": 0, "updated": 1, "unchanged": 0},
        {"created": 0, "updated": 0, "unchanged": 1},
    ]
    updates = AuditEntry.objects.filter(action__endswith=".updated")
    assert updates.count() == 1 and updates.get().detail["import"] == kind
