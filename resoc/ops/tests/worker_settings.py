"""The test settings with the real task queue: tasks wait in the database for a worker."""

from resoc.settings_test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
