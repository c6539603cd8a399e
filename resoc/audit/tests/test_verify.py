from io import StringIO

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from resoc.accounts.tests.factories import UserFactory
from resoc.audit.models import AuditEntry, AuditHead
from resoc.audit.selectors import audit_verify
from resoc.audit.services import audit_record, audit_redact_person
from resoc.audit.tests.conftest import json_param


def verify_output() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def assert_broken_at(entry_id: int, reason: str):
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify")
    assert f"entry {entry_id}:" in str(exc.value)
    assert reason in str(exc.value)


def test_verify_passes_on_an_empty_trail(db):
    assert "Audit trail intact: 0 entries" in verify_output()


def test_verify_passes_on_an_intact_trail(trail):
    assert "Audit trail intact: 5 entries" in verify_output()


def test_verify_names_an_entry_whose_action_was_altered(trail, behind_the_back):
    behind_the_back("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["test.other", 3])
    assert_broken_at(3, "entry altered")


def test_verify_names_an_entry_whose_actor_was_altered(trail, behind_the_back):
    behind_the_back("UPDATE audit_auditentry SET actor_name = %s WHERE id = %s", ["mallory", 2])
    assert_broken_at(2, "entry altered")


def test_verify_names_an_entry_whose_address_was_altered(trail, behind_the_back):
    behind_the_back("UPDATE audit_auditentry SET ip = %s WHERE id = %s", ["10.9.9.9", 4])
    assert_broken_at(4, "entry altered")


def test_verify_names_an_entry_whose_detail_was_altered(trail, behind_the_back):
    sql = f"UPDATE audit_auditentry SET detail = {json_param()} WHERE id = %s"  # noqa: S608
    behind_the_back(sql, ['{"n": 2, "name": "Someone Else"}', 2])
    assert_broken_at(2, "detail altered")


def test_verify_names_an_entry_marked_redacted_with_a_forged_detail(trail, behind_the_back):
    sql = f"UPDATE audit_auditentry SET detail = {json_param()}, redacted = %s WHERE id = %s"  # noqa: S608
    behind_the_back(sql, ['{"n": 1}', True, 1])
    assert_broken_at(1, "detail altered")


def test_verify_names_an_entry_removed_from_the_middle(trail, behind_the_back):
    behind_the_back("DELETE FROM audit_auditentry WHERE id = %s", [3])
    assert_broken_at(3, "entry missing")


def test_verify_names_entries_removed_from_the_end(trail, behind_the_back):
    behind_the_back("DELETE FROM audit_auditentry WHERE id >= %s", [4])
    assert_broken_at(4, "removed from the end")


def test_verify_names_an_entry_inserted_at_the_end(trail, behind_the_back):
    last = trail[-1]
    behind_the_back(
        "INSERT INTO audit_auditentry (id, at, actor_name, action, object_type, object_id, "
        "person_ref, request_id, detail_digest, redacted, prev_hash, hash) "
        "VALUES (%s, %s, '', 'test.forged', '', '', '', '', %s, %s, %s, %s)",
        [6, last.at, last.detail_digest, False, last.hash, "f" * 64],
    )
    assert_broken_at(6, "inserted")


def test_verify_names_an_entry_inserted_at_the_end_with_the_head_moved(trail, behind_the_back):
    last = trail[-1]
    behind_the_back(
        "INSERT INTO audit_auditentry (id, at, actor_name, action, object_type, object_id, "
        "person_ref, request_id, detail_digest, redacted, prev_hash, hash) "
        "VALUES (%s, %s, '', 'test.forged', '', '', '', '', %s, %s, %s, %s)",
        [6, last.at, last.detail_digest, False, last.hash, "f" * 64],
    )
    behind_the_back("UPDATE audit_audithead SET last_id = 6, last_hash = %s", ["f" * 64])
    assert_broken_at(6, "entry altered")


def test_verify_names_an_entry_inserted_before_the_first(trail, behind_the_back):
    behind_the_back(
        "INSERT INTO audit_auditentry (id, at, actor_name, action, object_type, object_id, "
        "person_ref, request_id, detail_digest, redacted, prev_hash, hash) "
        "VALUES (0, %s, '', 'test.forged', '', '', '', '', '', %s, %s, %s)",
        [trail[0].at, False, "0" * 64, "e" * 64],
    )
    assert_broken_at(0, "inserted")


def test_verify_names_a_missing_head(trail, behind_the_back):
    behind_the_back("DELETE FROM audit_audithead")
    assert_broken_at(1, "head")


def test_verify_result_carries_the_count_before_the_bad_entry(trail, behind_the_back):
    behind_the_back("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["test.x", 4])
    result = audit_verify(batch_size=2)
    assert (result.ok, result.checked, result.bad_entry) == (False, 3, 4)


def test_verify_passes_after_a_persons_identity_is_erased(db):
    audit_record("people.person.viewed", actor=None, person_ref="P-000001", detail={"n": "Ana"})
    audit_record("people.person.viewed", actor=None, person_ref="P-000002", detail={"n": "Bo"})
    audit_record("people.person.updated", actor=None, person_ref="P-000001", detail={"x": 1})

    assert audit_redact_person(person_ref="P-000001") == 2

    erased = AuditEntry.objects.filter(person_ref="P-000001", redacted=True)
    assert [e.detail for e in erased] == [None, None]
    assert AuditEntry.objects.get(person_ref="P-000002").detail == {"n": "Bo"}
    assert AuditEntry.objects.filter(action="audit.redacted", person_ref="P-000001").exists()
    assert "Audit trail intact: 4 entries" in verify_output()


def test_deleting_a_user_keeps_the_trail_verifiable(db):
    user = UserFactory(username="leaving")
    user_id = user.pk
    audit_record("test.event", actor=user)
    user.delete()
    entry = AuditEntry.objects.get(action="test.event")
    assert (entry.actor_id, entry.actor_name) == (user_id, "leaving")
    assert audit_verify().ok


def test_verify_reads_in_batches(db):
    for n in range(7):
        audit_record("test.event", actor=None, detail={"n": n})
    assert audit_verify(batch_size=3).checked == 7
    assert AuditHead.objects.get().count == 7


def test_verify_command_fails_without_a_traceback(trail, behind_the_back, capsys):
    behind_the_back("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["test.x", 1])
    with pytest.raises(SystemExit) as exc:
        ManagementUtility(["resoc", "audit", "verify"]).execute()
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "CommandError: Audit trail broken at entry 1: entry altered" in err
    assert "Traceback" not in err
