"""Settings for the test suite: the production settings, with a fixed key and fast hashing."""

import os

os.environ.setdefault("RESOC_SECRET_KEY", "test-only-key-not-secret-" + "x" * 30)
os.environ.setdefault("RESOC_BASE_URL", "http://testserver")
os.environ.setdefault("RESOC_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from resoc.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["CONN_MAX_AGE"] = 0  # the live server thread must not keep test DBs open
