"""A worker killed in the middle of a job leaves no half-written data; the job runs again."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

REPO = Path(__file__).resolve().parents[3]


def _database_url(tmp_path) -> str:
    """SQLite: a file of its own (the test database is in memory); PostgreSQL: the test one."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Processes:
    """`python -m resoc.ops.tests.worker_process ACTION MARKER`, against one database."""

    def __init__(self, tmp_path):
        self.marker = tmp_path / "half-way"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "resoc.settings_test",
            "DATABASE_URL": _database_url(tmp_path),
            "RESOC_MEDIA_ROOT": str(tmp_path / "media"),
        }
        if connection.vendor == "sqlite":
            subprocess.run(  # noqa: S603
                self.command("-m", "resoc.manage", "migrate", "--verbosity", "0"),
                env=self.env,
                cwd=REPO,
                check=True,
                capture_output=True,
                timeout=300,
            )

    @staticmethod
    def command(*args) -> list[str]:
        return [sys.executable, *args]

    def run(self, action: str) -> str:
        done = subprocess.run(  # noqa: S603
            self.command("-m", "resoc.ops.tests.worker_process", action, str(self.marker)),
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def kill_half_way(self, action: str) -> None:
        """Start a worker and kill it (SIGKILL: no clean-up) once the job tells it is half-way."""
        worker = subprocess.Popen(  # noqa: S603
            self.command("-m", "resoc.ops.tests.worker_process", action, str(self.marker)),
            env=self.env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while (
                not self.marker.exists() and worker.poll() is None and time.monotonic() < deadline
            ):
                time.sleep(0.1)
            assert self.marker.exists(), "the worker never reached the middle of the job"
            os.kill(worker.pid, signal.SIGKILL)
        finally:
            worker.kill()
            worker.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_killing_a_worker_half_way_leaves_no_rows_and_the_job_can_run_again(tmp_path):
    processes = Processes(tmp_path)
    processes.run("enqueue")
    processes.kill_half_way("work")

    assert processes.run("status") == "0 running"  # half of the rows were written, none were kept
    assert processes.run("retry") == "10 done"  # an operator queues the task again


@pytest.mark.django_db(transaction=True)
def test_killing_a_worker_during_an_import_keeps_nothing_and_the_import_runs_again(tmp_path):
    """Its requester runs it again from the job's page, once it is marked failed as stale."""
    processes = Processes(tmp_path)
    processes.run("import-enqueue")
    processes.kill_half_way("import-work")  # all 30 rows written, not committed

    # Nothing was kept, and the uploaded file is, for the job to run again.
    assert processes.run("import-status") == "0 running input"
    assert processes.run("import-again") == "30 done no-input"
