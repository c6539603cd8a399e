"""/healthz and /readyz for load balancers; one log line per request, with its request id."""

import json
import logging

import pytest
from django.db import OperationalError
from django.test import override_settings

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.ops import selectors
from resoc.ops.config import logging_config
from resoc.ops.logs import JsonFormatter, RequestIdFilter


def test_readyz_answers_ready_without_login_and_without_personal_data(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "cache": "ok", "task_queue": "ok"},
    }
    assert "no-store" in response["Cache-Control"]


def test_healthz_answers_without_the_database(client):
    assert client.get("/healthz").status_code == 200


def test_readyz_answers_503_when_the_task_queue_table_is_missing(client, db, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setattr(DBTaskResult._meta, "db_table", "no_such_table")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["task_queue"] == "unavailable"
    assert response.json()["status"] == "unavailable"


def test_readyz_answers_503_when_the_database_does_not(client, db, monkeypatch):
    class Down:
        def cursor(self):
            raise OperationalError("server closed the connection")

    monkeypatch.setattr(selectors, "connection", Down())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"
    assert "server closed" not in response.content.decode()


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_are_answered_for_a_user_without_a_second_factor(client, db, path):
    user = UserFactory(role=Role.OFFICER, with_totp=False)
    client.force_login(user)
    assert client.get(path).status_code == 200


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[r"^healthz$", r"^readyz$"])
def test_probes_over_plain_http_are_not_redirected(client, db):
    assert client.get("/readyz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_each_request_logs_one_access_line_with_its_request_id(client, db, caplog, manager):
    client.force_login(manager)
    with caplog.at_level(logging.INFO, logger="resoc.access"):
        response = client.get("/people/?q=Petrovi%C4%87", HTTP_X_REQUEST_ID="req-42")
    assert response.status_code == 200
    [record] = [r for r in caplog.records if r.name == "resoc.access"]
    assert (record.method, record.path, record.status) == ("GET", "/people/", 200)
    assert record.request_id == "req-42" == response["X-Request-ID"]
    assert record.user_id == manager.pk
    assert record.duration_ms >= 0
    line = JsonFormatter().format(record)
    assert "Petrovi" not in line and "q=" not in line
    assert json.loads(line)["request_id"] == "req-42"


def test_probe_lines_are_only_logged_at_debug_level(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="resoc.access"):
        client.get("/healthz")
    assert not [r for r in caplog.records if r.name == "resoc.access"]


def test_json_formatter_writes_one_line_with_the_current_request_id():
    from resoc.audit import context

    record = logging.makeLogRecord({"name": "resoc.x", "levelname": "WARNING", "msg": "a\nb %s"})
    record.args = ("c",)
    token = context.set_current(context.RequestContext(request_id="abc123"))
    try:
        RequestIdFilter().filter(record)
        line = JsonFormatter().format(record)
    finally:
        context.reset(token)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "a\nb c"
    assert entry["request_id"] == "abc123"
    assert entry["level"] == "WARNING"


def test_log_format_must_be_plain_or_json():
    from django.core.exceptions import ImproperlyConfigured

    assert logging_config(log_format="JSON", level="INFO")["handlers"]["console"]["formatter"] == (
        "json"
    )
    with pytest.raises(ImproperlyConfigured, match="RESOC_LOG_FORMAT"):
        logging_config(log_format="xml", level="INFO")


def test_readiness_never_raises(db, monkeypatch):
    monkeypatch.setattr(selectors.cache, "get", lambda key: 1 / 0)
    assert selectors.readiness()["cache"] is False


@pytest.mark.parametrize(
    ("peer", "forwarded", "recorded"),
    [
        ("127.0.0.1", "203.0.113.9", "203.0.113.9"),  # the proxy: its header is believed
        ("127.0.0.1", "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the address it added
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("192.0.2.50", "203.0.113.9", "192.0.2.50"),  # anyone else: the header is ignored
    ],
)
def test_the_audit_trail_records_the_client_behind_a_trusted_proxy(
    client_for, manager, settings, peer, forwarded, recorded
):
    from resoc.audit.models import AuditEntry

    settings.RESOC_TRUSTED_PROXIES = ["127.0.0.0/8"]
    client = client_for(manager)
    client.get("/people/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert AuditEntry.objects.filter(action="person.listed").get().ip == recorded


def test_without_trusted_proxies_the_header_is_ignored(client_for, manager, settings):
    from resoc.audit.models import AuditEntry

    settings.RESOC_TRUSTED_PROXIES = []
    client_for(manager).get("/people/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert AuditEntry.objects.filter(action="person.listed").get().ip == "127.0.0.1"
