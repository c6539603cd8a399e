"""Run in a separate process by test_worker_kill: queue a job, or be the worker that runs it.

    python -m resoc.ops.tests.worker_process enqueue|work|status|retry|again MARKER_FILE
    python -m resoc.ops.tests.worker_process import-enqueue|import-work|import-status|import-again
        MARKER_FILE

The job writes its rows in one transaction and, half-way through, tells the test (by writing
the marker file) and waits to be killed. Run again without the marker's pause, it finishes.
`again` is what the requester does on the job's page: the stale job is marked failed and run
again. The `import-` actions do the same with a real import job (`imports.run`), killed after
writing all its rows but before its transaction commits.
"""

import os
import sys
import time
from pathlib import Path

import django

# The real queue: the task waits in the database until a worker takes it.
os.environ["DJANGO_SETTINGS_MODULE"] = "resoc.ops.tests.worker_settings"

ROWS = 10
KIND = "ops_tests.half_way"
IMPORT_ROWS = 30


def _register(marker: Path):
    from django.db import transaction

    from resoc.jobs.registry import job_kind
    from resoc.jobs.services import job_progress
    from resoc.registry.models import Organisation

    @job_kind(KIND)
    def half_way(job):
        job_progress(job=job, done=0, total=ROWS)
        with transaction.atomic():
            for n in range(ROWS):
                Organisation.objects.create(code=f"KILL-{n}", name=f"Row {n}", kind="partner")
                if n == ROWS // 2 and job.params.get("pause") and not marker.exists():
                    marker.write_text(str(job.pk))
                    time.sleep(120)  # killed here


def _pause_imports_before_commit(marker: Path):
    from resoc.imports.plan import Plan

    write = Plan.write

    def write_then_wait(self):
        events = write(self)  # every row written, inside the import's transaction
        if not marker.exists():
            marker.write_text("import")
            time.sleep(120)  # killed here
        return events

    Plan.write = write_then_wait


def _again(job) -> None:
    """The stale job marked failed (as `resoc jobs fail-stale` or its page does), then run
    again by its requester, and a worker to run it."""
    from django.conf import settings
    from django.core.management import call_command

    from resoc.jobs.services import job_run_again, jobs_fail_stale

    settings.RESOC_JOB_STALE_MINUTES = 0  # no waiting half an hour in a test
    assert jobs_fail_stale() == 1
    job.refresh_from_db()
    assert job.status == job.Status.FAILED
    job_run_again(job=job, actor=job.requested_by)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def import_main(action: str, marker: Path) -> None:
    from django.core.management import call_command

    from resoc.accounts.models import Role, User
    from resoc.imports.services import import_enqueue
    from resoc.jobs.models import Job
    from resoc.registry.models import Organisation

    if action == "import-enqueue":
        user, _ = User.objects.get_or_create(username="ops-import-test", role=Role.MANAGER)
        path = marker.with_suffix(".csv")
        lines = ["code,name,kind"] + [f"IMP-{n},Imported {n},partner" for n in range(IMPORT_ROWS)]
        path.write_text("\n".join(lines) + "\n")
        job = import_enqueue(
            actor=user, kind="organisations", path=path, filename="orgs.csv", rows=IMPORT_ROWS
        )
        print(job.pk)
        return
    if action == "import-work":
        _pause_imports_before_commit(marker)
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        return
    job = Job.objects.get(kind="imports.run")
    if action == "import-again":
        _again(job)
        job.refresh_from_db()
    rows = Organisation.objects.filter(code__startswith="IMP-").count()
    print(rows, job.status, "input" if job.input else "no-input")


def main(action: str, marker: str) -> None:
    django.setup()
    if action.startswith("import-"):
        import_main(action, Path(marker))
        return
    _register(Path(marker))
    from django.core.management import call_command

    from resoc.accounts.models import Role, User
    from resoc.jobs.models import Job
    from resoc.jobs.services import job_enqueue
    from resoc.jobs.tasks import run_job
    from resoc.registry.models import Organisation

    if action == "enqueue":
        user, _ = User.objects.get_or_create(username="ops-worker-test", role=Role.MANAGER)
        job = job_enqueue(kind=KIND, requested_by=user, params={"pause": True})
        print(job.pk)
    elif action == "work":
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    elif action == "retry":  # what an operator does for a job whose worker died
        run_job.enqueue(Path(marker).read_text())
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    elif action == "again":
        _again(Job.objects.get(kind=KIND))
    if action in ("status", "retry", "again"):
        job = Job.objects.get(kind=KIND)
        rows = Organisation.objects.filter(code__startswith="KILL-").count()
        print(rows, job.status)


if __name__ == "__main__":
    main(*sys.argv[1:3])
