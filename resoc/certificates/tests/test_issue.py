import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from resoc.audit.models import AuditEntry
from resoc.certificates.apps import check_prefix
from resoc.certificates.models import Certificate
from resoc.certificates.services import certificate_revoke, certificates_issue_due
from resoc.certificates.tests.factories import CohortFactory, CourseFactory, EnrollmentFactory
from resoc.training.models import Enrollment

ON = datetime.date(2025, 7, 1)


def test_numbers_are_prefix_year_and_a_sequence_per_year(manager, settings):
    settings.RESOC_CERTIFICATE_PREFIX = "RSC"
    cohort = CohortFactory()
    EnrollmentFactory.create_batch(3, cohort=cohort)
    issued = certificates_issue_due(actor=manager, cohort=cohort, on=ON)
    assert sorted(c.number for c in issued) == [
        "RSC-2025-000001",
        "RSC-2025-000002",
        "RSC-2025-000003",
    ]
    other = EnrollmentFactory().cohort
    [next_one] = certificates_issue_due(actor=manager, cohort=other, on=ON)
    assert next_one.number == "RSC-2025-000004"
    another = EnrollmentFactory().cohort
    [new_year] = certificates_issue_due(actor=manager, cohort=another, on=datetime.date(2026, 1, 2))
    assert new_year.number == "RSC-2026-000001"


def test_issuing_twice_issues_nothing_new(manager):
    cohort = EnrollmentFactory().cohort
    assert len(certificates_issue_due(actor=manager, cohort=cohort)) == 1
    assert certificates_issue_due(actor=manager, cohort=cohort) == []
    assert Certificate.objects.count() == 1


def test_only_completed_enrollments_of_certified_courses_get_certificates(manager):
    cohort = CohortFactory()
    done = EnrollmentFactory(cohort=cohort)
    EnrollmentFactory(cohort=cohort, status=Enrollment.Status.DROPPED_OUT, completed_on=None)
    EnrollmentFactory(cohort=cohort, status=Enrollment.Status.ENROLLED, completed_on=None)
    issued = certificates_issue_due(actor=manager, cohort=cohort)
    assert [c.enrollment for c in issued] == [done]
    uncertified = CohortFactory(course=CourseFactory(certified=False))
    EnrollmentFactory(cohort=uncertified)
    assert certificates_issue_due(actor=manager, cohort=uncertified) == []


def test_codes_are_unique_and_long(manager):
    cohort = CohortFactory()
    EnrollmentFactory.create_batch(5, cohort=cohort)
    codes = {c.code for c in certificates_issue_due(actor=manager, cohort=cohort)}
    assert len(codes) == 5
    assert all(len(code) >= 22 for code in codes)


def test_a_certificate_keeps_what_it_said_when_the_records_change(manager):
    enrollment = EnrollmentFactory()
    [certificate] = certificates_issue_due(actor=manager, cohort=enrollment.cohort)
    person, course = enrollment.person, enrollment.cohort.course
    original_name = person.full_name
    person.family_name = "Changed"
    person.save()
    course.title, course.hours = "Another title", 5
    course.save()
    course.certifying_organisation.name = "Renamed"
    course.certifying_organisation.save()
    certificate.refresh_from_db()
    assert certificate.holder_name == original_name
    assert certificate.course_title == "Metalwork basics (MIG/MAG welding)"
    assert certificate.hours == 120
    assert certificate.organisation_name == "Tehnička škola Nikola Tesla"
    assert (certificate.course_start, certificate.course_end) == (
        datetime.date(2025, 2, 3),
        datetime.date(2025, 6, 27),
    )


def test_a_course_without_certifying_organisation_is_certified_by_the_programme(manager, settings):
    settings.RESOC_PROGRAMME_OPERATOR = "Programme for reintegration"
    cohort = CohortFactory(course=CourseFactory(certifying_organisation=None))
    EnrollmentFactory(cohort=cohort)
    [certificate] = certificates_issue_due(actor=manager, cohort=cohort)
    assert certificate.organisation_name == "Programme for reintegration"


def test_issue_and_revocation_are_audited_with_the_person(manager):
    enrollment = EnrollmentFactory()
    [certificate] = certificates_issue_due(actor=manager, cohort=enrollment.cohort)
    certificate_revoke(actor=manager, certificate=certificate, reason="Issued by mistake")
    issued = AuditEntry.objects.get(action="certificate.issued")
    assert issued.person_ref == enrollment.person.ref
    assert issued.detail["number"] == certificate.number
    revoked = AuditEntry.objects.get(action="certificate.revoked")
    assert revoked.person_ref == enrollment.person.ref
    assert revoked.detail["reason"] == "Issued by mistake"


def test_revocation_needs_a_reason_and_happens_once(manager):
    [certificate] = certificates_issue_due(actor=manager, cohort=EnrollmentFactory().cohort)
    with pytest.raises(ValidationError):
        certificate_revoke(actor=manager, certificate=certificate, reason="  ")
    revoked = certificate_revoke(actor=manager, certificate=certificate, reason="Wrong person")
    assert revoked.revoked and revoked.revoked_by == manager
    with pytest.raises(ValidationError):
        certificate_revoke(actor=manager, certificate=certificate, reason="Again")


def test_revocation_reason_may_not_name_the_prison(manager, prison_b):
    cohort = CohortFactory(institution=prison_b)
    EnrollmentFactory(cohort=cohort)
    [certificate] = certificates_issue_due(actor=manager, cohort=cohort)
    for reason in ["Left the prison early", "Transferred from CI Sremska Mitrovica"]:
        with pytest.raises(ValidationError) as error:
            certificate_revoke(actor=manager, certificate=certificate, reason=reason)
        assert "reason" in error.value.message_dict
    assert not Certificate.objects.get(pk=certificate.pk).revoked


def test_the_prefix_must_be_capital_letters():
    assert check_prefix("RESOC") == "RESOC"
    for bad in ["resoc", "RE-SOC", "RÉSOC", "", "R1", None]:
        with pytest.raises(ImproperlyConfigured):
            check_prefix(bad)
