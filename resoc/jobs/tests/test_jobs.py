"""Background jobs: run with progress, shown to their requester only, kept for a limited time."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.audit.models import AuditEntry
from resoc.jobs import services
from resoc.jobs.models import Job
from resoc.jobs.registry import JobError, job_kind


@job_kind("tests.count")
def count_to(job):
    total = job.params["to"]
    services.job_progress(job=job, done=0, total=total)
    for done in range(1, total + 1):
        services.job_progress(job=job, done=done)
    services.job_attach_result(
        job=job, name="count.txt", file=io.BytesIO(b"%d\n" % total), info={"refs": ["P-1"]}
    )


@job_kind("tests.refuse")
def refuse(job):
    raise JobError("Nothing to do for this cohort.")


@job_kind("tests.crash")
def crash(job):
    raise RuntimeError("internal detail")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", role=Role.MANAGER)


@pytest.fixture
def finished_job(owner):
    return services.job_enqueue(kind="tests.count", requested_by=owner, params={"to": 3})


def test_a_job_runs_with_progress_and_keeps_its_result_for_a_day(owner, settings):
    settings.RESOC_JOB_RESULT_HOURS = 24
    job = services.job_enqueue(
        kind="tests.count", requested_by=owner, params={"to": 5}, title="Count"
    )
    assert job.status == Job.Status.DONE
    assert (job.done, job.total, job.percent) == (5, 5, 100)
    assert job.task_id
    assert job.result.read() == b"5\n"
    expected = job.finished_at + datetime.timedelta(hours=24)
    assert job.expires_at == expected
    assert AuditEntry.objects.filter(action="job.requested", object_id=str(job.pk)).exists()


def test_unknown_kind_is_refused_before_anything_is_queued(owner):
    with pytest.raises(ValueError):
        services.job_enqueue(kind="tests.nope", requested_by=owner)
    assert not Job.objects.exists()


def test_a_refusal_is_shown_as_its_message(owner):
    job = services.job_enqueue(kind="tests.refuse", requested_by=owner)
    assert job.status == Job.Status.FAILED
    assert job.message == "Nothing to do for this cohort."


def test_a_crash_shows_no_internals(owner):
    job = services.job_enqueue(kind="tests.crash", requested_by=owner)
    assert job.status == Job.Status.FAILED
    assert "internal" not in job.message


def test_a_retried_job_starts_again(owner):
    job = services.job_enqueue(kind="tests.refuse", requested_by=owner)
    Job.objects.filter(pk=job.pk).update(kind="tests.count", params={"to": 2})
    services.job_run(job_id=str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.done) == (Job.Status.DONE, 2)


def test_job_page_polls_with_htmx_until_the_job_is_finished(client_for, owner):
    job = Job.objects.create(kind="tests.count", requested_by=owner, total=10, done=4)
    client = client_for(owner)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    progress_url = reverse("jobs:progress", args=[job.pk])
    assert f'hx-get="{progress_url}"' in page
    assert 'hx-trigger="every 2s"' in page
    assert '<progress value="4" max="10">' in page
    assert "<script>" not in page  # the policy forbids inline scripts
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, result="jobs/x/count.txt")
    fragment = client.get(progress_url).content.decode()
    assert "hx-trigger" not in fragment
    assert reverse("jobs:download", args=[job.pk]) in fragment


def test_download_is_audited(client_for, owner, finished_job):
    response = client_for(owner).get(reverse("jobs:download", args=[finished_job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"3\n"
    assert "attachment" in response["Content-Disposition"]
    entry = AuditEntry.objects.get(action="job.downloaded")
    assert entry.actor_id == owner.pk
    assert entry.detail == {"kind": "tests.count", "file": "count.txt", "refs": ["P-1"]}


@pytest.mark.parametrize("name", ["detail", "progress", "download"])
@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.AUDITOR, Role.DONOR])
def test_nobody_else_sees_a_job(client_for, finished_job, name, role):
    stranger = UserFactory(role=role)
    response = client_for(stranger).get(reverse(f"jobs:{name}", args=[finished_job.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["list", "detail", "progress", "download"])
def test_job_pages_need_a_login(client, finished_job, name):
    args = [] if name == "list" else [finished_job.pk]
    response = client.get(reverse(f"jobs:{name}", args=args))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_job_list_shows_only_ones_own_jobs(client_for, owner, finished_job):
    other = services.job_enqueue(
        kind="tests.count", requested_by=UserFactory(), params={"to": 1}, title="Not yours"
    )
    html = client_for(owner).get(reverse("jobs:list")).content.decode()
    assert str(finished_job.pk) in html
    assert str(other.pk) not in html


def test_an_expired_result_is_deleted_when_visited(client_for, owner, finished_job):
    path = finished_job.result.path
    Job.objects.filter(pk=finished_job.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    client = client_for(owner)
    page = client.get(reverse("jobs:detail", args=[finished_job.pk])).content.decode()
    assert "has been deleted" in page
    assert client.get(reverse("jobs:download", args=[finished_job.pk])).status_code == 404
    finished_job.refresh_from_db()
    assert finished_job.status == Job.Status.EXPIRED and not finished_job.result
    assert not Path(path).exists()


def test_purge_deletes_only_expired_results(owner, finished_job):
    fresh = services.job_enqueue(kind="tests.count", requested_by=owner, params={"to": 1})
    Job.objects.filter(pk=finished_job.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    out = io.StringIO()
    call_command("jobs", "purge", stdout=out)
    assert "Expired 1" in out.getvalue()
    finished_job.refresh_from_db()
    fresh.refresh_from_db()
    assert finished_job.status == Job.Status.EXPIRED
    assert fresh.status == Job.Status.DONE and fresh.result


def test_attaching_again_replaces_the_earlier_file(owner, finished_job):
    folder = Path(finished_job.result.path).parent
    Job.objects.filter(pk=finished_job.pk).update(status=Job.Status.RUNNING)
    finished_job.status = Job.Status.RUNNING
    services.job_attach_result(job=finished_job, name="count.txt", file=ContentFile(b"again"))
    assert [f.name for f in folder.iterdir()] == ["count.txt"]
    assert finished_job.result.read() == b"again"


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_queued_job(settings, tmp_path):
    settings.TASKS = DATABASE_TASKS
    owner = UserFactory(role=Role.MANAGER)
    job = services.job_enqueue(kind="tests.count", requested_by=owner, params={"to": 7})
    assert job.status == Job.Status.QUEUED and job.done == 0
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert (job.done, job.total) == (7, 7)
    assert job.result.read() == b"7\n"
