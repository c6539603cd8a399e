"""Grant records made directly (no service, no rule): for selectors, pages and counting."""

import datetime
from decimal import Decimal

import factory

from resoc.grants.models import Application, Grant, Visit
from resoc.people.models import Person
from resoc.people.tests.factories import CustodyFactory, PersonFactory
from resoc.registry.tests.factories import CycleFactory, country


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    code = factory.Sequence(lambda n: f"G-{n:04d}")
    cycle = factory.SubFactory(CycleFactory)
    country = factory.LazyFunction(country)
    person = factory.SubFactory(PersonFactory, kind=Person.Kind.FORMER_PRISONER)
    applied_on = datetime.date(2024, 2, 1)
    business_idea = "A small business"
    sector = "bakery"
    currency = "EUR"
    requested_eur = Decimal("2000.00")


class GrantFactory(factory.django.DjangoModelFactory):
    """A grant with its approved application; give delivered_on for a delivered one."""

    class Meta:
        model = Grant

    application = factory.SubFactory(
        ApplicationFactory, decision="approved", approved_eur=Decimal("2000.00")
    )
    code = factory.LazyAttribute(lambda o: o.application.code)
    value_eur = Decimal("2000.00")
    status = factory.LazyAttribute(lambda o: "delivered" if o.delivered_on else "approved")
    delivered_on = None


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    grant = factory.SubFactory(GrantFactory, delivered_on=datetime.date(2024, 1, 1))
    visited_on = datetime.date(2024, 6, 1)
    business_active = True


def grant_in(institution, *, ref=None, **kwargs) -> Grant:
    """A grant whose person was held at the institution (so in scope of its country)."""
    episode = CustodyFactory(
        institution=institution,
        person__kind=Person.Kind.FORMER_PRISONER,
        **({"person__ref": ref} if ref else {}),
        admitted_on=datetime.date(2019, 1, 1),
        released_on=datetime.date(2023, 1, 1),
    )
    kwargs.setdefault("application__country", institution.country)
    return GrantFactory(application__person=episode.person, **kwargs)
