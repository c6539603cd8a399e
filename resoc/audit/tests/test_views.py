import datetime

import pytest
import time_machine
from django.urls import reverse

from resoc.audit.models import AuditEntry
from resoc.audit.services import Event, audit_record, audit_record_many


@pytest.fixture
def entries(db):
    with time_machine.travel(datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.UTC)):
        audit_record("people.person.viewed", actor=None, person_ref="P-000001", detail={"a": 1})
    with time_machine.travel(datetime.datetime(2025, 3, 5, 9, 0, tzinfo=datetime.UTC)):
        audit_record("people.person.updated", actor=None, person_ref="P-000002")
        audit_record("registry.institution.created", actor=None, detail={"code": "RS-NIS"})


def listed_actions(response) -> list[str]:
    return [e.action for e in response.context["entries"]]


@pytest.mark.parametrize("persona", ["auditor", "admin_user"])
def test_auditor_and_admin_see_the_trail(request, client_for, entries, persona):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(reverse("audit:list"))
    assert response.status_code == 200
    assert "people.person.updated" in listed_actions(response)


@pytest.mark.parametrize("persona", ["manager", "officer_a", "donor", "procurement"])
def test_other_roles_may_not_see_the_trail(request, client_for, entries, persona):
    client = client_for(request.getfixturevalue(persona))
    entry = AuditEntry.objects.first()
    for url in (reverse("audit:list"), reverse("audit:detail", args=[entry.pk])):
        assert client.get(url).status_code == 403
    assert client.get(reverse("audit:verify")).status_code == 403
    assert client.post(reverse("audit:verify")).status_code == 403
    assert not AuditEntry.objects.filter(action__startswith="audit.").exists()


def test_anonymous_visitor_is_sent_to_the_login(client, entries):
    response = client.get(reverse("audit:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "people."}, ["people.person.updated", "people.person.viewed"]),
        ({"person_ref": "p-000001"}, ["people.person.viewed"]),
        ({"date_from": "2025-03-02"}, ["registry.institution.created", "people.person.updated"]),
        ({"date_to": "2025-03-01"}, ["people.person.viewed"]),
        ({"query": "institution"}, ["registry.institution.created"]),
        ({"query": "P-000002"}, ["people.person.updated"]),
        ({"date_from": "not a date", "action": "registry"}, ["registry.institution.created"]),
    ],
)
def test_trail_is_filtered(client_for, auditor, entries, params, expected):
    response = client_for(auditor).get(reverse("audit:list"), params)
    assert response.status_code == 200
    assert [a for a in listed_actions(response) if not a.startswith("user.")] == expected


def test_trail_is_filtered_by_actor(client_for, auditor, manager, entries):
    audit_record("registry.institution.updated", actor=manager)
    response = client_for(auditor).get(reverse("audit:list"), {"actor": "manager"})
    assert listed_actions(response) == ["registry.institution.updated"]


def test_trail_is_paginated_by_fifty_in_constant_queries(
    client_for, auditor, django_assert_max_num_queries
):
    client = client_for(auditor)
    client.get(reverse("audit:list"))  # the session's first request does more
    audit_record_many(actor=None, events=[Event("test.event") for _ in range(3)])
    with django_assert_max_num_queries(13) as small:
        client.get(reverse("audit:list"))
    audit_record_many(actor=auditor, events=[Event("test.event") for _ in range(120)])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("audit:list"), {"page": 2})
    assert len(response.context["entries"]) == 50
    assert response.context["page"].paginator.num_pages == 3


def test_viewing_the_trail_is_audited_once_per_page(client_for, auditor, entries):
    client = client_for(auditor)
    client.get(reverse("audit:list"), {"action": "people"})
    client.get(reverse("audit:list"))
    viewed = AuditEntry.objects.filter(action="audit.viewed").order_by("id")
    assert [v.detail for v in viewed] == [
        {"filters": {"action": "people"}, "page": 1},
        {"filters": {}, "page": 1},
    ]
    assert viewed[0].actor_name == "auditor" and viewed[0].ip == "127.0.0.1"
    # The page shown was read before its own entry was written.
    response = client.get(reverse("audit:list"))
    assert response.context["entries"][0].pk == viewed[1].pk


def test_entry_detail_shows_the_detail_and_hashes(client_for, auditor, entries):
    entry = AuditEntry.objects.get(action="people.person.viewed")
    response = client_for(auditor).get(reverse("audit:detail", args=[entry.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert entry.hash in content and entry.prev_hash in content
    assert "&quot;a&quot;: 1" in content
    viewed = AuditEntry.objects.get(action="audit.viewed")
    assert (viewed.object_id, viewed.person_ref) == (str(entry.pk), "P-000001")


def test_entry_detail_of_an_unknown_entry_is_404(client_for, auditor, entries):
    client = client_for(auditor)
    assert client.get(reverse("audit:detail", args=[999])).status_code == 404
    assert client.get("/audit/99999999999999999999999/").status_code == 404


def test_verify_page_shows_an_intact_trail(client_for, auditor, entries):
    client = client_for(auditor)
    assert client.get(reverse("audit:verify")).context["result"] is None
    response = client.post(reverse("audit:verify"))
    assert response.status_code == 200
    assert response.context["result"].ok
    assert "Audit trail intact" in response.content.decode()
    assert AuditEntry.objects.filter(action="audit.verified", detail__ok=True).exists()


def test_verify_page_names_the_bad_entry(client_for, admin_user, entries, behind_the_back):
    behind_the_back("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["x.y", 2])
    response = client_for(admin_user).post(reverse("audit:verify"))
    assert response.context["result"].bad_entry == 2
    assert "Audit trail broken at entry 2" in response.content.decode()
