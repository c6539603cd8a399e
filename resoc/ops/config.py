"""Settings read from the environment for production: storages and logging (see settings.py).

Plain Python, no models: settings.py imports it before Django is set up.
"""

import os

from django.core.exceptions import ImproperlyConfigured

LOG_FORMATS = ("plain", "json")


def storages(*, static_from_apps: bool) -> dict:
    """Uploads on the file system, or in an S3-compatible bucket when RESOC_S3_BUCKET is set.

    Static files are collected (`resoc collectstatic`) with hashed, compressed copies that
    WhiteNoise serves; without collecting (debug, demo, tests) they come from the apps' folders.
    """
    static = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
        if static_from_apps
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    default = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    bucket = os.environ.get("RESOC_S3_BUCKET", "").strip()
    if bucket:
        # Credentials come from boto3's usual sources (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
        # an instance role, ~/.aws); never from this file.
        default = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": os.environ.get("RESOC_S3_ENDPOINT_URL") or None,
                "region_name": os.environ.get("RESOC_S3_REGION") or None,
                "location": os.environ.get("RESOC_S3_PREFIX", "").strip("/"),
                # Personal files: never public, never overwritten, never cached by a proxy.
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
            },
        }
    return {"default": default, "staticfiles": {"BACKEND": static}}


def logging_config(*, log_format: str, level: str) -> dict:
    """Console logging, one line per record: plain text or JSON, both with the request id."""
    log_format = (log_format or "plain").strip().lower()
    if log_format not in LOG_FORMATS:
        raise ImproperlyConfigured(
            f"RESOC_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}."
        )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "resoc.ops.logs.RequestIdFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": "resoc.ops.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "INFO"}},
    }
