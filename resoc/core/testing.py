"""Helpers for tests."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_of(call) -> int:
    """How many queries `call()` runs."""
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)
