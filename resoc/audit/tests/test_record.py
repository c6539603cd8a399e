"""Values survive the round trip through either database, so the recomputed hash matches."""

import datetime
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, connections

from resoc.audit import chain, context
from resoc.audit.models import AuditEntry
from resoc.audit.selectors import audit_verify
from resoc.audit.services import Event, audit_record, audit_record_many


@pytest.mark.parametrize(
    "ip",
    [
        "127.0.0.1",
        "2001:DB8:0:0:0:0:0:1",
        "2001:db8::1:0:0:1",
        "::ffff:10.0.0.1",
        "::1",
        "fe80::1%eth0",
        "not-an-address",
        None,
    ],
)
def test_address_survives_the_round_trip(db, ip):
    token = context.set_current(context.RequestContext(ip=ip, request_id="abc"))
    try:
        audit_record("test.event", actor=None)
    finally:
        context.reset(token)
    stored = AuditEntry.objects.get()
    assert chain.hash_of(stored) == stored.hash
    assert audit_verify().ok


def test_detail_values_survive_the_round_trip(db):
    detail = {
        "money": Decimal("1234.50"),
        "day": datetime.date(2025, 3, 1),
        "when": datetime.datetime(2025, 3, 1, 10, 30, tzinfo=datetime.UTC),
        "big": 1e20,
        "small": 1.5e-07,
        "third": 1 / 3,
        "negative_zero": -0.0,
        "not_a_number": float("nan"),
        "huge": 2**70,
        "text": 'Ćirić "quoted" \\ back',
        "nested": {"b": [1, None, True], "a": {"z": 1}},
        1: "integer key",
    }
    audit_record("test.event", actor=None, detail=detail)
    stored = AuditEntry.objects.get()
    assert chain.detail_digest(stored.detail) == stored.detail_digest
    assert stored.detail["money"] == "1234.50"
    assert audit_verify().ok


def test_time_without_microseconds_survives_the_round_trip(db):
    with time_machine.travel(datetime.datetime(2025, 6, 1, 12, 0, tzinfo=datetime.UTC)):
        audit_record("test.event", actor=None)
    assert AuditEntry.objects.get().at.microsecond == 0
    assert audit_verify().ok


def test_entries_record_actor_address_and_request(db, donor):
    token = context.set_current(context.RequestContext(ip="10.1.2.3", request_id="req1"))
    try:
        audit_record_many(
            actor=donor, events=[Event("test.a", obj=donor), Event("test.b", person_ref="P-9")]
        )
    finally:
        context.reset(token)
    a, b = AuditEntry.objects.order_by("id")
    assert (a.actor_id, a.actor_name, a.ip, a.request_id) == (donor.pk, "donor", "10.1.2.3", "req1")
    assert (a.object_type, a.object_id) == ("accounts.user", str(donor.pk))
    assert b.prev_hash == a.hash and b.person_ref == "P-9"


def test_overlong_values_are_refused_on_both_databases(db):
    with pytest.raises(ValueError, match="action"):
        audit_record("x" * 61, actor=None)
    assert not AuditEntry.objects.exists()


def test_request_id_from_the_proxy_is_kept_only_if_plain(rf):
    assert context.request_id(rf.get("/", HTTP_X_REQUEST_ID="abc-123")) == "abc-123"
    assert len(context.request_id(rf.get("/", HTTP_X_REQUEST_ID="a b\tc"))) == 32


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_the_chain_in_order():
    errors = []

    def writer(n):
        try:
            for i in range(15):
                audit_record("test.concurrent", actor=None, detail={"writer": n, "i": i})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = audit_verify()
    assert (result.ok, result.checked) == (True, 90)
