import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache(db):
    """Lock-out counters and used TOTP codes live in the (database) cache: start each test clean."""
    cache.clear()
    yield
    cache.clear()
