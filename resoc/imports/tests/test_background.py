"""Large files are imported by a background job after their preview: checked again, written all
or nothing, the outcome or the errors on the job's page; the upload is kept until then."""

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.audit.models import AuditEntry, AuditHead
from resoc.imports import jobs as import_jobs
from resoc.imports import services as import_services
from resoc.imports.tests.test_views import RATES, upload
from resoc.jobs.models import Job
from resoc.registry.models import ExchangeRate, Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def background(settings):
    """Files of more than one row go to the background."""
    settings.RESOC_IMPORT_BACKGROUND_ROWS = 1


def workshops_csv(count: int, institution: str = "RS-NIS") -> bytes:
    lines = ["code,institution,name,trade"]
    lines += [f"WS{n},{institution},Workshop {n},tailoring" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def confirm(client, token):
    return client.post(reverse("imports:confirm"), {"token": token})


def test_a_large_file_is_imported_by_a_job_that_shows_the_outcome(client_for, manager, media):
    client = client_for(manager)
    preview = upload(client)
    assert 'id="background-note"' in preview.content.decode()

    response = confirm(client, preview.context["token"])

    job = Job.objects.get(kind="imports.run")
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.requested_by == manager
    assert (job.status, job.done, job.total) == (Job.Status.DONE, 2, 2)
    assert job.result_info["counts"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert ExchangeRate.objects.count() == 2
    applied = AuditEntry.objects.get(action="import.applied")
    assert (applied.actor, applied.detail["file"]) == (manager, "rates.csv")
    # The stored upload is gone: from the upload folder and from the job.
    assert list((media / "imports").iterdir()) == []
    assert not job.input
    assert not [p for p in (media / "jobs").rglob("*") if p.is_file()]
    page = client.get(response["Location"]).content.decode()
    assert 'id="import-outcome"' in page
    assert "2 created, 0 updated, 0 unchanged" in page
    assert "Run again" not in page  # done, and its file is gone


def test_a_small_file_is_still_imported_at_once(client_for, manager, settings):
    settings.RESOC_IMPORT_BACKGROUND_ROWS = 2000
    client = client_for(manager)
    preview = upload(client)
    assert 'id="background-note"' not in preview.content.decode()

    response = confirm(client, preview.context["token"])

    assert response["Location"] == reverse("imports:upload")
    assert ExchangeRate.objects.count() == 2
    assert not Job.objects.exists()


def test_the_job_checks_again_and_shows_row_errors(client_for, manager, prison_a):
    client = client_for(manager)
    token = upload(client, workshops_csv(3), kind="workshops", name="ws.csv").context["token"]
    prison_a.delete()  # between the preview and the job: every row now names a lost prison

    job_url = confirm(client, token)["Location"]

    job = Job.objects.get(kind="imports.run")
    assert job.status == Job.Status.FAILED
    assert job.message == "The file has 3 errors; nothing was imported."
    assert [(e["row"], e["column"]) for e in job.result_info["errors"]] == [
        (2, "institution"),
        (3, "institution"),
        (4, "institution"),
    ]
    assert not Workshop.objects.exists()
    assert not job.input  # the outcome is known: the file is not kept
    page = client.get(job_url).content.decode()
    assert 'id="import-errors"' in page
    assert "<td>2</td><td>institution</td>" in page
    assert "Run again" not in page


def test_the_job_checks_the_role_again(manager, tmp_path):
    path = tmp_path / "rates.csv"
    path.write_bytes(RATES)
    manager.role = Role.DONOR  # since the preview
    manager.save()

    job = import_services.import_enqueue(
        actor=manager, kind="exchange-rates", path=path, filename="rates.csv", rows=2
    )

    assert job.status == Job.Status.FAILED
    assert job.message == "You may no longer import data."
    assert not ExchangeRate.objects.exists()


def test_nobody_else_sees_the_import_job(client_for, manager, admin_user, client):
    token = upload(client_for(manager)).context["token"]
    job_url = confirm(client_for(manager), token)["Location"]
    client.logout()

    assert client_for(admin_user).get(job_url).status_code == 404
    assert client_for(UserFactory(role=Role.MANAGER)).get(job_url).status_code == 404


def _enqueue_workshops(manager, tmp_path, count: int) -> Job:
    path = tmp_path / f"ws-{count}.csv"
    path.write_bytes(workshops_csv(count))
    return import_services.import_enqueue(
        actor=manager, kind="workshops", path=path, filename="ws.csv", rows=count
    )


def test_progress_advances_as_rows_are_checked(manager, prison_a, tmp_path, monkeypatch):
    monkeypatch.setattr(import_services, "PROGRESS_EVERY", 4)
    seen = []
    real = import_jobs.job_progress

    def watched(*, job, done, total=None, message=None):
        real(job=job, done=done, total=total, message=message)
        seen.append((Job.objects.get(pk=job.pk).done, job.total))

    monkeypatch.setattr(import_jobs, "job_progress", watched)

    job = _enqueue_workshops(manager, tmp_path, 12)

    assert job.status == Job.Status.DONE, job.message
    assert seen == [(0, 12), (0, 12), (4, 12), (8, 12), (12, 12), (12, 12)]
    assert Workshop.objects.count() == 12


def test_queries_of_the_job_do_not_grow_with_the_rows(manager, prison_a, tmp_path):
    AuditHead.objects.get_or_create(pk=1)

    def queries_for(count: int) -> int:
        Workshop.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            job = _enqueue_workshops(manager, tmp_path, count)
        assert job.status == Job.Status.DONE, job.message
        assert Workshop.objects.count() == count
        return len(queries)

    # 50 rows stay within one batch of the bulk writes (of the records and their audit entries).
    assert queries_for(5) == queries_for(50)


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_the_upload_is_kept_until_the_worker_has_run_the_import(settings, client_for, media):
    settings.TASKS = DATABASE_TASKS
    manager = UserFactory(role=Role.MANAGER)
    client = client_for(manager)
    job_url = confirm(client, upload(client).context["token"])["Location"]

    job = Job.objects.get(kind="imports.run")
    assert job.status == Job.Status.QUEUED
    assert default_storage.exists(job.input.name)
    assert list((media / "imports").iterdir()) == []  # moved to the job
    assert "Waiting for the background worker" in client.get(job_url).content.decode()

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    stored = job.input.name
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert ExchangeRate.objects.count() == 2
    assert not job.input and not default_storage.exists(stored)
