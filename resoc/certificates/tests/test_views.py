"""Every certificates page: who may see it (200), who may not (403), out of scope (404)."""

import io
import zipfile

import pytest
from django.urls import reverse

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.audit.models import AuditEntry
from resoc.certificates.models import Certificate
from resoc.certificates.tests.factories import EnrollmentFactory
from resoc.jobs.models import Job
from resoc.people.tests.factories import prisoner_at


@pytest.fixture
def other_trainer(db):
    return UserFactory(username="other_trainer", role=Role.TRAINER)


def _get(client_for, user, name, *args, **params):
    return client_for(user).get(reverse(f"certificates:{name}", args=args), params)


# The list


def test_manager_lists_all_certificates(client_for, manager, certificate, outsider_certificate):
    response = _get(client_for, manager, "list")
    assert response.status_code == 200
    assert certificate.number in response.content.decode()
    assert outsider_certificate.number in response.content.decode()


def test_officer_lists_only_the_certificates_of_their_people(
    client_for, officer_b, certificate, outsider_certificate
):
    html = _get(client_for, officer_b, "list").content.decode()
    assert certificate.number in html
    assert outsider_certificate.number not in html


@pytest.mark.parametrize("persona", ["donor", "procurement", "commissioner_nis"])
def test_roles_without_personal_data_cannot_list_certificates(
    client_for, request, persona, certificate
):
    assert _get(client_for, request.getfixturevalue(persona), "list").status_code == 403


def test_list_runs_a_constant_number_of_queries(
    client_for, manager, prison_cohort, django_assert_max_num_queries
):
    from resoc.certificates.services import certificates_issue_due

    EnrollmentFactory.create_batch(30, cohort=prison_cohort)
    certificates_issue_due(actor=manager, cohort=prison_cohort)
    client = client_for(manager)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("certificates:list")).status_code == 200


def test_list_search_finds_by_number(client_for, manager, certificate, outsider_certificate):
    html = _get(client_for, manager, "list", q=certificate.number).content.decode()
    assert certificate.number in html and outsider_certificate.number not in html


# One certificate: detail, PDF, badge


@pytest.mark.parametrize("name", ["detail", "pdf", "badge"])
@pytest.mark.parametrize(
    "persona", ["manager", "auditor", "officer_b", "coordinator_rs", "trainer"]
)
def test_readers_in_scope_get_the_certificate(client_for, request, certificate, name, persona):
    response = _get(client_for, request.getfixturevalue(persona), name, certificate.number)
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["detail", "pdf", "badge"])
@pytest.mark.parametrize("persona", ["officer_a", "coordinator_ba", "other_trainer"])
def test_readers_out_of_scope_get_404(client_for, request, certificate, name, persona):
    response = _get(client_for, request.getfixturevalue(persona), name, certificate.number)
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["detail", "pdf", "badge", "revoke"])
@pytest.mark.parametrize("persona", ["donor", "procurement"])
def test_roles_without_personal_data_get_403(client_for, request, certificate, name, persona):
    response = _get(client_for, request.getfixturevalue(persona), name, certificate.number)
    assert response.status_code == 403


def test_pdf_download_is_a_pdf_in_the_chosen_language_and_audited(client_for, manager, certificate):
    response = _get(client_for, manager, "pdf", certificate.number, language="sq")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    entry = AuditEntry.objects.get(action="certificate.downloaded")
    assert entry.detail == {"number": certificate.number, "format": "pdf", "language": "sq"}
    assert entry.person_ref == certificate.enrollment.person.ref


def test_detail_view_is_audited(client_for, officer_b, certificate):
    _get(client_for, officer_b, "detail", certificate.number)
    entry = AuditEntry.objects.get(action="certificate.viewed")
    assert entry.person_ref == certificate.enrollment.person.ref


# Revocation


def test_coordinator_revokes_with_a_reason(client_for, coordinator_rs, certificate):
    url = reverse("certificates:revoke", args=[certificate.number])
    client = client_for(coordinator_rs)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Issued by mistake"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revocation_reason == "Issued by mistake"


def test_revocation_form_shows_the_error_of_a_reason_naming_custody(
    client_for, coordinator_rs, certificate
):
    url = reverse("certificates:revoke", args=[certificate.number])
    response = client_for(coordinator_rs).post(url, {"reason": "He went back to prison"})
    assert response.status_code == 200
    assert "shown publicly" in response.content.decode()
    assert not Certificate.objects.get(pk=certificate.pk).revoked


@pytest.mark.parametrize("persona", ["officer_b", "trainer", "auditor"])
def test_readers_who_may_not_revoke_get_403(client_for, request, certificate, persona):
    url = reverse("certificates:revoke", args=[certificate.number])
    response = client_for(request.getfixturevalue(persona)).post(url, {"reason": "x"})
    assert response.status_code == 403
    assert not Certificate.objects.get(pk=certificate.pk).revoked


def test_coordinator_of_another_country_cannot_revoke(client_for, coordinator_ba, certificate):
    url = reverse("certificates:revoke", args=[certificate.number])
    assert client_for(coordinator_ba).post(url, {"reason": "x"}).status_code == 404


# The cohort's certificates


@pytest.mark.parametrize(
    "persona", ["manager", "officer_b", "coordinator_rs", "trainer", "auditor"]
)
def test_cohort_page_for_readers_in_scope(client_for, request, certificate, persona):
    response = _get(
        client_for, request.getfixturevalue(persona), "cohort", certificate.enrollment.cohort.code
    )
    assert response.status_code == 200
    assert certificate.number in response.content.decode()


@pytest.mark.parametrize("persona", ["officer_a", "coordinator_ba", "other_trainer"])
def test_cohort_page_out_of_scope_is_404(client_for, request, certificate, persona):
    code = certificate.enrollment.cohort.code
    assert _get(client_for, request.getfixturevalue(persona), "cohort", code).status_code == 404


@pytest.mark.parametrize("persona", ["donor", "procurement"])
def test_cohort_page_is_403_without_personal_data(client_for, request, certificate, persona):
    code = certificate.enrollment.cohort.code
    assert _get(client_for, request.getfixturevalue(persona), "cohort", code).status_code == 403


def test_cohort_page_warns_when_the_course_title_names_custody(
    client_for, manager, prison_cohort, graduate
):
    prison_cohort.course.title = "Welding for prisoners"
    prison_cohort.course.save()
    html = _get(client_for, manager, "cohort", prison_cohort.code).content.decode()
    assert "point to custody" in html


def test_officer_issues_the_due_certificates_of_their_people(
    client_for, officer_b, graduate, prison_cohort, prison_a
):
    # Someone of another prison in the same cohort (transferred): not the officer's to issue.
    elsewhere = EnrollmentFactory(cohort=prison_cohort, person=prisoner_at(prison_a))
    url = reverse("certificates:cohort_issue", args=[prison_cohort.code])
    response = client_for(officer_b).post(url)
    assert response.status_code == 302
    assert Certificate.objects.filter(enrollment=graduate).exists()
    assert not Certificate.objects.filter(enrollment=elsewhere).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("auditor", 403), ("donor", 403), ("officer_a", 404), ("coordinator_ba", 404)],
)
def test_others_cannot_issue(client_for, request, graduate, prison_cohort, persona, status):
    url = reverse("certificates:cohort_issue", args=[prison_cohort.code])
    assert client_for(request.getfixturevalue(persona)).post(url).status_code == status
    assert not Certificate.objects.exists()


def test_issue_refuses_get(client_for, manager, prison_cohort):
    url = reverse("certificates:cohort_issue", args=[prison_cohort.code])
    assert client_for(manager).get(url).status_code == 405


def test_bulk_pdfs_make_a_zip_job_for_the_requester_only(
    client_for, trainer, other_trainer, manager, graduate, prison_cohort
):
    EnrollmentFactory.create_batch(2, cohort=prison_cohort)
    url = reverse("certificates:cohort_pdfs", args=[prison_cohort.code])
    response = client_for(trainer).post(url, {"language": "bs", "issue_due": "on"})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.DONE
    assert (job.done, job.total) == (3, 3)
    assert Certificate.objects.count() == 3
    download = client_for(trainer).get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == sorted(
        f"{c.number}.pdf" for c in Certificate.objects.all()
    )
    assert archive.read(archive.namelist()[0]).startswith(b"%PDF")
    for stranger in (other_trainer, manager):
        client = client_for(stranger)
        assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
        assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize(("persona", "status"), [("donor", 403), ("officer_a", 404)])
def test_others_cannot_ask_for_the_bulk_pdfs(client_for, request, certificate, persona, status):
    url = reverse("certificates:cohort_pdfs", args=[certificate.enrollment.cohort.code])
    response = client_for(request.getfixturevalue(persona)).post(url, {"language": "en"})
    assert response.status_code == status
    assert not Job.objects.exists()


def test_auditor_may_download_but_not_issue_in_bulk(client_for, auditor, graduate, prison_cohort):
    url = reverse("certificates:cohort_pdfs", args=[prison_cohort.code])
    response = client_for(auditor).post(url, {"language": "en", "issue_due": "on"})
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_training_cohort_hook_links_to_the_certificates(rf, manager, prison_cohort):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = manager
    html = render_to_string(
        "training/_cohort_certificates.html", {"cohort": prison_cohort}, request=request
    )
    assert reverse("certificates:cohort", args=[prison_cohort.code]) in html
