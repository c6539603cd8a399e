"""On PostgreSQL the database itself keeps the trail append-only.

An entry may not be deleted, and the only update allowed is the redaction of its detail
(`audit_redact_person`). The head may only move forward. SQLite gets no triggers: Django's
test flush empties tables with DELETE, which a trigger would refuse; `resoc audit verify`
catches tampering on both databases.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit entries are append-only (delete of entry %)', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (NEW.id, NEW.at, NEW.actor_id, NEW.actor_name, NEW.action, NEW.object_type,
        NEW.object_id, NEW.person_ref, NEW.ip, NEW.request_id, NEW.detail_digest,
        NEW.prev_hash, NEW.hash)
       IS DISTINCT FROM
       (OLD.id, OLD.at, OLD.actor_id, OLD.actor_name, OLD.action, OLD.object_type,
        OLD.object_id, OLD.person_ref, OLD.ip, OLD.request_id, OLD.detail_digest,
        OLD.prev_hash, OLD.hash)
       OR NOT NEW.redacted
       OR (NEW.detail IS NOT NULL AND NEW.detail <> 'null'::jsonb)
    THEN
        RAISE EXCEPTION 'audit entries are append-only (update of entry %)', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();

CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.id <> OLD.id OR NEW.last_id < OLD.last_id THEN
        RAISE EXCEPTION 'the audit head only moves forward'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_audithead
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_audithead;
DROP FUNCTION IF EXISTS audit_head_forward_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_actor_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
