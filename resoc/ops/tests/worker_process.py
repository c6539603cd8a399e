"""Run in a separate process by test_worker_kill: queue a job, or be the worker that runs it.

    python -m resoc.ops.tests.worker_process enqueue|work|status|retry MARKER_FILE

The job writes its rows in one transaction and, half-way through, tells the test (by writing
the marker file) and waits to be killed. Run again without the marker's pause, it finishes.
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


def main(action: str, marker: str) -> None:
    django.setup()
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
    if action in ("status", "retry"):
        job = Job.objects.get(kind=KIND)
        rows = Organisation.objects.filter(code__startswith="KILL-").count()
        print(rows, job.status)


if __name__ == "__main__":
    main(*sys.argv[1:3])
