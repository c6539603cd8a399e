"""Queueing background jobs, reporting their progress and keeping their result for a while."""

import logging
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from resoc.audit.services import audit_record
from resoc.jobs.models import Job
from resoc.jobs.registry import JobError, job_function
from resoc.jobs.tasks import run_job

logger = logging.getLogger(__name__)


def job_enqueue(*, kind: str, requested_by, params: dict | None = None, title: str = "") -> Job:
    """Record the job and queue its task in the same transaction: a worker never sees one alone."""
    job_function(kind)  # an unknown kind fails here, not later in the worker
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, requested_by=requested_by, params=params or {}, title=title[:200]
        )
        audit_record(
            "job.requested", actor=requested_by, obj=job, detail={"kind": kind, "params": params}
        )
        # With the immediate backend (tests) the job runs inside this call.
        result = run_job.enqueue(str(job.pk))
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


def _savepoint_if_in_transaction():
    # In the worker the job runs in autocommit, so that each progress update is seen at once; run
    # inside a transaction (the immediate backend), a failure must not break the caller's.
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


def job_run(*, job_id: str) -> None:
    """Do the job's work from the start (a retry starts again), recording how it ended."""
    job = Job.objects.filter(pk=job_id).select_related("requested_by").first()
    if job is None:
        logger.warning("Job %s no longer exists; nothing to do.", job_id)
        return
    if job.status in (Job.Status.DONE, Job.Status.EXPIRED):
        return
    work = job_function(job.kind)
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, started_at=now, done=0, message=""
    )
    job.status, job.started_at, job.done, job.message = Job.Status.RUNNING, now, 0, ""
    try:
        with _savepoint_if_in_transaction():
            work(job)
    except JobError as exc:
        _finish_failed(job, str(exc))
    except Exception:
        logger.exception("Job %s (%s) failed.", job.pk, job.kind)
        _finish_failed(job, _("The job failed. Please try again or tell the administrator."))
        raise
    else:
        finished = timezone.now()
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.DONE,
            done=F("total"),
            finished_at=finished,
            expires_at=finished + timedelta(hours=settings.RESOC_JOB_RESULT_HOURS),
        )


def _finish_failed(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, finished_at=timezone.now(), message=message[:255]
    )


def job_progress(*, job: Job, done: int, total: int | None = None, message: str | None = None):
    """Called by the work as it goes; saved at once so the job's page shows it."""
    changes = {"done": done}
    if total is not None:
        changes["total"] = total
    if message is not None:
        changes["message"] = message[:255]
    Job.objects.filter(pk=job.pk).update(**changes)
    for name, value in changes.items():
        setattr(job, name, value)


def job_attach_result(*, job: Job, name: str, file, info: dict | None = None) -> None:
    """Keep the file the job made; replaces the file of an earlier try."""
    if job.result:
        job.result.delete(save=False)
    job.result.save(name, File(file, name=name), save=False)
    job.result_info = info or {}
    Job.objects.filter(pk=job.pk).update(result=job.result.name, result_info=job.result_info)


def job_expire(*, job: Job) -> None:
    """Delete the result file; the job itself stays, as a record that it ran."""
    if job.result:
        job.result.delete(save=False)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.EXPIRED, result="")
    job.status = Job.Status.EXPIRED


def job_expire_if_due(*, job: Job, now=None) -> bool:
    now = now or timezone.now()
    if job.status == Job.Status.DONE and job.expires_at and job.expires_at <= now:
        job_expire(job=job)
        return True
    return False


def jobs_purge(*, now=None) -> int:
    """Expire every finished job whose result is past its time; returns how many."""
    now = now or timezone.now()
    due = Job.objects.filter(status=Job.Status.DONE, expires_at__lte=now)
    count = 0
    for job in due.iterator():
        job_expire(job=job)
        count += 1
    return count


def job_downloaded(*, job: Job, actor) -> None:
    info = job.result_info or {}
    audit_record(
        "job.downloaded",
        actor=actor,
        obj=job,
        detail={"kind": job.kind, "file": job.result_name, **info},
    )
