import io
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from resoc.audit.models import AuditEntry
from resoc.registry.models import ExchangeRate

pytestmark = pytest.mark.django_db

RATES = [["currency", "valid_from", "units_per_eur"], ["RSD", "2024-01-01", "117.25"]]


def test_import_command_imports_and_reports_counts(make_csv):
    out = io.StringIO()

    call_command("import", "exchange-rates", str(make_csv(RATES)), stdout=out)

    assert "1 created, 0 updated, 0 unchanged" in out.getvalue()
    assert ExchangeRate.objects.count() == 1
    assert AuditEntry.objects.get(action="import.applied").actor_name == "cli"


def test_dry_run_writes_nothing(make_csv):
    out = io.StringIO()

    call_command("import", "exchange-rates", str(make_csv(RATES)), "--dry-run", stdout=out)

    assert "dry run" in out.getvalue()
    assert "row 2: created RSD · 2024-01-01" in out.getvalue()
    assert ExchangeRate.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_errors_go_to_stderr_capped_and_the_command_fails(make_csv):
    rows = [RATES[0]] + [["RSD", f"2024-01-{n:02d}x", "1"] for n in range(1, 121)]
    err = io.StringIO()

    with pytest.raises(CommandError, match="120 error"):
        call_command("import", "exchange-rates", str(make_csv(rows)), stderr=err)

    lines = err.getvalue().splitlines()
    assert (
        lines[0]
        == "Row 2, column valid_from: “2024-01-01x” is not a date; use YYYY-MM-DD or DD.MM.YYYY."
    )
    assert len(lines) == 101
    assert lines[-1] == "... and 20 more."
    assert ExchangeRate.objects.count() == 0


def test_missing_file_is_a_clean_error():
    with pytest.raises(CommandError, match="No such file"):
        call_command("import", "exchange-rates", "/nonexistent/rates.csv")


def test_command_exits_non_zero_without_a_traceback(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("currency,valid_on\nRSD,2024-01-01\n", encoding="utf-8")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "resoc.settings_test"}

    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "resoc.manage", "import", "exchange-rates", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )

    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "Row 1, column valid_on: Unknown column" in done.stderr
    assert "Row 1, column valid_from: This required column is missing." in done.stderr


def test_template_command_writes_header_and_column_sheet(tmp_path):
    output = tmp_path / "persons.xlsx"

    call_command("template", "persons", "--output", str(output), stdout=io.StringIO())

    workbook = load_workbook(output)
    assert workbook.sheetnames == ["persons", "Columns"]
    header = [c.value for c in workbook["persons"][1]]
    assert header[:6] == ["ref", "given_name", "family_name", "sex", "birth_year", "kind"]
    docs = list(workbook["Columns"].iter_rows(values_only=True))
    assert docs[0] == ("Column", "Required", "Format / allowed values", "Description")
    kind = next(r for r in docs if r[0] == "kind")
    assert kind[1] == "yes" and "prisoner, former_prisoner, staff, family_member" in kind[2]
    assert next(r for r in docs if r[0] == "admitted_on")[2].startswith("Date")


@pytest.mark.parametrize(
    "kind",
    [
        "exchange-rates",
        "organisations",
        "institutions",
        "workshops",
        "cycles",
        "cycle-funders",
        "persons",
    ],
)
def test_the_blank_template_of_every_kind_is_a_valid_import(kind, tmp_path):
    output = tmp_path / f"{kind}.xlsx"
    call_command("template", kind, "--output", str(output), stdout=io.StringIO())
    out = io.StringIO()

    call_command("import", kind, str(output), "--dry-run", stdout=out)

    assert "0 created, 0 updated, 0 unchanged" in out.getvalue()


def test_template_must_be_written_as_xlsx(tmp_path):
    with pytest.raises(CommandError, match="must end in .xlsx"):
        call_command("template", "cycles", "--output", str(tmp_path / "cycles.csv"))
