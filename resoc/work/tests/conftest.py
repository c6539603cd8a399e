import datetime
from decimal import Decimal

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from resoc.accounts.services import user_token_create
from resoc.imports.tests.conftest import make_csv, make_xlsx  # noqa: F401 - shared fixtures
from resoc.people.tests.factories import CustodyFactory
from resoc.registry.models import Organisation
from resoc.registry.tests.factories import (
    ExchangeRateFactory,
    OrganisationFactory,
    WorkshopFactory,
)
from resoc.work.tests.factories import AssignmentFactory

ADMITTED = datetime.date(2022, 3, 1)


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def workshop_a(prison_a):
    return WorkshopFactory(code="RS-NIS-TAI", institution=prison_a, name="Tailoring")


@pytest.fixture
def workshop_a2(prison_a):
    return WorkshopFactory(code="RS-NIS-BAK", institution=prison_a, name="Bakery")


@pytest.fixture
def workshop_b(prison_b):
    return WorkshopFactory(code="RS-SM-CON", institution=prison_b, name="Concrete")


@pytest.fixture
def rsd_rate(db):
    return ExchangeRateFactory(
        currency="RSD", valid_from=datetime.date(2020, 1, 1), units_per_eur=Decimal("117.5")
    )


@pytest.fixture
def buyer(db):
    return OrganisationFactory(code="BUY-1", name="Buyer One", kind=Organisation.Kind.BUYER)


def in_custody(institution, ref, **kwargs):
    """A person in custody at the institution since ADMITTED."""
    kwargs.setdefault("admitted_on", ADMITTED)
    return CustodyFactory(institution=institution, person__ref=ref, **kwargs).person


@pytest.fixture
def worker_a(prison_a):
    return in_custody(prison_a, "A-1")


@pytest.fixture
def worker_b(prison_b):
    return in_custody(prison_b, "B-1")


@pytest.fixture
def assignment_a(worker_a, workshop_a):
    return AssignmentFactory(person=worker_a, workshop=workshop_a, start=datetime.date(2024, 1, 1))


@pytest.fixture
def assignment_b(worker_b, workshop_b):
    return AssignmentFactory(person=worker_b, workshop=workshop_b, start=datetime.date(2024, 1, 1))


@pytest.fixture
def api_for():
    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {user_token_create(user=user)}")
        return client

    return make
