"""`resoc check --deploy` passes with production settings from the environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
# What the process inherits that would change the settings under test.
NOT_INHERITED = ("DJANGO_SETTINGS_MODULE", "RESOC_DEBUG", "RESOC_DEMO", "DATABASE_URL")


def production_env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(
        RESOC_SECRET_KEY=secrets.token_urlsafe(50),
        RESOC_BASE_URL="https://resoc.example.org",
        RESOC_ALLOWED_HOSTS="resoc.example.org",
        RESOC_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://resoc:unused@db.invalid/resoc",
        RESOC_LOG_FORMAT="json",
    )
    return env


def test_check_deploy_passes_with_production_settings(tmp_path):
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "resoc.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(tmp_path),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    assert "WARNING" not in done.stderr.upper()


def test_check_deploy_fails_without_https(tmp_path):
    env = production_env(tmp_path) | {"RESOC_BASE_URL": "http://resoc.example.org"}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "resoc.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    assert "security.W008" in done.stderr or "security.W008" in done.stdout


def test_uploads_go_to_s3_when_a_bucket_is_set(monkeypatch):
    from storages.backends.s3 import S3Storage

    from resoc.ops.config import storages

    monkeypatch.delenv("RESOC_S3_BUCKET", raising=False)
    local = storages(static_from_apps=False)
    assert local["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert local["staticfiles"]["BACKEND"].endswith("CompressedManifestStaticFilesStorage")
    monkeypatch.setenv("RESOC_S3_BUCKET", "resoc-files")
    monkeypatch.setenv("RESOC_S3_ENDPOINT_URL", "https://s3.example.org")
    monkeypatch.setenv("RESOC_S3_PREFIX", "/prod/")
    remote = storages(static_from_apps=True)
    assert remote["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert remote["staticfiles"]["BACKEND"].endswith(".StaticFilesStorage")
    storage = S3Storage(**remote["default"]["OPTIONS"])
    assert (storage.bucket_name, storage.location, storage.default_acl) == (
        "resoc-files",
        "prod",
        "private",
    )
    assert storage.file_overwrite is False
