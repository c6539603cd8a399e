"""Settings for the test suite: the production settings, with a fixed key and fast hashing."""

import os

os.environ.setdefault("RESOC_SECRET_KEY", "test-only-key-not-secret-" + "x" * 30)
os.environ.setdefault("RESOC_BASE_URL", "http://testserver")
os.environ.setdefault("RESOC_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from resoc.settings import *  # noqa: E402,F403
from resoc.settings import DATABASES, LOGGING, STORAGES  # noqa: E402  (changed below)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["CONN_MAX_AGE"] = 0  # the live server thread must not keep test DBs open
# Background tasks run at once, inside the request; tests of the worker switch to the database.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Nothing is collected for the tests: static files come straight from the apps' folders.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = True
# One access line per request would drown the tests' output (test_health switches it on).
LOGGING["loggers"]["resoc.access"] = {"level": "WARNING"}
