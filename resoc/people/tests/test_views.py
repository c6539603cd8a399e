import datetime

import pytest
from django.urls import reverse

from resoc.audit.models import AuditEntry
from resoc.core.testing import queries_of
from resoc.people.models import CustodyEpisode, Person
from resoc.people.tests.factories import PersonFactory, prisoner_at


@pytest.fixture
def marko(prison_a):
    return prisoner_at(prison_a, person__given_name="Marko", person__family_name="Petrović")


@pytest.fixture
def ana(prison_b):
    return prisoner_at(prison_b, person__given_name="Ana", person__family_name="Jovanović")


def test_officer_lists_only_people_of_their_prison(client_for, officer_a, marko, ana):
    response = client_for(officer_a).get(reverse("people:list"))
    assert response.status_code == 200
    assert marko.ref in response.text
    assert ana.ref not in response.text


def test_officer_search_finds_nobody_from_another_prison(client_for, officer_a, marko, ana):
    response = client_for(officer_a).get(reverse("people:list"), {"q": "Jovanović"})
    assert ana.ref not in response.text
    response = client_for(officer_a).get(reverse("people:list"), {"q": "petrovic"})
    assert marko.ref in response.text


def test_officer_gets_404_for_person_of_another_prison(client_for, officer_a, ana):
    response = client_for(officer_a).get(reverse("people:detail", args=[ana.ref]))
    assert response.status_code == 404


def test_officer_opens_record_of_own_prisoner_and_the_view_is_audited(client_for, officer_a, marko):
    response = client_for(officer_a).get(reverse("people:detail", args=[marko.ref]))
    assert response.status_code == 200
    assert "Petrović" in response.text
    entry = AuditEntry.objects.filter(action="person.viewed").get()
    assert entry.person_ref == marko.ref
    assert entry.actor == officer_a


@pytest.mark.parametrize("persona", ["donor", "procurement"])
def test_roles_without_personal_data_get_403_on_every_person_page(
    request, client_for, persona, marko
):
    client = client_for(request.getfixturevalue(persona))
    for url in [
        reverse("people:list"),
        reverse("people:export"),
        reverse("people:detail", args=[marko.ref]),
        reverse("people:edit", args=[marko.ref]),
        reverse("people:create"),
    ]:
        assert client.get(url).status_code in (403, 404), url
    assert client.get(reverse("people:list")).status_code == 403


def test_export_contains_only_people_in_scope(client_for, officer_b, marko, ana):
    from io import BytesIO

    from openpyxl import load_workbook

    response = client_for(officer_b).get(reverse("people:export"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    refs = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert refs == [ana.ref]
    assert AuditEntry.objects.filter(action="person.exported").exists()


def test_coordinator_sees_their_country_only(
    client_for, coordinator_ba, coordinator_rs, marko, prison_ba
):
    bosnian = prisoner_at(prison_ba)
    text = client_for(coordinator_ba).get(reverse("people:list")).text
    assert bosnian.ref in text and marko.ref not in text


def test_commissioner_sees_released_people_of_their_municipality(
    client_for, commissioner_nis, marko
):
    released = PersonFactory(kind=Person.Kind.FORMER_PRISONER, home_municipality="Niš")
    elsewhere = PersonFactory(kind=Person.Kind.FORMER_PRISONER, home_municipality="Kraljevo")
    text = client_for(commissioner_nis).get(reverse("people:list")).text
    assert released.ref in text
    assert elsewhere.ref not in text
    assert marko.ref not in text  # still in custody: the prison's case


def test_person_list_runs_the_same_queries_for_3_or_40_people(client_for, manager, prison_a):
    client = client_for(manager)
    url = reverse("people:list")
    for _ in range(3):
        prisoner_at(prison_a)
    few = queries_of(lambda: client.get(url))
    for _ in range(37):
        prisoner_at(prison_a)
    assert queries_of(lambda: client.get(url)) == few


def test_officer_creates_prisoner_admitted_to_own_prison(client_for, officer_a, prison_a):
    response = client_for(officer_a).post(
        reverse("people:create"),
        {
            "ref": "rs-2024-001",
            "given_name": "Stefan",
            "family_name": "Ilić",
            "sex": "M",
            "kind": "prisoner",
            "institution": prison_a.pk,
            "admitted_on": "2024-02-01",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(ref="RS-2024-001")
    assert CustodyEpisode.objects.get(person=person).institution == prison_a
    assert AuditEntry.objects.filter(action="people.person.created", person_ref=person.ref).exists()


def test_officer_cannot_admit_to_an_institution_outside_scope(client_for, officer_a, prison_b):
    response = client_for(officer_a).post(
        reverse("people:create"),
        {
            "ref": "X1",
            "given_name": "A",
            "family_name": "B",
            "sex": "M",
            "kind": "prisoner",
            "institution": prison_b.pk,
            "admitted_on": "2024-02-01",
        },
    )
    assert response.status_code == 200
    assert not Person.objects.filter(ref="X1").exists()


def test_transfer_keeps_history_and_moves_the_person_out_of_the_old_scope(
    client_for, officer_a, manager, marko, prison_b
):
    response = client_for(manager).post(
        reverse("people:transfer", args=[marko.ref]),
        {"to_institution": prison_b.pk, "on": "2024-05-01"},
    )
    assert response.status_code == 302
    episodes = list(marko.custody_episodes.order_by("admitted_on"))
    assert [e.institution for e in episodes] == [episodes[0].institution, prison_b]
    assert episodes[0].transferred_out_on == datetime.date(2024, 5, 1)
    response = client_for(officer_a).get(reverse("people:detail", args=[marko.ref]))
    assert response.status_code == 404


def test_release_before_admission_is_refused_with_a_message(client_for, manager, marko):
    response = client_for(manager).post(
        reverse("people:release", args=[marko.ref]), {"on": "2000-01-01"}
    )
    assert response.status_code == 200
    assert "cannot precede" in response.text
    marko.refresh_from_db()
    assert marko.kind == Person.Kind.PRISONER


def test_release_makes_a_former_prisoner(client_for, manager, marko):
    client_for(manager).post(reverse("people:release", args=[marko.ref]), {"on": "2024-06-01"})
    marko.refresh_from_db()
    assert marko.kind == Person.Kind.FORMER_PRISONER


def test_auditor_reads_but_cannot_edit(client_for, auditor, marko):
    client = client_for(auditor)
    assert client.get(reverse("people:detail", args=[marko.ref])).status_code == 200
    assert client.get(reverse("people:edit", args=[marko.ref])).status_code == 403


def test_officer_edits_own_prisoner(client_for, officer_a, marko):
    response = client_for(officer_a).post(
        reverse("people:edit", args=[marko.ref]),
        {
            "ref": marko.ref,
            "given_name": "Marko",
            "family_name": "Marković",
            "sex": "M",
            "kind": "prisoner",
        },
    )
    assert response.status_code == 302
    marko.refresh_from_db()
    assert marko.family_name == "Marković"
    entry = AuditEntry.objects.get(action="people.person.updated")
    assert entry.detail["changes"]["family_name"] == ["Petrović", "Marković"]


def test_consent_evidence_is_downloadable_only_in_scope(client_for, officer_a, officer_b, marko):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("consent.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client_for(officer_a).post(
        reverse("people:consent_add", args=[marko.ref]),
        {"purpose": "referral", "given_on": "2024-01-05", "evidence": pdf},
    )
    assert response.status_code == 302
    consent = marko.consents.get()
    url = reverse("people:consent_evidence", args=[marko.ref, consent.pk])
    assert client_for(officer_a).get(url).status_code == 200
    assert client_for(officer_b).get(url).status_code == 404


def test_consent_withdrawal_is_recorded_and_audited(client_for, officer_a, marko):
    from resoc.people.tests.factories import ConsentFactory

    consent = ConsentFactory(person=marko, purpose="follow_up")
    url = reverse("people:consent_edit", args=[marko.ref, consent.pk])
    response = client_for(officer_a).post(
        url, {"purpose": "follow_up", "given_on": "2023-01-10", "withdrawn_on": "2024-02-02"}
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == datetime.date(2024, 2, 2)
    assert AuditEntry.objects.filter(action="people.consent.updated", person_ref=marko.ref).exists()


def test_consent_edit_is_404_outside_scope(client_for, officer_b, marko):
    from resoc.people.tests.factories import ConsentFactory

    consent = ConsentFactory(person=marko)
    url = reverse("people:consent_edit", args=[marko.ref, consent.pk])
    assert client_for(officer_b).get(url).status_code == 404
