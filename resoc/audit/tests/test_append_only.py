"""The database refuses changes to the trail on PostgreSQL; the model refuses them everywhere."""

import pytest
from django.db import IntegrityError, connection, transaction

from resoc.audit.models import AuditEntry
from resoc.audit.selectors import audit_verify
from resoc.audit.services import audit_record, audit_redact_person

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only"
)


def raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_model_refuses_to_update_or_delete_an_entry(trail):
    entry = AuditEntry.objects.get(pk=2)
    entry.action = "test.other"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


@postgresql_only
def test_database_refuses_to_delete_an_entry(trail):
    with pytest.raises(IntegrityError, match="append-only"):
        raw("DELETE FROM audit_auditentry WHERE id = %s", [5])
    assert AuditEntry.objects.count() == 5


@postgresql_only
def test_database_refuses_to_update_an_entry(trail):
    with pytest.raises(IntegrityError, match="append-only"):
        raw("UPDATE audit_auditentry SET action = 'test.other' WHERE id = %s", [2])
    with pytest.raises(IntegrityError, match="append-only"):
        raw("UPDATE audit_auditentry SET detail = '{\"n\": 9}'::jsonb WHERE id = %s", [2])
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=2).update(actor_name="mallory")
    assert audit_verify().ok


@postgresql_only
def test_database_refuses_to_move_the_head_back_or_delete_it(trail):
    with pytest.raises(IntegrityError, match="forward"):
        raw("UPDATE audit_audithead SET last_id = 3")
    with pytest.raises(IntegrityError, match="forward"):
        raw("DELETE FROM audit_audithead")


@postgresql_only
def test_database_allows_the_redaction_of_a_detail(db):
    audit_record("people.person.viewed", actor=None, person_ref="P-1", detail={"name": "Ana"})
    assert audit_redact_person(person_ref="P-1") == 1
    assert AuditEntry.objects.get(pk=1).detail is None
    assert audit_verify().ok
