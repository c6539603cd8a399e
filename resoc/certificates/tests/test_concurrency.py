"""Concurrent issues on PostgreSQL: no number given twice, no certificate issued twice."""

import threading

import pytest
from django.db import connection, connections

from resoc.certificates.models import Certificate
from resoc.certificates.services import certificates_issue_due
from resoc.certificates.tests.factories import CohortFactory, EnrollmentFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL"),
]


def _in_threads(cohorts):
    barrier = threading.Barrier(len(cohorts))
    errors = []

    def issue(cohort):
        try:
            barrier.wait()
            certificates_issue_due(actor=None, cohort=cohort)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=[c]) for c in cohorts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_concurrent_issues_take_distinct_numbers():
    cohorts = [CohortFactory() for _ in range(4)]
    for cohort in cohorts:
        EnrollmentFactory.create_batch(10, cohort=cohort)
    _in_threads(cohorts)
    sequences = sorted(Certificate.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 41))


def test_concurrent_issues_for_one_cohort_issue_each_certificate_once():
    cohort = CohortFactory()
    EnrollmentFactory.create_batch(10, cohort=cohort)
    _in_threads([cohort, cohort, cohort])
    assert Certificate.objects.count() == 10
