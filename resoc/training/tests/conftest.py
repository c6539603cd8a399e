import datetime

import pytest
from rest_framework.test import APIClient

from resoc.accounts.models import Role
from resoc.accounts.services import user_token_create
from resoc.accounts.tests.factories import UserFactory
from resoc.imports.tests.conftest import make_csv, make_xlsx  # noqa: F401 - shared fixtures
from resoc.people.tests.factories import CustodyFactory
from resoc.training.tests.factories import CohortFactory, CourseFactory

D = datetime.date
ADMITTED = D(2022, 3, 1)


def in_custody(institution, ref, **kwargs):
    """A person in custody at the institution since ADMITTED (expected release 2027-03-01)."""
    kwargs.setdefault("admitted_on", ADMITTED)
    return CustodyFactory(institution=institution, person__ref=ref, **kwargs).person


@pytest.fixture
def trainer(prison_a):
    return UserFactory(username="trainer", role=Role.TRAINER, institutions=[prison_a])


@pytest.fixture
def other_trainer(prison_a):
    return UserFactory(username="trainer2", role=Role.TRAINER, institutions=[prison_a])


@pytest.fixture
def welding(db):
    return CourseFactory(code="WELD", title="Welding", hours=240, has_assessment=False)


@pytest.fixture
def cohort_a(prison_a, welding, trainer):
    return CohortFactory(
        code="NIS-WELD-1", course=welding, institution=prison_a, capacity=2, trainers=[trainer]
    )


@pytest.fixture
def cohort_b(prison_b, welding):
    return CohortFactory(code="SM-WELD-1", course=welding, institution=prison_b, capacity=10)


@pytest.fixture
def person_a(prison_a):
    return in_custody(prison_a, "A-1")


@pytest.fixture
def person_b(prison_b):
    return in_custody(prison_b, "B-1")


@pytest.fixture
def api_for():
    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {user_token_create(user=user)}")
        return client

    return make
