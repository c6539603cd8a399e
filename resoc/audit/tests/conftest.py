import pytest
from django.db import connection

from resoc.audit.services import audit_record


@pytest.fixture
def trail(db):
    """Five entries, as the application writes them."""
    return [
        audit_record(f"test.event{n}", actor=None, detail={"n": n, "name": "Ana Ćirić"})
        for n in range(1, 6)
    ]


@pytest.fixture
def behind_the_back(db):
    """Raw SQL as the database's owner: on PostgreSQL the append-only triggers are dropped first
    (inside the test's transaction, so they come back afterwards)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_entry_append_only ON audit_auditentry")
            cursor.execute("DROP TRIGGER audit_head_forward_only ON audit_audithead")

    def run(sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


def json_param() -> str:
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
