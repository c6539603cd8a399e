import pytest
from rest_framework.test import APIClient

from resoc.accounts.models import Role
from resoc.accounts.services import user_token_create
from resoc.accounts.tests.factories import UserFactory
from resoc.audit.models import AuditEntry
from resoc.certificates.models import Certificate

LIST = "/api/v1/certificates/"


def detail(number, action=""):
    return f"/api/v1/certificates/{number}/{action}"


@pytest.fixture
def api_for():
    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {user_token_create(user=user)}")
        return client

    return make


def numbers(response):
    return [row["number"] for row in response.json()["results"]]


def test_manager_lists_every_certificate(api_for, manager, certificate, outsider_certificate):
    response = api_for(manager).get(LIST)
    assert response.status_code == 200
    assert sorted(numbers(response)) == sorted([certificate.number, outsider_certificate.number])
    entry = AuditEntry.objects.get(action="certificate.listed")
    assert sorted(entry.detail["refs"]) == sorted(
        [certificate.enrollment.person.ref, outsider_certificate.enrollment.person.ref]
    )


@pytest.mark.parametrize("persona", ["officer_b", "trainer"])
def test_scoped_roles_list_only_their_certificates(
    api_for, request, certificate, outsider_certificate, persona
):
    response = api_for(request.getfixturevalue(persona)).get(LIST)
    assert numbers(response) == [certificate.number]


def test_coordinator_lists_the_certificates_of_their_country_only(
    api_for, coordinator_rs, coordinator_ba, certificate, outsider_certificate
):
    both = sorted([certificate.number, outsider_certificate.number])
    assert sorted(numbers(api_for(coordinator_rs).get(LIST))) == both
    assert numbers(api_for(coordinator_ba).get(LIST)) == []


def test_detail_in_scope_shows_the_certificate_without_the_place(api_for, officer_b, certificate):
    response = api_for(officer_b).get(detail(certificate.number))
    assert response.status_code == 200
    body = response.json()
    assert body["holder_name"] == "Dragan Kovačević"
    assert body["verify_url"] == f"http://testserver/verify/{certificate.code}"
    assert "institution" not in body


@pytest.mark.parametrize("persona", ["officer_a", "coordinator_ba"])
def test_detail_out_of_scope_is_404(api_for, request, certificate, persona):
    response = api_for(request.getfixturevalue(persona)).get(detail(certificate.number))
    assert response.status_code == 404


def test_other_trainer_gets_404(api_for, certificate):
    stranger = UserFactory(role=Role.TRAINER)
    assert api_for(stranger).get(detail(certificate.number)).status_code == 404


@pytest.mark.parametrize("persona", ["donor", "procurement"])
def test_donors_and_procurement_get_403(api_for, request, certificate, persona):
    client = api_for(request.getfixturevalue(persona))
    assert client.get(LIST).status_code == 403
    assert client.get(detail(certificate.number)).status_code == 403
    assert client.post(detail(certificate.number, "revoke/"), {"reason": "x"}).status_code == 403


def test_coordinator_revokes_through_the_api(api_for, coordinator_rs, certificate):
    response = api_for(coordinator_rs).post(
        detail(certificate.number, "revoke/"), {"reason": "Issued by mistake"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["revoked"] is True
    assert Certificate.objects.get(pk=certificate.pk).revocation_reason == "Issued by mistake"


def test_revocation_errors_are_400(api_for, coordinator_rs, certificate):
    client = api_for(coordinator_rs)
    url = detail(certificate.number, "revoke/")
    assert client.post(url, {"reason": ""}, format="json").status_code == 400
    naming = client.post(url, {"reason": "Back in prison"}, format="json")
    assert naming.status_code == 400
    assert "reason" in naming.json()
    client.post(url, {"reason": "Issued by mistake"}, format="json")
    assert client.post(url, {"reason": "Again"}, format="json").status_code == 400


@pytest.mark.parametrize("persona", ["officer_b", "trainer", "auditor"])
def test_readers_who_may_not_revoke_get_403(api_for, request, certificate, persona):
    response = api_for(request.getfixturevalue(persona)).post(
        detail(certificate.number, "revoke/"), {"reason": "x"}, format="json"
    )
    assert response.status_code == 403


def test_revoke_out_of_scope_is_404(api_for, coordinator_ba, certificate):
    response = api_for(coordinator_ba).post(
        detail(certificate.number, "revoke/"), {"reason": "x"}, format="json"
    )
    assert response.status_code == 404


def test_list_runs_a_constant_number_of_queries(
    api_for, manager, prison_cohort, django_assert_max_num_queries
):
    from resoc.certificates.services import certificates_issue_due
    from resoc.certificates.tests.factories import EnrollmentFactory

    EnrollmentFactory.create_batch(25, cohort=prison_cohort)
    certificates_issue_due(actor=manager, cohort=prison_cohort)
    client = api_for(manager)
    with django_assert_max_num_queries(15):
        assert client.get(LIST).status_code == 200
