"""Trainers see the people of the cohorts they teach: participants and peer trainers only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.people.selectors import person_get_for_user, person_list_for_user, person_search
from resoc.people.tests.factories import prisoner_at
from resoc.training.models import Enrollment
from resoc.training.tests.factories import CohortFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db

S = Enrollment.Status


@pytest.fixture
def trainer(prison_a):
    return UserFactory(username="trainer", role=Role.TRAINER, institutions=[prison_a])


@pytest.fixture
def cohorts(prison_a, trainer):
    mine = CohortFactory(code="MINE", institution=prison_a, trainers=[trainer])
    other = CohortFactory(code="OTHER", institution=prison_a)
    return mine, other


def refs(qs):
    return sorted(qs.values_list("ref", flat=True))


def test_a_trainer_sees_the_participants_of_their_cohorts_and_nobody_else(
    prison_a, trainer, cohorts
):
    mine, other = cohorts
    for ref, cohort, status in (
        ("IN-1", mine, S.ENROLLED),
        ("DONE-1", mine, S.COMPLETED),
        ("LEFT-1", mine, S.TRANSFERRED),
        ("APPLIED-1", mine, S.APPLIED),  # an applicant is not the trainer's business
        ("REJECTED-1", mine, S.REJECTED),
        ("ELSEWHERE-1", other, S.ENROLLED),
    ):
        EnrollmentFactory(
            cohort=cohort, person=prisoner_at(prison_a, person__ref=ref), status=status
        )
    prisoner_at(prison_a, person__ref="NONE-1")
    peer = prisoner_at(prison_a, person__ref="PEER-1")
    mine.peer_trainers.add(peer)

    assert refs(person_list_for_user(user=trainer)) == ["DONE-1", "IN-1", "LEFT-1", "PEER-1"]
    assert person_get_for_user(user=trainer, ref="in-1").ref == "IN-1"
    assert refs(person_search(user=trainer, query="ELSEWHERE")) == []


def test_a_trainer_without_cohorts_sees_nobody(prison_a, trainer):
    prisoner_at(prison_a, person__ref="A-1")
    assert not person_list_for_user(user=trainer).exists()


def test_a_trainer_gets_404_for_a_person_outside_their_cohorts(
    client_for, prison_a, trainer, cohorts
):
    mine, other = cohorts
    EnrollmentFactory(cohort=mine, person=prisoner_at(prison_a, person__ref="IN-1"))
    EnrollmentFactory(cohort=other, person=prisoner_at(prison_a, person__ref="OUT-1"))
    client = client_for(trainer)

    assert client.get(reverse("people:detail", args=["IN-1"])).status_code == 200
    assert client.get(reverse("people:detail", args=["OUT-1"])).status_code == 404


def test_the_trainer_scope_is_one_query_whatever_the_number_of_cohorts(prison_a, trainer):
    for n in range(5):
        cohort = CohortFactory(code=f"C{n}", institution=prison_a, trainers=[trainer])
        EnrollmentFactory(cohort=cohort, person=prisoner_at(prison_a, person__ref=f"P-{n}"))
    with CaptureQueriesContext(connection) as captured:
        assert len(list(person_list_for_user(user=trainer))) == 5
    assert len(captured) == 1
