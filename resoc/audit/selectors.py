"""Reading and checking the audit trail."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from resoc.audit import chain
from resoc.audit.models import AuditEntry, AuditHead


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    bad_entry: int | None = None
    reason: str = ""


def audit_verify(*, batch_size: int = 5000) -> VerifyResult:
    head = AuditHead.objects.filter(pk=1).first()
    prev_hash, expected_seq, checked = chain.GENESIS, 1, 0
    qs = AuditEntry.objects.order_by("id")
    last_id = 0
    while True:
        batch = list(qs.filter(id__gt=last_id)[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.pk != expected_seq:
                return VerifyResult(False, checked, expected_seq, "entry missing")
            if entry.prev_hash != prev_hash:
                return VerifyResult(False, checked, entry.pk, "link to previous entry broken")
            if chain.hash_of(entry) != entry.hash:
                return VerifyResult(False, checked, entry.pk, "entry altered")
            if not entry.redacted and chain.detail_digest(entry.detail) != entry.detail_digest:
                return VerifyResult(False, checked, entry.pk, "detail altered")
            prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
        last_id = batch[-1].pk
    head_id, head_hash = (head.last_id, head.last_hash) if head else (0, chain.GENESIS)
    if head_id != last_id or head_hash != prev_hash:
        return VerifyResult(False, checked, last_id + 1, "entries removed from the end")
    return VerifyResult(True, checked)


def audit_entry_list(
    *, query: str = "", action: str = "", actor: str = "", person_ref: str = ""
) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.all()
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_name=actor)
    if person_ref:
        qs = qs.filter(person_ref=person_ref.upper())
    if query:
        qs = qs.filter(
            Q(action__icontains=query) | Q(object_id=query) | Q(person_ref=query.upper())
        )
    return qs
