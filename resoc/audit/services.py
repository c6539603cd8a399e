"""Writing to the audit trail. Call `audit_record` inside the transaction of the change itself."""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone

from resoc.audit import chain, context
from resoc.audit.models import AuditEntry, AuditHead


@dataclass
class Event:
    action: str
    obj: models.Model | None = None
    person_ref: str = ""
    detail: dict | None = field(default=None)


def _object_fields(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def _json_number(text: str):
    """A JSON number as PostgreSQL's jsonb gives it back: 1e+16 as 10000000000000000, -0.0 as 0."""
    number = Decimal(text)
    if "e" in text.lower() and number == number.to_integral_value():
        return int(number)
    return float(text) + 0.0


def _normalised(detail):
    """What the JSON column will give back on either database, so the digest survives."""
    if detail is None:
        return None
    # Keys become text; NaN and Infinity (not JSON, both databases refuse them) become text too.
    text = json.dumps(detail, default=str)
    return json.loads(text, parse_float=_json_number, parse_constant=str)


def _checked(entry: AuditEntry) -> AuditEntry:
    # SQLite would store an over-long value that PostgreSQL refuses: refuse it on both.
    for name in ("actor_name", "action", "object_type", "object_id", "person_ref", "request_id"):
        limit = AuditEntry._meta.get_field(name).max_length
        if len(getattr(entry, name)) > limit:
            raise ValueError(f"Audit entry {name} longer than {limit} characters.")
    return entry


@transaction.atomic
def audit_record_many(*, actor, events: list[Event]) -> list[AuditEntry]:
    if not events:
        return []
    ctx = context.current()
    # The lock on the head row puts concurrent appends in order; get_or_create re-reads (and
    # locks) the row if a concurrent first append created it.
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    now = timezone.now()
    actor_id = getattr(actor, "pk", None)
    actor_name = getattr(actor, "username", "") or ("" if actor is None else str(actor)[:150])
    entries = []
    prev_hash, seq = head.last_hash, head.last_id
    for event in events:
        seq += 1
        object_type, object_id = _object_fields(event.obj)
        detail = _normalised(event.detail)
        entry = AuditEntry(
            id=seq,
            at=now,
            actor_id=actor_id,
            actor_name=actor_name,
            action=event.action,
            object_type=object_type,
            object_id=object_id,
            person_ref=event.person_ref or "",
            ip=context.valid_ip(ctx.ip),
            request_id=ctx.request_id,
            detail=detail,
            detail_digest=chain.detail_digest(detail),
            prev_hash=prev_hash,
        )
        entry.hash = chain.hash_of(_checked(entry))
        prev_hash = entry.hash
        entries.append(entry)
    AuditEntry.objects.bulk_create(entries, batch_size=500)
    AuditHead.objects.filter(pk=1).update(
        last_id=seq, last_hash=prev_hash, count=models.F("count") + len(entries)
    )
    return entries


def audit_record(action: str, *, actor, obj=None, person_ref: str = "", detail=None) -> AuditEntry:
    event = Event(action=action, obj=obj, person_ref=person_ref, detail=detail)
    return audit_record_many(actor=actor, events=[event])[0]


def model_changes(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def snapshot(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}


@transaction.atomic
def audit_redact_person(*, person_ref: str, actor=None) -> int:
    """Blank the details of one person's entries (erasure); the chain keeps their digests.

    The only change the database allows to an entry (see migration 0002).
    """
    count = AuditEntry.objects.filter(person_ref=person_ref, redacted=False).update(
        detail=None, redacted=True
    )
    audit_record("audit.redacted", actor=actor, person_ref=person_ref, detail={"entries": count})
    return count
