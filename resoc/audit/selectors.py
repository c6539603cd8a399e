"""Reading and checking the audit trail."""

import contextlib
import datetime
import ipaddress
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from resoc.audit import chain
from resoc.audit.models import AuditEntry, AuditHead


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    bad_entry: int | None = None
    reason: str = ""


def _head() -> tuple[int, str] | None:
    head = AuditHead.objects.filter(pk=1).first()
    return None if head is None else (head.last_id, head.last_hash)


def _entry_fault(entry: AuditEntry, expected_seq: int, prev_hash: str) -> tuple[int, str] | None:
    if entry.pk > expected_seq:
        return expected_seq, _("entry missing (removed)")
    if entry.prev_hash != prev_hash:
        return entry.pk, _("link to the previous entry broken")
    if chain.hash_of(entry) != entry.hash:
        return entry.pk, _("entry altered")
    if entry.redacted and entry.detail is not None:
        return entry.pk, _("detail altered")
    if not entry.redacted and chain.detail_digest(entry.detail) != entry.detail_digest:
        return entry.pk, _("detail altered")
    return None


def audit_verify(*, batch_size: int = 5000) -> VerifyResult:
    """Walk the chain up to its head; the first entry altered, removed or inserted is reported.

    Entries appended while this runs are past the head read at the start; they are only checked
    for having been appended by the application (the head moved past them).
    """
    head = _head()
    stray = AuditEntry.objects.filter(id__lt=1).values_list("id", flat=True).order_by("id").first()
    if stray is not None:
        return VerifyResult(False, 0, stray, _("entry inserted (not in the sequence)"))
    if head is None:
        first = AuditEntry.objects.order_by("id").values_list("id", flat=True).first()
        if first is None:
            return VerifyResult(True, 0)
        if _head() is not None:  # the very first append happened meanwhile
            return audit_verify(batch_size=batch_size)
        return VerifyResult(False, 0, first, _("the chain's head record is missing"))
    head_id, head_hash = head
    prev_hash, checked, last_id = chain.GENESIS, 0, 0
    while True:
        batch = list(
            AuditEntry.objects.filter(id__gt=last_id, id__lte=head_id).order_by("id")[:batch_size]
        )
        if not batch:
            break
        for entry in batch:
            fault = _entry_fault(entry, last_id + 1, prev_hash)
            if fault:
                return VerifyResult(False, checked, *fault)
            prev_hash, last_id, checked = entry.hash, entry.pk, checked + 1
    if last_id < head_id:
        return VerifyResult(False, checked, last_id + 1, _("entries removed from the end"))
    if prev_hash != head_hash:
        return VerifyResult(False, checked, last_id, _("last entry does not match the head"))
    # Read the entries past the head before the head again: each append moves both at once.
    beyond = list(AuditEntry.objects.filter(id__gt=head_id).values_list("id", flat=True))
    new_head_id = (_head() or head)[0] if beyond else head_id
    forged = [pk for pk in beyond if pk > new_head_id]
    if forged:
        return VerifyResult(False, checked, min(forged), _("entry inserted after the last one"))
    return VerifyResult(True, checked)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_entry_list(
    *,
    query: str = "",
    action: str = "",
    actor: str = "",
    person_ref: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEntry]:
    """Entries, newest first, filtered; dates are whole days in the site's time zone."""
    qs = AuditEntry.objects.order_by("-id")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_name=actor)
    if person_ref:
        qs = qs.filter(person_ref=person_ref.strip().upper())
    if date_from:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    query = query.strip()
    if query:
        cond = (
            Q(action__icontains=query)
            | Q(actor_name=query)
            | Q(object_id=query)
            | Q(person_ref=query.upper())
            | Q(request_id=query)
        )
        if query.isdigit() and len(query) < 19:
            cond |= Q(pk=int(query))
        with contextlib.suppress(ValueError):
            cond |= Q(ip=str(ipaddress.ip_address(query)))
        qs = qs.filter(cond)
    return qs


def audit_entry_get(*, pk: int) -> AuditEntry | None:
    return AuditEntry.objects.filter(pk=pk).first()
