"""The results dashboard, its exports and the command, for allowed and forbidden users."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from resoc.audit.models import AuditEntry
from resoc.reporting.tests.conftest import AS_OF

DASHBOARD = reverse("reporting:dashboard")
TO = {"to": AS_OF.isoformat()}


def _headline(response) -> str:
    text = response.content.decode()
    return text[text.index('id="headline"') : text.index("</section>", text.index('id="headline"'))]


def test_manager_sees_full_figures_with_charts(programme, manager, client_for):
    response = client_for(manager).get(DASHBOARD, TO)
    assert response.status_code == 200
    text = response.content.decode()
    assert '<span class="number">12,800</span>' in _headline(response)  # whole euros up top
    assert "12800.00" in text  # to the cent in the table of all figures
    assert '<span class="number">6</span>' in _headline(response)
    assert text.count("<svg") >= 3
    assert "<script" not in text.split("</header>", 1)[1]  # charts are plain SVG
    assert 'id="donor-note"' not in text
    assert "Preview the donor view" in text


def test_manager_previews_what_a_donor_sees(programme, manager, donor, client_for):
    preview = client_for(manager).get(DASHBOARD, {**TO, "as": "donor"})
    assert "Preview: what a donor sees." in preview.content.decode()
    assert '<span class="number">&lt;10</span>' in _headline(preview)
    as_donor = client_for(donor).get(DASHBOARD, TO)
    assert _headline(as_donor) == _headline(preview)


def test_donor_sees_small_counts_as_below_ten(programme, donor, client_for):
    response = client_for(donor).get(DASHBOARD, TO)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="donor-note"' in text
    assert "&lt;10" in _headline(response)
    assert "12800.00" in text
    assert "Preview the donor view" not in text
    for ref in ("P1", "P2", "P8"):
        assert f">{ref}<" not in text


def test_dashboard_needs_a_login(db, client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_inactive_user_is_refused(db, client_for, donor):
    donor.is_active = False
    donor.save()
    response = client_for(donor).get(DASHBOARD)
    assert response.status_code in (302, 403)


def test_bad_filter_is_a_message_not_an_error(programme, manager, client_for):
    response = client_for(manager).get(DASHBOARD, {"from": "yesterday"}, follow=True)
    assert response.status_code == 200
    assert "from: yesterday is not a date" in response.content.decode()


def test_nav_links_to_results(db, donor, client_for):
    response = client_for(donor).get(reverse("home"))
    assert f'href="{DASHBOARD}"' in response.content.decode()


def export(client, name: str, data: dict) -> bytes:
    """Ask for a file from the dashboard; it is made by a job (at once in the tests) and
    downloaded from the job's page."""
    queued = client.post(reverse(name), data)
    assert queued.status_code == 302, queued
    job_page = queued["Location"]
    assert job_page.startswith("/jobs/")
    download = client.get(job_page.rstrip("/") + "/download/")
    assert download.status_code == 200
    return b"".join(download.streaming_content)


def test_excel_export_has_the_figures(programme, manager, client_for):
    content = export(client_for(manager), "reporting:export_xlsx", TO)
    sheet = load_workbook(io.BytesIO(content)).active
    values = {row[1]: row[2] for row in sheet.iter_rows(values_only=True) if len(row) > 2}
    assert values["Persons trained"] == 6
    assert values["Total invested (EUR)"] == "12800.00"
    assert AuditEntry.objects.filter(action="reporting.key_results.exported").exists()


def test_donor_excel_is_suppressed(programme, donor, client_for):
    content = export(client_for(donor), "reporting:export_xlsx", TO)
    sheet = load_workbook(io.BytesIO(content)).active
    values = {row[1]: row[2] for row in sheet.iter_rows(values_only=True) if len(row) > 2}
    assert values["Persons trained"] == "<10"
    assert values["Prisoners"] == "<10"


def test_exports_need_a_login(db, client):
    for name in ("reporting:export_xlsx", "reporting:factsheet", "reporting:export_iati"):
        assert client.get(reverse(name)).status_code == 302
        assert reverse("account_login") in client.post(reverse(name))["Location"]


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_factsheet_pdf_for_a_donor(programme, donor, client_for):
    content = export(client_for(donor), "reporting:factsheet", {**TO, "country": "RS"})
    reader = PdfReader(io.BytesIO(content))
    assert 1 <= len(reader.pages) <= 2
    text = _pdf_text(content)
    assert "Serbia" in text and "<10" in text


# The command


def test_command_prints_full_json(programme, capsys):
    call_command("report", "key-results", "--format", "json", "--to", "2025-01-01")
    body = json.loads(capsys.readouterr().out)
    assert body["persons_trained"]["total"] == 6


def test_command_prints_what_a_donor_sees(programme, capsys):
    call_command("report", "key-results", "--format", "json", "--to", "2025-01-01", "--donor")
    body = json.loads(capsys.readouterr().out)
    assert body["persons_trained"]["total"] == "<10"
    assert body["filters"]["to"] == "2024-12-31"  # a donor's period ends with a whole quarter


def test_a_donors_excel_names_the_period_counted(programme, tmp_path):
    xlsx = tmp_path / "r.xlsx"
    call_command(
        "report",
        "key-results",
        "--to",
        "2025-02-10",
        "--format",
        "xlsx",
        "--output",
        str(xlsx),
        "--donor",
    )
    first_rows = [[c.value for c in row] for row in load_workbook(xlsx).active.iter_rows(max_row=2)]
    assert first_rows[1][3] == datetime.datetime(2024, 12, 31)  # openpyxl reads dates back so


def test_command_writes_excel_and_pdf(programme, tmp_path):
    xlsx, pdf = tmp_path / "r.xlsx", tmp_path / "r.pdf"
    call_command(
        "report", "key-results", "--cycle", "C1", "--format", "xlsx", "--output", str(xlsx)
    )
    call_command("report", "key-results", "--format", "pdf", "--output", str(pdf), "--donor")
    assert load_workbook(xlsx).active.max_row > 10
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--country", "ZZ", "--format", "json"], "country"),
        (["--from", "2024-02-30", "--format", "json"], "from"),
        (["--format", "xlsx"], "--output"),
    ],
)
def test_command_errors_are_clear(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", "key-results", *args)
