import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.test import APIClient

from resoc.accounts.models import Role
from resoc.accounts.services import user_token_create
from resoc.accounts.tests.factories import UserFactory
from resoc.grants import services
from resoc.grants.models import Application, ApplicationItem, Call
from resoc.imports.tests.conftest import make_csv, make_xlsx  # noqa: F401 - shared fixtures
from resoc.people.models import Person
from resoc.people.tests.factories import CustodyFactory
from resoc.registry.tests.factories import CycleFactory, ExchangeRateFactory, country

D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
OPENS, CLOSES = D(2025, 1, 1), D(2025, 3, 31)
APPLIED = D(2025, 2, 1)
CRITERIA = [("Business idea", 40), ("Experience in the trade", 30), ("Local market", 30)]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf(name="plan.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name="photo.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def rs(db):
    return country("RS")


@pytest.fixture
def ba(db):
    return country("BA")


@pytest.fixture
def cycle(rs, ba):
    cycle = CycleFactory(code="RESOC-7", start=D(2024, 1, 1), end=D(2025, 12, 31))
    cycle.countries.set([rs, ba])
    return cycle


@pytest.fixture
def rsd_rate(db):
    return ExchangeRateFactory(
        currency="RSD", valid_from=D(2024, 1, 1), units_per_eur=Decimal("117")
    )


@pytest.fixture
def grants_rs(rs):
    return UserFactory(username="grants_rs", role=Role.GRANTS, countries=[rs])


@pytest.fixture
def grants_ba(ba):
    return UserFactory(username="grants_ba", role=Role.GRANTS, countries=[ba])


@pytest.fixture
def evaluator(rs):
    return UserFactory(username="eva", role=Role.GRANTS, countries=[rs])


@pytest.fixture
def api_for():
    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {user_token_create(user=user)}")
        return client

    return make


def make_call(actor, cycle, country_, *, code="C-RS", budget="10000", committee=(), **fields):
    call = Call(
        code=code,
        cycle=cycle,
        country=country_,
        title=f"Start-up grants {code}",
        budget_eur=Decimal(budget),
        opens_on=fields.pop("opens_on", OPENS),
        closes_on=fields.pop("closes_on", CLOSES),
        **fields,
    )
    services.call_save(actor=actor, call=call, committee=list(committee))
    services.criteria_set(actor=actor, call=call, criteria=CRITERIA)
    return call


@pytest.fixture
def call(manager, cycle, rs, grants_rs, evaluator):
    """An RS call with three criteria and a committee of two grants officers."""
    return make_call(manager, cycle, rs, committee=[grants_rs, evaluator])


@pytest.fixture
def call_ba(manager, cycle, ba, grants_ba):
    return make_call(manager, cycle, ba, code="C-BA", committee=[grants_ba])


TRAINED = D(2024, 3, 1)
RELEASED = D(2024, 6, 1)


def complete_training(person, *, on=TRAINED):
    """A completed enrollment of the person (the training app's records)."""
    from resoc.training.models import Cohort, Course, Enrollment

    course = Course.objects.create(
        code=f"CRS-{person.ref}", title="Bakery course", category=Course.Category.VOCATIONAL
    )
    cycle = CycleFactory()
    cohort = Cohort.objects.create(
        code=f"COH-{person.ref}", course=course, cycle=cycle, start=on - datetime.timedelta(90)
    )
    return Enrollment.objects.create(
        cohort=cohort, person=person, status="completed", completed_on=on
    )


def released(institution, ref, *, on=RELEASED, trained=True, **kwargs) -> Person:
    """A former prisoner released from the institution on `on`."""
    person = CustodyFactory(
        institution=institution,
        person__ref=ref,
        person__kind=Person.Kind.FORMER_PRISONER,
        admitted_on=D(on.year - 3, 1, 1),
        expected_release_on=on,
        released_on=on,
        **kwargs,
    ).person
    if trained:
        complete_training(person)
    return person


@pytest.fixture
def applicant(prison_a):
    return released(prison_a, "A-1")


@pytest.fixture
def applicant_ba(prison_ba):
    return released(prison_ba, "Z-1")


def apply(actor, call, person, *, items=(("Oven", 1, "2000"), ("Mixer", 2, "500")), **fields):
    application = Application(
        call=call,
        person=person,
        applied_on=fields.pop("applied_on", APPLIED),
        business_idea=fields.pop("business_idea", "A bakery in Niš"),
        sector=fields.pop("sector", "bakery"),
        currency=fields.pop("currency", "EUR"),
        **fields,
    )
    return services.application_save(
        actor=actor,
        application=application,
        items=[
            ApplicationItem(description=d, quantity=q, unit_cost=Decimal(c)) for d, q, c in items
        ],
    )


@pytest.fixture
def application(call, applicant, grants_rs):
    """A pending application asking for 3,000 EUR."""
    return apply(grants_rs, call, applicant)


def evaluate(user, application, scores=(8, 7, 6), notes=""):
    services.evaluation_declare(actor=user, application=application, no_conflict=True)
    criteria = list(application.call.criteria.order_by("number"))
    return services.evaluation_score(
        actor=user,
        application=application,
        scores={c.pk: s for c, s in zip(criteria, scores, strict=True)},
        notes=notes,
    )


@pytest.fixture
def evaluated(application, grants_rs, evaluator):
    """The application scored by both committee members."""
    evaluate(grants_rs, application, (8, 7, 6))
    evaluate(evaluator, application, (6, 5, 4))
    return application


def approve(actor, application, amount=None, reason="Strong plan"):
    return services.application_decide(
        actor=actor,
        application=application,
        decision="approved",
        reason=reason,
        approved_eur=None if amount is None else Decimal(amount),
        on=D(2025, 4, 15),
    )


@pytest.fixture
def grant(evaluated, grants_rs):
    """An approved grant of 3,000 EUR (nothing bought yet)."""
    approve(grants_rs, evaluated)
    return evaluated.grant
