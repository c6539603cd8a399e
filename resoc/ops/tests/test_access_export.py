"""The right of access: everything held on one person, as JSON and PDF, for admin and manager."""

import datetime
import io

import pytest
from pypdf import PdfReader

from resoc.audit.models import AuditEntry
from resoc.core.testing import queries_of
from resoc.people.models import Person
from resoc.people.tests.factories import ConsentFactory, CustodyFactory, prisoner_at
from resoc.work.tests.factories import AssignmentFactory, WorkMonthFactory


@pytest.fixture
def person(prison_a):
    person = prisoner_at(prison_a, person__given_name="Jelena", person__family_name="Đorđević")
    Person.objects.filter(pk=person.pk).update(phone="+381 11 555 0101")
    CustodyFactory(
        person=person,
        institution=prison_a,
        admitted_on=datetime.date(2015, 1, 1),
        released_on=datetime.date(2017, 1, 1),
    )
    ConsentFactory(person=person)
    AssignmentFactory(person=person, workshop__institution=prison_a, notes="Careful worker")
    WorkMonthFactory(person=person, workshop__institution=prison_a)
    return Person.objects.get(pk=person.pk)


def test_manager_downloads_everything_held_on_a_person_as_json(client_for, manager, person):
    response = client_for(manager).get(f"/ops/access-export/{person.ref}/export.json")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="access-{person.ref}.json"'
    data = response.json()
    assert data["format"] == "resoc-access-export"
    assert data["person"]["family_name"] == "Đorđević"
    assert data["person"]["phone"] == "+381 11 555 0101"
    records = data["records"]
    assert len(records["people.custodyepisode"]) == 2
    assert records["people.custodyepisode"][0]["institution"] == "CI Niš"
    assert len(records["people.consent"]) == 1
    assert records["work.workassignment"][0]["notes"] == "Careful worker"
    assert records["work.workmonth"][0]["pay"] == "10000.00"
    entry = AuditEntry.objects.get(action="ops.person.access_exported")
    assert entry.person_ref == person.ref
    assert entry.detail["format"] == "json"
    assert [a["action"] for a in data["audit"]] == []  # the export itself comes after


def test_admin_downloads_the_same_as_pdf(client_for, admin_user, person):
    response = client_for(admin_user).get(f"/ops/access-export/{person.ref}/export.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    assert "Đorđević" in text and "Careful worker" in text and person.ref in text
    assert AuditEntry.objects.filter(action="ops.person.access_exported").count() == 1


def test_the_page_lists_what_the_export_holds(client_for, manager, person):
    client = client_for(manager)
    found = client.get("/ops/access-export/", {"ref": person.ref.lower()})
    assert found.status_code == 302
    page = client.get(found["Location"])
    assert page.status_code == 200
    assert "export.json" in page.content.decode()
    assert AuditEntry.objects.filter(action="person.viewed", person_ref=person.ref).exists()


@pytest.mark.parametrize("persona", ["officer_a", "coordinator_rs", "auditor", "donor"])
def test_other_roles_may_not_export(client_for, person, persona, request):
    client = client_for(request.getfixturevalue(persona))
    for path in ("", "export.json", "export.pdf"):
        assert client.get(f"/ops/access-export/{person.ref}/{path}").status_code == 403
    assert client.get("/ops/access-export/").status_code == 403
    assert not AuditEntry.objects.filter(action="ops.person.access_exported").exists()


def test_an_unknown_person_is_a_404(client_for, manager, db):
    assert client_for(manager).get("/ops/access-export/NOPE-1/export.json").status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, person):
    response = client.get(f"/ops/access-export/{person.ref}/export.json")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_export_runs_as_many_queries_for_many_records_as_for_few(client_for, manager, person):
    client = client_for(manager)

    def export():
        assert client.get(f"/ops/access-export/{person.ref}/export.json").status_code == 200

    few = queries_of(export)
    for month in range(2, 12):
        WorkMonthFactory(person=person, month=datetime.date(2023, month, 1))
    assert queries_of(export) == few
