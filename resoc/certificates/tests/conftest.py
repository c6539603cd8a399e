import datetime

import pytest

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.certificates.services import certificates_issue_due
from resoc.certificates.tests.factories import CohortFactory, CourseFactory, EnrollmentFactory
from resoc.people.tests.factories import PersonFactory, prisoner_at


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def trainer(db):
    return UserFactory(username="trainer", role=Role.TRAINER)


@pytest.fixture
def prison_cohort(prison_b, trainer):
    """A welding course held inside CI Sremska Mitrovica, with a trainer and a peer trainer."""
    prison_b.municipality = "Sremska Mitrovica"
    prison_b.save()
    course = CourseFactory(
        code="WELD-1",
        title="Metalwork basics (MIG/MAG welding)",
        description="Held in the workshop of CI Sremska Mitrovica for prisoners.",
        hours=120,
    )
    cohort = CohortFactory(
        code="SM-WELD-2025",
        course=course,
        institution=prison_b,
        start=datetime.date(2025, 2, 3),
        end=datetime.date(2025, 6, 27),
    )
    cohort.trainers.add(trainer)
    cohort.peer_trainers.add(prisoner_at(prison_b, person__given_name="Peer"))
    return cohort


@pytest.fixture
def graduate(prison_cohort, prison_b):
    """A prisoner of CI Sremska Mitrovica who completed the course there."""
    person = prisoner_at(
        prison_b,
        person__given_name="Dragan",
        person__family_name="Kovačević",
        person__home_municipality="Niš",
    )
    return EnrollmentFactory(cohort=prison_cohort, person=person)


@pytest.fixture
def certificate(graduate, manager):
    [certificate] = certificates_issue_due(actor=manager, cohort=graduate.cohort)
    return certificate


@pytest.fixture
def outsider_certificate(prison_a, manager):
    """A certificate of a prisoner of CI Niš, outside officer_b's and the trainer's scope."""
    enrollment = EnrollmentFactory(
        cohort=CohortFactory(institution=prison_a),
        person=prisoner_at(prison_a),
    )
    [certificate] = certificates_issue_due(actor=manager, cohort=enrollment.cohort)
    return certificate


@pytest.fixture
def online_person(db):
    return PersonFactory(kind="former_prisoner")
