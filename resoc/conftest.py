"""Personas shared by the whole suite: who may see what is tested with these."""

import pytest

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.registry.tests.factories import InstitutionFactory, country


@pytest.fixture
def prison_a(db):
    return InstitutionFactory(code="RS-NIS", name="CI Niš", country=country("RS"))


@pytest.fixture
def prison_b(db):
    return InstitutionFactory(code="RS-SM", name="CI Sremska Mitrovica", country=country("RS"))


@pytest.fixture
def prison_ba(db):
    return InstitutionFactory(code="BA-ZE", name="KPZ Zenica", country=country("BA"))


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", role=Role.MANAGER)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMIN)


@pytest.fixture
def officer_a(prison_a):
    return UserFactory(username="officer_a", role=Role.OFFICER, institutions=[prison_a])


@pytest.fixture
def officer_b(prison_b):
    return UserFactory(username="officer_b", role=Role.OFFICER, institutions=[prison_b])


@pytest.fixture
def coordinator_rs(db):
    return UserFactory(username="coord_rs", role=Role.COORDINATOR, countries=[country("RS")])


@pytest.fixture
def coordinator_ba(db):
    return UserFactory(username="coord_ba", role=Role.COORDINATOR, countries=[country("BA")])


@pytest.fixture
def donor(db):
    return UserFactory(username="donor", role=Role.DONOR)


@pytest.fixture
def procurement(db):
    return UserFactory(username="procurement", role=Role.PROCUREMENT)


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", role=Role.AUDITOR)


@pytest.fixture
def commissioner_nis(db):
    return UserFactory(username="commissioner", role=Role.COMMISSIONER, municipalities=["Niš"])


@pytest.fixture
def client_for(client):
    """client_for(user): the test client logged in as that user (second factor satisfied)."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def english():
    """Each test starts in English: a request in another language leaves it active in the thread."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
