"""Queueing background jobs, reporting their progress and keeping their result for a while.

One run at a time owns a job: starting, a run writes its task's id on the job, and each later
write of that run (progress, result, end) is made only while the job is still running under that
id. A run given up as stale, or whose job was queued again, finds its writes refused
(JobSuperseded) and stops; what it had written in its open transaction is rolled back.
"""

import logging
from contextlib import nullcontext
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from resoc.audit.services import audit_record
from resoc.jobs.models import Job, job_folder
from resoc.jobs.registry import JobError, JobSuperseded, job_kind_get
from resoc.jobs.tasks import run_job

logger = logging.getLogger(__name__)


def job_enqueue(
    *,
    kind: str,
    requested_by,
    params: dict | None = None,
    title: str = "",
    input_file: File | None = None,
) -> Job:
    """Record the job and queue its task in the same transaction: a worker never sees one alone.

    `input_file` (a File with a name) is kept with the job for its work to read; it is deleted
    once the job has run to its end, or with the job's result when that expires.
    """
    job_kind_get(kind)  # an unknown kind fails here, not later in the worker
    job = None
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                requested_by=requested_by,
                params=params or {},
                title=title[:200],
                language=translation.get_language() or "",
            )
            if input_file is not None:
                job.input.save(PurePosixPath(input_file.name).name, input_file, save=False)
                Job.objects.filter(pk=job.pk).update(input=job.input.name)
            audit_record(
                "job.requested",
                actor=requested_by,
                obj=job,
                detail={"kind": kind, "params": params},
            )
            # With the immediate backend (tests) the job runs inside this call.
            result = run_job.enqueue(str(job.pk))
            Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    except BaseException:
        if job is not None and job.input:
            job.input.delete(save=False)  # the job's row is gone: so is its file
        raise
    job.refresh_from_db()
    return job


def _savepoint_if_in_transaction():
    # In the worker the job runs in autocommit, so that each progress update is seen at once; run
    # inside a transaction (the immediate backend), a failure must not break the caller's.
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


def _owned(job: Job):
    """The job, as long as this run still owns it."""
    return Job.objects.filter(pk=job.pk, task_id=job.task_id, status=Job.Status.RUNNING)


def job_run(*, job_id: str, task_id: str = "") -> None:
    """Do the job's work from the start (a retry starts again), recording how it ended."""
    job = Job.objects.filter(pk=job_id).select_related("requested_by").first()
    if job is None:
        logger.warning("Job %s no longer exists; nothing to do.", job_id)
        return
    if job.status in (Job.Status.DONE, Job.Status.EXPIRED):
        return
    kind = job_kind_get(job.kind)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        _claim(job, task_id or job.task_id)
        try:
            with _savepoint_if_in_transaction():
                kind.function(job)
        except JobSuperseded:
            logger.warning(
                "Job %s (%s) was given up or queued again; this run stopped.", job.pk, job.kind
            )
        except JobError as exc:
            _finish(job, Job.Status.FAILED, message=str(exc), info=exc.info)
        except Exception:
            logger.exception("Job %s (%s) failed.", job.pk, job.kind)
            # The input is kept: the job can be run again once the cause is mended.
            message = _("The job failed. Please try again or tell the administrator.")
            _finish(job, Job.Status.FAILED, message=message, keep_input=True)
            raise
        else:
            _finish(job, Job.Status.DONE)


def _claim(job: Job, task_id: str) -> None:
    """Take the job for this run, clearing what an earlier run left (its input stays)."""
    if job.started_at or job.result:
        _delete_files(job, keep_input=True)
    now = timezone.now()
    changes = {
        "status": Job.Status.RUNNING,
        "task_id": task_id,
        "started_at": now,
        "progress_at": now,
        "finished_at": None,
        "expires_at": None,
        "done": 0,
        "total": 0,
        "message": "",
        "result": "",
        "result_info": {},
    }
    Job.objects.filter(pk=job.pk).update(**changes)
    for name, value in changes.items():
        setattr(job, name, value)


def _finish(job: Job, status: str, *, message=None, info=None, keep_input=False) -> None:
    finished = timezone.now()
    changes = {
        "status": status,
        "finished_at": finished,
        "progress_at": finished,
        "expires_at": finished + timedelta(hours=settings.RESOC_JOB_RESULT_HOURS),
    }
    if status == Job.Status.DONE:
        changes["done"] = F("total")
    if message is not None:
        changes["message"] = message[:255]
    if info:
        changes["result_info"] = {**job.result_info, **info}
    if not _owned(job).update(**changes):
        logger.warning("Job %s was given up or queued again; its end is not recorded.", job.pk)
        return
    if job.input and not keep_input:
        job_discard_input(job=job)


def job_progress(*, job: Job, done: int, total: int | None = None, message: str | None = None):
    """Called by the work as it goes; saved at once so the job's page shows it (and the job is
    seen to be alive). Raises JobSuperseded when this run no longer owns the job."""
    changes = {"done": done, "progress_at": timezone.now()}
    if total is not None:
        changes["total"] = total
    if message is not None:
        changes["message"] = message[:255]
    if not _owned(job).update(**changes):
        raise JobSuperseded(str(job.pk))
    for name, value in changes.items():
        setattr(job, name, value)


def job_set_info(*, job: Job, info: dict) -> None:
    """Keep facts about the outcome for the job's page (e.g. an import's counts)."""
    merged = {**job.result_info, **info}
    if not _owned(job).update(result_info=merged, progress_at=timezone.now()):
        raise JobSuperseded(str(job.pk))
    job.result_info = merged


def job_attach_result(*, job: Job, name: str, file, info: dict | None = None) -> None:
    """Keep the file the job made; replaces the file of an earlier try."""
    if job.result:
        job.result.delete(save=False)
    job.result.save(name, File(file, name=name), save=False)
    job.result_info = info or {}
    saved = _owned(job).update(
        result=job.result.name, result_info=job.result_info, progress_at=timezone.now()
    )
    if not saved:
        job.result.delete(save=False)
        raise JobSuperseded(str(job.pk))


def job_discard_input(*, job: Job) -> None:
    """Delete the job's input file: its work has used it."""
    if job.input:
        job.input.delete(save=False)
    Job.objects.filter(pk=job.pk).update(input="")


def _stored_files(job: Job) -> set[str]:
    """Every file kept under the job's folder, with the ones the job names."""
    storage = Job._meta.get_field("result").storage
    names = {f.name for f in (job.result, job.input) if f}
    folders = [job_folder(job)]
    while folders:
        folder = folders.pop()
        try:
            subfolders, files = storage.listdir(folder)
        except (FileNotFoundError, NotImplementedError):
            continue
        names.update(f"{folder}/{name}" for name in files)
        folders += [f"{folder}/{name}" for name in subfolders]
    return names


def _delete_files(job: Job, *, keep_input: bool) -> None:
    # Also the files of a run killed between saving its result and recording it.
    storage = Job._meta.get_field("result").storage
    keep = {job.input.name} if keep_input and job.input else set()
    for name in _stored_files(job) - keep:
        storage.delete(name)


# Stale jobs: running, but their worker died


def _stale_cutoff(now):
    return now - timedelta(minutes=settings.RESOC_JOB_STALE_MINUTES)


def _stale_q(now) -> Q:
    cutoff = _stale_cutoff(now)
    silent = Q(progress_at__lt=cutoff) | Q(progress_at__isnull=True, started_at__lt=cutoff)
    return Q(status=Job.Status.RUNNING) & silent


def job_is_stale(job: Job, *, now=None) -> bool:
    """Running without any progress for RESOC_JOB_STALE_MINUTES."""
    if job.status != Job.Status.RUNNING:
        return False
    last = job.progress_at or job.started_at
    return last is not None and last < _stale_cutoff(now or timezone.now())


def job_fail_if_stale(*, job: Job, now=None) -> bool:
    """Mark a stale job failed (its requester may run it again); True when it was."""
    now = now or timezone.now()
    if not job_is_stale(job, now=now):
        return False
    with translation.override(job.language or settings.LANGUAGE_CODE):
        message = _(
            "The job stopped before the end, probably because its worker was stopped. Nothing "
            "was kept of its work; run it again."
        )
    changes = {
        "status": Job.Status.FAILED,
        "finished_at": now,
        "expires_at": now + timedelta(hours=settings.RESOC_JOB_RESULT_HOURS),
        "message": message,
    }
    # Checked again in the update: a run that reported progress meanwhile is alive.
    if not Job.objects.filter(_stale_q(now), pk=job.pk).update(**changes):
        return False
    logger.warning(
        "Job %s (%s) had no progress since %s: marked failed.", job.pk, job.kind, job.progress_at
    )
    for name, value in changes.items():
        setattr(job, name, value)
    return True


def jobs_fail_stale(*, now=None) -> int:
    """Mark every stale job failed; returns how many."""
    now = now or timezone.now()
    return sum(
        job_fail_if_stale(job=job, now=now) for job in Job.objects.filter(_stale_q(now)).iterator()
    )


# Running a job again


def job_can_run_again(job: Job, *, now=None) -> bool:
    """Failed, stale or expired jobs can be run again, when what their work reads is still kept."""
    try:
        kind = job_kind_get(job.kind)
    except ValueError:
        return False
    if kind.input_required and not job.input:
        return False
    return job.status in (Job.Status.FAILED, Job.Status.EXPIRED) or job_is_stale(job, now=now)


def job_run_again(*, job: Job, actor) -> Job:
    """Queue the job again: its work starts from the beginning. Raises JobError when it may not."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if not job_can_run_again(job):
            raise JobError(_("This job cannot be run again."))
        _delete_files(job, keep_input=True)
        # A run still going (a stale one) finds the job no longer its own and stops.
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.QUEUED,
            task_id="",
            done=0,
            total=0,
            message="",
            result="",
            result_info={},
            started_at=None,
            progress_at=None,
            finished_at=None,
            expires_at=None,
        )
        audit_record("job.run_again", actor=actor, obj=job, detail={"kind": job.kind})
        result = run_job.enqueue(str(job.pk))
        Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id))
    job.refresh_from_db()
    return job


# Expiry


def job_expire(*, job: Job) -> None:
    """Delete the job's files and what its page showed of the outcome; the job itself stays, as
    a record that it ran. A done job becomes expired; a failed one stays failed."""
    _delete_files(job, keep_input=False)
    changes = {"result": "", "input": "", "result_info": {}}
    if job.status == Job.Status.DONE:
        changes["status"] = Job.Status.EXPIRED
    else:
        changes["expires_at"] = None  # nothing left to expire
    Job.objects.filter(pk=job.pk).update(**changes)
    for name, value in changes.items():
        setattr(job, name, value)


def job_expire_if_due(*, job: Job, now=None) -> bool:
    now = now or timezone.now()
    finished = job.status in (Job.Status.DONE, Job.Status.FAILED)
    if finished and job.expires_at and job.expires_at <= now:
        job_expire(job=job)
        return True
    return False


def jobs_purge(*, now=None) -> int:
    """Expire every finished job whose result is past its time; returns how many."""
    now = now or timezone.now()
    due = Job.objects.filter(status__in=(Job.Status.DONE, Job.Status.FAILED), expires_at__lte=now)
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
