"""The hash chain: each entry's HMAC covers its fields, its detail's digest and the previous hash.

An entry altered, removed or inserted behind the application's back breaks the chain at that
point; removing entries from the end is caught by the head row, which the application updates
with every append.
"""

import datetime
import hashlib
import hmac
import ipaddress
import json
from functools import cache

from django.conf import settings

GENESIS = "0" * 64


@cache
def _key() -> bytes:
    if settings.RESOC_AUDIT_KEY:
        return settings.RESOC_AUDIT_KEY.encode()
    return hashlib.sha256(b"resoc-audit:" + settings.SECRET_KEY.encode()).digest()


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()


def detail_digest(detail) -> str:
    return hashlib.sha256(canonical(detail)).hexdigest()


def _address(ip) -> str | None:
    """The address itself, not its spelling: PostgreSQL's inet may write it differently."""
    if not ip:
        return None
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return str(ip)  # not written by the application; the hash will not match
    return str(addr) if addr.version == 4 else addr.packed.hex()


def entry_hash(*, seq: int, at, actor_id, actor_name, action, object_type, object_id,
               person_ref, ip, request_id, digest, prev_hash) -> str:  # fmt: skip
    fields = [
        seq,
        at.astimezone(datetime.UTC).isoformat(),
        actor_id,
        actor_name,
        action,
        object_type,
        object_id,
        person_ref,
        _address(ip),
        request_id,
        digest,
        prev_hash,
    ]
    return hmac.new(_key(), canonical(fields), hashlib.sha256).hexdigest()


def hash_of(entry) -> str:
    return entry_hash(
        seq=entry.pk,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        person_ref=entry.person_ref,
        ip=entry.ip,
        request_id=entry.request_id,
        digest=entry.detail_digest,
        prev_hash=entry.prev_hash,
    )
