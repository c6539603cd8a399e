"""A job whose worker died: seen as stale, marked failed, run again from the beginning by its
requester; a run that lost its job stops without writing; input files kept until the end."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.audit.models import AuditEntry
from resoc.jobs import services
from resoc.jobs.models import Job
from resoc.jobs.registry import JobError, JobSuperseded, job_kind
from resoc.jobs.tests import test_jobs  # noqa: F401  (registers tests.count and tests.refuse)
from resoc.registry.models import Organisation

MINUTE = datetime.timedelta(minutes=1)


@job_kind("tests.echo_input", input_required=True)
def echo_input(job):
    services.job_progress(job=job, done=0, total=1)
    with job.input.open("rb") as source:
        data = source.read()
    if job.params.get("crash"):
        raise RuntimeError("internal")
    services.job_attach_result(job=job, name="echo.txt", file=io.BytesIO(data))


@job_kind("tests.overtaken")
def overtaken(job):
    # Meanwhile (as seen from this run) the job was given up as stale and queued again.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, task_id="")
    with transaction.atomic():
        Organisation.objects.create(code="HALF", name="Half-way", kind="partner")
        services.job_progress(job=job, done=1)
        Organisation.objects.create(code="LATE", name="Too late", kind="partner")


@job_kind("tests.language")
def language(job):
    raise JobError(translation.get_language())


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", role=Role.MANAGER)


def _running(owner, *, minutes_silent: int, **fields) -> Job:
    """A job a worker took and then (maybe) stopped reporting on."""
    at = timezone.now() - minutes_silent * MINUTE
    return Job.objects.create(
        kind="tests.count",
        requested_by=owner,
        params={"to": 3},
        status=Job.Status.RUNNING,
        started_at=at,
        progress_at=at,
        task_id="dead-worker-task",
        total=3,
        done=1,
        **fields,
    )


def test_progress_is_a_heartbeat(owner):
    job = _running(owner, minutes_silent=10)
    before = job.progress_at
    services.job_progress(job=job, done=2)
    job.refresh_from_db()
    assert job.done == 2 and job.progress_at > before


def test_a_silent_running_job_is_stale_after_the_setting(owner, settings):
    settings.RESOC_JOB_STALE_MINUTES = 30
    fresh, silent = _running(owner, minutes_silent=29), _running(owner, minutes_silent=31)
    assert not services.job_is_stale(fresh)
    assert services.job_is_stale(silent)
    assert not services.job_can_run_again(fresh)
    assert services.job_can_run_again(silent)


def test_the_job_page_marks_a_stale_job_failed_and_offers_to_run_it_again(client_for, owner):
    job = _running(owner, minutes_silent=31)
    client = client_for(owner)

    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "stopped before the end" in job.message
    assert "hx-trigger" not in page  # no more polling
    assert "Run again" in page
    assert reverse("jobs:run_again", args=[job.pk]) in page

    client.post(reverse("jobs:run_again", args=[job.pk]))

    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (Job.Status.DONE, 3, 3)
    assert job.result.read() == b"3\n"
    assert job.task_id != "dead-worker-task"
    entry = AuditEntry.objects.get(action="job.run_again")
    assert (entry.actor_id, entry.object_id) == (owner.pk, str(job.pk))


def test_a_running_job_with_progress_is_left_alone(client_for, owner):
    job = _running(owner, minutes_silent=1)
    page = client_for(owner).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "hx-trigger" in page and "Run again" not in page
    response = client_for(owner).post(reverse("jobs:run_again", args=[job.pk]), follow=True)
    assert "cannot be run again" in response.content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.task_id == "dead-worker-task"


def test_a_done_job_is_not_run_again(client_for, owner):
    job = services.job_enqueue(kind="tests.count", requested_by=owner, params={"to": 2})
    client_for(owner).post(reverse("jobs:run_again", args=[job.pk]))
    assert not AuditEntry.objects.filter(action="job.run_again").exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER])
def test_nobody_else_runs_a_job_again(client_for, owner, role):
    job = _running(owner, minutes_silent=60)
    response = client_for(UserFactory(role=role)).post(reverse("jobs:run_again", args=[job.pk]))
    assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING


def test_run_again_needs_a_post(client_for, owner):
    job = _running(owner, minutes_silent=60)
    assert client_for(owner).get(reverse("jobs:run_again", args=[job.pk])).status_code == 405


def test_the_command_marks_only_stale_jobs_failed(owner):
    stale, alive = _running(owner, minutes_silent=45), _running(owner, minutes_silent=2)
    queued = Job.objects.create(kind="tests.count", requested_by=owner)
    Job.objects.filter(pk=queued.pk).update(created_at=timezone.now() - 90 * MINUTE)
    out = io.StringIO()

    call_command("jobs", "fail-stale", stdout=out)

    assert "Marked 1 stale job(s) failed." in out.getvalue()
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses == {
        stale.pk: Job.Status.FAILED,
        alive.pk: Job.Status.RUNNING,
        queued.pk: Job.Status.QUEUED,  # waiting for a worker is not being stuck in one
    }
    purge = io.StringIO()
    call_command("jobs", "purge", stdout=purge)
    assert "Marked 0 stale job(s) failed." in purge.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_run_that_lost_its_job_stops_and_keeps_nothing(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    owner = UserFactory(role=Role.MANAGER)
    job = services.job_enqueue(kind="tests.overtaken", requested_by=owner)

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert not Organisation.objects.filter(code__in=["HALF", "LATE"]).exists()
    job.refresh_from_db()
    # The run did not record an end: the job is the new run's.
    assert (job.status, job.message, job.finished_at) == (Job.Status.QUEUED, "", None)


def test_a_stale_run_cannot_write_once_marked_failed(owner):
    job = _running(owner, minutes_silent=45)
    assert services.job_fail_if_stale(job=job)
    with pytest.raises(JobSuperseded):
        services.job_progress(job=job, done=2)
    with pytest.raises(JobSuperseded):
        services.job_attach_result(job=job, name="late.txt", file=io.BytesIO(b"late"))
    job.refresh_from_db()
    assert job.done == 1 and not job.result
    assert not default_storage.exists(f"jobs/{job.pk}/late.txt")


def test_the_work_speaks_the_requesters_language(owner):
    with translation.override("sr-latn"):
        job = services.job_enqueue(kind="tests.language", requested_by=owner)
    assert (job.language, job.message) == ("sr-latn", "sr-latn")


# Input files


def _with_input(owner, **params) -> Job:
    return services.job_enqueue(
        kind="tests.echo_input",
        requested_by=owner,
        params=params,
        input_file=ContentFile(b"hello", name="upload.csv"),
    )


def test_the_input_is_read_by_the_work_then_deleted(owner):
    job = _with_input(owner)
    assert job.status == Job.Status.DONE
    assert job.result.read() == b"hello"
    assert not job.input
    assert not default_storage.exists(f"jobs/{job.pk}/input/upload.csv")


def test_the_input_is_kept_after_a_crash_so_the_job_can_run_again(owner):
    job = _with_input(owner, crash=True)
    assert job.status == Job.Status.FAILED and job.input
    assert services.job_can_run_again(job)
    Job.objects.filter(pk=job.pk).update(params={})

    again = services.job_run_again(job=job, actor=owner)

    assert again.status == Job.Status.DONE
    assert again.result.read() == b"hello"
    assert not again.input


def test_without_its_input_a_job_cannot_run_again(owner):
    job = _with_input(owner, crash=True)
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - MINUTE)
    job.refresh_from_db()
    stored = job.input.name

    assert services.jobs_purge() == 1

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED  # failed it stays, its files are gone
    assert not job.input and not default_storage.exists(stored)
    assert job.expires_at is None
    assert not services.job_can_run_again(job)
    with pytest.raises(JobError):
        services.job_run_again(job=job, actor=owner)
    assert services.jobs_purge() == 0


def test_a_failed_jobs_details_expire_with_it(owner, settings):
    job = services.job_enqueue(kind="tests.refuse", requested_by=owner)
    Job.objects.filter(pk=job.pk).update(result_info={"errors": [{"row": 2}]})
    assert job.expires_at == job.finished_at + datetime.timedelta(
        hours=settings.RESOC_JOB_RESULT_HOURS
    )
    job.refresh_from_db()
    assert services.job_expire_if_due(job=job, now=job.expires_at)
    job.refresh_from_db()
    assert job.result_info == {} and job.message == "Nothing to do for this cohort."
