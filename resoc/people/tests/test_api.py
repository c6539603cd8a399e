import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from resoc.accounts.services import user_token_create
from resoc.accounts.tests.factories import UserFactory
from resoc.audit.models import AuditEntry
from resoc.people.models import Consent, CustodyEpisode, Person
from resoc.people.services import custody_transfer
from resoc.people.tests.factories import (
    ConsentFactory,
    PersonFactory,
    StaffPositionFactory,
    prisoner_at,
)

LIST = "/api/v1/persons/"


def detail(ref):
    return f"/api/v1/persons/{ref}/"


@pytest.fixture
def api_for():
    """api_for(user): an API client sending the user's token, as scripts do."""

    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {user_token_create(user=user)}")
        return client

    return make


@pytest.fixture
def person_a(prison_a):
    return prisoner_at(prison_a, person__ref="A-1", person__given_name="Marko")


@pytest.fixture
def person_b(prison_b):
    return prisoner_at(prison_b, person__ref="B-1", person__given_name="Jelena")


def refs(response):
    return [row["ref"] for row in response.json()["results"]]


def new_person(**extra):
    return {
        "ref": "new-1",
        "given_name": "Ana",
        "family_name": "Marić",
        "sex": "F",
        "kind": "prisoner",
        **extra,
    }


# Authentication


@pytest.mark.django_db
def test_persons_without_credentials_answer_401(person_a):
    assert APIClient().get(LIST).status_code == 401
    assert APIClient().get(detail(person_a.ref)).status_code == 401
    assert APIClient().post(LIST, new_person(), format="json").status_code == 401


def test_wrong_token_answers_401(person_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(LIST).status_code == 401


def test_token_of_inactive_user_answers_401(api_for, manager):
    client = api_for(manager)
    manager.is_active = False
    manager.save()
    assert client.get(LIST).status_code == 401


def test_token_authenticates_without_a_session(api_for, manager, person_a):
    response = api_for(manager).get(LIST)
    assert response.status_code == 200
    assert refs(response) == ["A-1"]


def test_session_user_without_second_factor_gets_403_json(client, prison_a):
    user = UserFactory(role="officer", institutions=[prison_a], with_totp=False)
    client.force_login(user)
    response = client.get(LIST)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"


def test_session_user_with_second_factor_reads_the_api(client_for, officer_a, person_a):
    assert client_for(officer_a).get(LIST).status_code == 200


# Scope: list, search and detail


def test_officer_lists_only_persons_in_custody_at_their_prison(
    api_for, officer_a, person_a, person_b
):
    response = api_for(officer_a).get(LIST)
    assert response.status_code == 200
    assert refs(response) == ["A-1"]
    assert response.json()["count"] == 1
    assert response.json()["results"][0]["current_institution"] == "RS-NIS"


def test_officer_search_finds_nobody_outside_their_prison(api_for, officer_a, person_a, person_b):
    assert refs(api_for(officer_a).get(LIST, {"search": "jelena"})) == []
    assert refs(api_for(officer_a).get(LIST, {"search": "B-"})) == []
    assert refs(api_for(officer_a).get(LIST, {"search": "mar"})) == ["A-1"]


def test_manager_lists_everybody_and_filters_by_kind(api_for, manager, person_a, person_b):
    PersonFactory(ref="S-1", kind=Person.Kind.STAFF)
    assert set(refs(api_for(manager).get(LIST))) == {"A-1", "B-1", "S-1"}
    assert refs(api_for(manager).get(LIST, {"kind": "staff"})) == ["S-1"]


def test_unknown_kind_is_a_400(api_for, manager):
    response = api_for(manager).get(LIST, {"kind": "alien"})
    assert response.status_code == 400
    assert "kind" in response.json()


def test_officer_reads_detail_of_their_prisoner(api_for, officer_a, person_a):
    response = api_for(officer_a).get(detail("a-1"))
    assert response.status_code == 200
    assert response.json()["ref"] == "A-1"


def test_officer_cannot_see_person_of_another_prison(api_for, officer_b, person_a):
    assert api_for(officer_b).get(detail(person_a.ref)).status_code == 404


def test_officer_loses_sight_of_a_transferred_prisoner(
    api_for, manager, officer_a, officer_b, person_a, prison_b
):
    custody_transfer(
        actor=manager, person=person_a, to_institution=prison_b, on=datetime.date(2024, 1, 1)
    )
    assert api_for(officer_a).get(detail(person_a.ref)).status_code == 404
    assert api_for(officer_b).get(detail(person_a.ref)).status_code == 200


def test_coordinator_sees_only_their_country(api_for, coordinator_rs, coordinator_ba, person_a):
    assert api_for(coordinator_rs).get(detail(person_a.ref)).status_code == 200
    assert api_for(coordinator_ba).get(detail(person_a.ref)).status_code == 404
    assert refs(api_for(coordinator_ba).get(LIST)) == []


@pytest.mark.parametrize("persona", ["donor", "procurement"])
def test_roles_without_person_access_get_403_everywhere(request, api_for, persona, person_a):
    client = api_for(request.getfixturevalue(persona))
    assert client.get(LIST).status_code == 403
    assert client.get(detail(person_a.ref)).status_code == 403
    assert client.get(detail("NO-SUCH")).status_code == 403
    assert client.post(LIST, new_person(), format="json").status_code == 403
    assert client.patch(detail(person_a.ref), {"phone": "1"}, format="json").status_code == 403


def test_detail_shows_custody_positions_and_consents_without_evidence(
    api_for, manager, person_a, prison_b
):
    ConsentFactory(person=person_a, evidence="consents/2024/scan.pdf")
    StaffPositionFactory(person=person_a, institution=prison_b, role="cook")
    body = api_for(manager).get(detail(person_a.ref)).json()
    assert body["current_institution"] == "RS-NIS"
    assert body["custody_episodes"] == [
        {
            "institution": "RS-NIS",
            "admitted_on": "2022-03-01",
            "expected_release_on": "2027-03-01",
            "released_on": None,
            "transferred_out_on": None,
            "transferred_to": None,
            "is_open": True,
        }
    ]
    assert body["staff_positions"][0]["institution"] == "RS-SM"
    assert body["consents"] == [
        {"purpose": "data_processing", "given_on": "2023-01-10", "withdrawn_on": None}
    ]
    assert "scan.pdf" not in str(body)


def test_detail_runs_a_constant_number_of_queries(api_for, manager, person_a, prison_b):
    client = api_for(manager)
    client.get(detail(person_a.ref))  # warm-up: the token's first use and the audit head
    with CaptureQueriesContext(connection) as few:
        client.get(detail(person_a.ref))
    for day in range(1, 6):
        ConsentFactory(person=person_a, given_on=datetime.date(2023, 2, day))
        CustodyEpisode.objects.create(
            person=person_a,
            institution=prison_b,
            admitted_on=datetime.date(2010, 1, day),
            released_on=datetime.date(2011, 1, day),
        )
    with CaptureQueriesContext(connection) as many:
        client.get(detail(person_a.ref))
    assert len(many) == len(few)


def test_list_runs_the_same_queries_for_10_and_100_rows(api_for, manager, prison_a):
    for _ in range(120):
        prisoner_at(prison_a)
    client = api_for(manager)
    client.get(LIST, {"page_size": 1})  # warm-up: the token's first use and the audit head
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(LIST, {"page_size": 10}).json()["results"]) == 10
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(LIST, {"page_size": 100}).json()["results"]) == 100
    assert len(small) == len(large)


def test_page_size_is_capped_at_500(api_for, manager, person_a):
    response = api_for(manager).get(LIST, {"page_size": 100000})
    assert response.status_code == 200


# Audit


def test_every_retrieve_is_audited(api_for, officer_a, person_a):
    api_for(officer_a).get(detail(person_a.ref))
    entry = AuditEntry.objects.get(action="person.viewed")
    assert entry.actor == officer_a
    assert entry.person_ref == "A-1"


def test_every_list_is_audited_with_query_and_refs_on_the_page(
    api_for, officer_a, person_a, person_b
):
    api_for(officer_a).get(LIST, {"search": "mar"})
    entry = AuditEntry.objects.get(action="person.listed")
    assert entry.actor == officer_a
    assert entry.detail == {"query": "mar", "refs": ["A-1"]}


def test_a_refused_read_leaves_no_view_entry(api_for, officer_b, person_a):
    api_for(officer_b).get(detail(person_a.ref))
    assert not AuditEntry.objects.filter(action="person.viewed").exists()


# Writes


def test_manager_creates_a_bare_person_with_upper_case_ref(api_for, manager):
    response = api_for(manager).post(LIST, new_person(), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["ref"] == "NEW-1"
    person = Person.objects.get(ref="NEW-1")
    assert AuditEntry.objects.filter(action="people.person.created", person_ref="NEW-1").exists()
    assert person.custody_episodes.count() == 0


def test_officer_creates_a_person_admitted_to_their_prison(api_for, officer_a):
    admission = {"institution": "RS-NIS", "admitted_on": "2024-05-01"}
    response = api_for(officer_a).post(LIST, new_person(admission=admission), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["current_institution"] == "RS-NIS"
    assert api_for(officer_a).get(detail("NEW-1")).status_code == 200


def test_officer_cannot_create_a_person_outside_their_scope(api_for, officer_a, prison_b):
    client = api_for(officer_a)
    bare = client.post(LIST, new_person(), format="json")
    assert bare.status_code == 400
    assert "admission" in bare.json()
    elsewhere = {"institution": prison_b.code, "admitted_on": "2024-05-01"}
    other = client.post(LIST, new_person(admission=elsewhere), format="json")
    assert other.status_code == 400
    assert "admission" in other.json()
    assert not Person.objects.filter(ref="NEW-1").exists()


def test_staff_cannot_be_admitted_into_custody(api_for, officer_a):
    admission = {"institution": "RS-NIS", "admitted_on": "2024-05-01"}
    response = api_for(officer_a).post(
        LIST, new_person(kind="staff", admission=admission), format="json"
    )
    assert response.status_code == 400


def test_create_with_bad_fields_is_a_400_naming_them(api_for, manager, person_a):
    response = api_for(manager).post(
        LIST, new_person(ref="a-1", sex="Q", birth_year=1800, email="nope"), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"ref", "sex", "birth_year", "email"}


def test_officer_updates_their_prisoner(api_for, officer_a, person_a):
    response = api_for(officer_a).patch(detail("a-1"), {"phone": "+381 11 123"}, format="json")
    assert response.status_code == 200, response.json()
    person_a.refresh_from_db()
    assert person_a.phone == "+381 11 123"
    assert AuditEntry.objects.filter(action="people.person.updated", person_ref="A-1").exists()


def test_full_update_needs_every_required_field(api_for, officer_a, person_a):
    client = api_for(officer_a)
    assert client.put(detail("A-1"), {"phone": "1"}, format="json").status_code == 400
    payload = {"given_name": "Marko", "family_name": "Novi", "sex": "M", "kind": "prisoner"}
    assert client.put(detail("A-1"), payload, format="json").status_code == 200
    person_a.refresh_from_db()
    assert person_a.family_name == "Novi"


def test_reference_cannot_be_changed(api_for, manager, person_a):
    api_for(manager).patch(detail("A-1"), {"ref": "OTHER"}, format="json")
    person_a.refresh_from_db()
    assert person_a.ref == "A-1"


def test_officer_cannot_update_person_of_another_prison(api_for, officer_b, person_a):
    response = api_for(officer_b).patch(detail("A-1"), {"phone": "1"}, format="json")
    assert response.status_code == 404
    person_a.refresh_from_db()
    assert person_a.phone == ""


def test_auditor_reads_but_cannot_write(api_for, auditor, person_a):
    client = api_for(auditor)
    assert client.get(LIST).status_code == 200
    assert client.get(detail("A-1")).status_code == 200
    assert client.post(LIST, new_person(), format="json").status_code == 403
    assert client.patch(detail("A-1"), {"phone": "1"}, format="json").status_code == 403
    assert client.put(detail("A-1"), {"phone": "1"}, format="json").status_code == 403
    assert not Person.objects.filter(ref="NEW-1").exists()


def test_commissioner_cannot_create_persons(api_for, commissioner_nis):
    response = api_for(commissioner_nis).post(LIST, new_person(), format="json")
    assert response.status_code == 403


def test_consent_withdrawal_is_shown(api_for, manager, person_a):
    ConsentFactory(
        person=person_a,
        purpose=Consent.Purpose.PHOTO,
        withdrawn_on=datetime.date(2024, 1, 1),
    )
    body = api_for(manager).get(detail("A-1")).json()
    assert {"purpose": "photo", "given_on": "2023-01-10", "withdrawn_on": "2024-01-01"} in body[
        "consents"
    ]
