"""The result files as background jobs: the key results (Excel, factsheet PDF) and the IATI XML,
asked for from the dashboard, made with the requester's view decided again in the worker,
downloaded by the requester only."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.audit.models import AuditEntry
from resoc.jobs.models import Job
from resoc.people.tests.factories import CustodyFactory
from resoc.registry.models import ProjectCycle
from resoc.reporting import jobs as report_jobs
from resoc.reporting.filters import parse_filters
from resoc.reporting.iati import validate
from resoc.reporting.tests.conftest import AS_OF
from resoc.reporting.tests.factories import EnrollmentFactory

DASHBOARD = reverse("reporting:dashboard")
TO = {"to": AS_OF.isoformat()}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _values(content: bytes) -> dict:
    sheet = load_workbook(io.BytesIO(content)).active
    return {row[1]: row[2] for row in sheet.iter_rows(values_only=True) if len(row) > 2}


def _download(client, job) -> bytes:
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_manager_queues_the_excel_and_downloads_it_from_the_job(programme, manager, client_for):
    client = client_for(manager)
    response = client.post(reverse("reporting:export_xlsx"), {**TO, "country": "RS"})

    job = Job.objects.get(kind=report_jobs.KEY_RESULTS_XLSX)
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.status, job.requested_by, job.done, job.total) == (Job.Status.DONE, manager, 2, 2)
    assert job.params == {"filters": {"country": "RS", "to": "2025-01-01"}, "as_donor": False}
    assert job.result_name == "key-results-RS-2025-01-01.xlsx"
    page = client.get(response["Location"]).content.decode()
    assert reverse("jobs:download", args=[job.pk]) in page
    assert _values(_download(client, job))["Total invested (EUR)"] == "10000.00"
    exported = AuditEntry.objects.get(action="reporting.key_results.exported")
    assert exported.actor_id == manager.pk
    assert exported.detail == {
        "filters": {"country": "RS", "to": "2025-01-01"},
        "format": "xlsx",
        "donor_view": False,
        "job": str(job.pk),
    }
    downloaded = AuditEntry.objects.get(action="job.downloaded")
    assert downloaded.detail["format"] == "xlsx" and downloaded.actor_id == manager.pk


def test_the_preview_as_a_donor_makes_the_donor_file(programme, manager, client_for):
    client = client_for(manager)
    client.post(reverse("reporting:export_xlsx"), {**TO, "as": "donor"})

    job = Job.objects.get(kind=report_jobs.KEY_RESULTS_XLSX)
    assert job.result_info["donor_view"] is True
    assert _values(_download(client, job))["Persons trained"] == "<10"


@pytest.mark.parametrize("country, donor_view", [("RS", False), ("BA", True)])
def test_a_coordinator_gets_full_figures_for_their_country_only(
    programme, coordinator_rs, client_for, country, donor_view
):
    client = client_for(coordinator_rs)
    client.post(reverse("reporting:factsheet"), {**TO, "country": country})

    job = Job.objects.get(kind=report_jobs.FACTSHEET_PDF)
    assert job.status == Job.Status.DONE, job.message
    assert job.result_info["donor_view"] is donor_view
    assert _download(client, job).startswith(b"%PDF")


def test_a_bad_filter_queues_nothing(programme, manager, client_for):
    response = client_for(manager).post(
        reverse("reporting:export_xlsx"), {"from": "yesterday"}, follow=True
    )
    assert response.redirect_chain[-1][0] == DASHBOARD
    assert "from: yesterday is not a date" in response.content.decode()
    assert not Job.objects.exists()


def test_an_old_link_leads_to_the_dashboard(programme, manager, client_for):
    response = client_for(manager).get(reverse("reporting:factsheet"), {"country": "RS"})
    assert response["Location"] == f"{DASHBOARD}?country=RS"
    assert not Job.objects.exists()


def test_dashboard_offers_the_files_with_its_filters(programme, manager, donor, client_for):
    page = client_for(manager).get(DASHBOARD, {**TO, "country": "RS", "as": "donor"})
    html = page.content.decode()
    form = html[html.index('id="exports"') : html.index("</form>", html.index('id="exports"'))]
    assert f'formaction="{reverse("reporting:export_xlsx")}"' in form
    assert f'formaction="{reverse("reporting:factsheet")}"' in form
    for name, value in (("country", "RS"), ("to", "2025-01-01"), ("as", "donor")):
        assert f'name="{name}" value="{value}"' in form
    assert reverse("reporting:export_iati") in form
    assert reverse("reporting:export_iati") not in client_for(donor).get(DASHBOARD).content.decode()


@pytest.mark.parametrize("name", ["detail", "progress", "download", "run_again"])
@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.DONOR])
def test_nobody_else_gets_someone_elses_file(programme, manager, client_for, name, role):
    job = report_jobs.key_results_enqueue(
        user=manager, kind=report_jobs.KEY_RESULTS_XLSX, filters=parse_filters(date_to=AS_OF)
    )
    client = client_for(UserFactory(role=role))
    url = reverse(f"jobs:{name}", args=[job.pk])
    response = client.post(url) if name == "run_again" else client.get(url)
    assert response.status_code == 404


# The IATI file


@pytest.mark.parametrize("persona", ["manager", "auditor", "admin_user"])
def test_programme_readers_export_iati_on_the_web(programme, persona, request, client_for):
    user = request.getfixturevalue(persona)
    client = client_for(user)

    response = client.post(reverse("reporting:export_iati"))

    job = Job.objects.get(kind=report_jobs.IATI_XML)
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.DONE, job.message
    assert job.result_name == f"iati-activities-{timezone.localdate().isoformat()}.xml"
    xml = _download(client, job)
    assert validate(xml) == []
    assert xml.count(b"<iati-activity ") == 2
    exported = AuditEntry.objects.get(action="reporting.iati.exported")
    assert (exported.actor_id, exported.detail) == (user.pk, {"activities": 2, "job": str(job.pk)})


@pytest.mark.parametrize("persona", ["donor", "coordinator_rs", "officer_a"])
def test_others_may_not_export_iati(programme, persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    assert client.post(reverse("reporting:export_iati")).status_code == 403
    assert client.get(reverse("reporting:export_iati")).status_code == 405
    assert not Job.objects.exists()


def test_the_worker_checks_the_iati_right_again(programme, manager):
    manager.role = Role.DONOR  # since they asked
    manager.save()
    job = report_jobs.iati_enqueue(user=manager)
    assert job.status == Job.Status.FAILED
    assert job.message == "You may not export the programme as IATI activities."
    assert not job.result


def test_no_cycle_no_iati_file(manager):
    assert not ProjectCycle.objects.exists()
    job = report_jobs.iati_enqueue(user=manager)
    assert (job.status, job.message) == (
        Job.Status.FAILED,
        "There is no project cycle: nothing to export.",
    )


def test_queries_of_the_files_do_not_grow_with_the_people(programme, manager):
    def queries() -> list[int]:
        counts = []
        for enqueue in (
            lambda: report_jobs.key_results_enqueue(
                user=manager, kind=report_jobs.KEY_RESULTS_XLSX, filters=parse_filters()
            ),
            lambda: report_jobs.iati_enqueue(user=manager),
        ):
            with CaptureQueriesContext(connection) as captured:
                assert enqueue().status == Job.Status.DONE
            counts.append(len(captured))
        return counts

    queries()  # the first run fills caches (content types, the audit chain's head)
    few = queries()
    for _ in range(12):
        person = CustodyFactory(institution=programme.i1).person
        EnrollmentFactory(cohort=programme.k1, person=person, status="completed")
    assert queries() == few


# Expiry and running again


def test_an_expired_file_is_gone_and_the_job_can_run_again(programme, manager, client_for):
    client = client_for(manager)
    client.post(reverse("reporting:export_xlsx"), TO)
    job = Job.objects.get()
    path = job.result.path
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    call_command("jobs", "purge", stdout=io.StringIO())

    job.refresh_from_db()
    assert job.status == Job.Status.EXPIRED and not job.result
    assert not Path(path).exists()
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Run again" in page

    client.post(reverse("jobs:run_again", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert _values(_download(client, job))["Persons trained"] == 6
    assert AuditEntry.objects.filter(action="job.run_again", object_id=str(job.pk)).exists()


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_the_worker_decides_the_view_when_it_makes_the_file(settings, programme, client_for):
    settings.TASKS = DATABASE_TASKS
    manager = UserFactory(role=Role.MANAGER)
    client = client_for(manager)
    client.post(reverse("reporting:export_xlsx"), TO)
    job = Job.objects.get()
    assert job.status == Job.Status.QUEUED
    manager.role = Role.DONOR  # before a worker takes the job
    manager.save()

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.result_info["donor_view"] is True
    assert _values(_download(client, job))["Persons trained"] == "<10"
