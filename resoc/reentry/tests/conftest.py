import datetime

import pytest
from rest_framework.test import APIClient

from resoc.accounts.models import Role
from resoc.accounts.services import user_token_create
from resoc.accounts.tests.factories import UserFactory
from resoc.imports.tests.conftest import make_csv, make_xlsx  # noqa: F401 - shared fixtures
from resoc.people.models import Person
from resoc.people.tests.factories import CustodyFactory, PersonFactory
from resoc.reentry.tests.factories import PlanFactory

D = datetime.date
EXPECTED = D(2026, 5, 1)
RELEASED = D(2025, 1, 15)


def in_custody(institution, ref, *, home="Niš", expected=EXPECTED, **kwargs):
    """A prisoner held at the institution since 2022-03-01."""
    person = PersonFactory(ref=ref, home_municipality=home)
    return CustodyFactory(
        person=person, institution=institution, expected_release_on=expected, **kwargs
    )


def released(institution, ref, *, on=RELEASED, home="Niš", admitted=None, **kwargs):
    """A former prisoner released from the institution on the day; returns the episode."""
    person = PersonFactory(ref=ref, home_municipality=home, kind=Person.Kind.FORMER_PRISONER)
    return CustodyFactory(
        person=person,
        institution=institution,
        admitted_on=admitted or min(D(2022, 3, 1), on),
        expected_release_on=on,
        released_on=on,
        **kwargs,
    )


def plan_for(episode, **kwargs):
    return PlanFactory(episode=episode, person=episode.person, **kwargs)


@pytest.fixture
def commissioner_bg(db):
    return UserFactory(
        username="commissioner_bg", role=Role.COMMISSIONER, municipalities=["Beograd"]
    )


@pytest.fixture
def api_for():
    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {user_token_create(user=user)}")
        return client

    return make
