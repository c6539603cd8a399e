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


@pytest.mark.django_db(transaction=True)
def test_killing_a_worker_half_way_leaves_no_rows_and_the_job_can_run_again(tmp_path):
    marker = tmp_path / "half-way"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "resoc.settings_test",
        "DATABASE_URL": _database_url(tmp_path),
        "RESOC_MEDIA_ROOT": str(tmp_path / "media"),
    }

    def command(*args) -> list[str]:
        return [sys.executable, *args]

    def run(action: str) -> str:
        done = subprocess.run(  # noqa: S603
            command("-m", "resoc.ops.tests.worker_process", action, str(marker)),
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    if connection.vendor == "sqlite":
        subprocess.run(  # noqa: S603
            command("-m", "resoc.manage", "migrate", "--verbosity", "0"),
            env=env,
            cwd=REPO,
            check=True,
            capture_output=True,
            timeout=300,
        )
    run("enqueue")
    worker = subprocess.Popen(  # noqa: S603
        command("-m", "resoc.ops.tests.worker_process", "work", str(marker)),
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.exists(), "the worker never reached the middle of the job"
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait(timeout=30)

    assert run("status") == "0 running"  # half of the rows were written, none were kept
    assert run("retry") == "10 done"
