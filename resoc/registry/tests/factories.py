import datetime
from decimal import Decimal

import factory

from resoc.registry.models import (
    Country,
    CycleFunder,
    ExchangeRate,
    Institution,
    Organisation,
    PrisonAdministration,
    ProjectCycle,
    Workshop,
)


def country(code: str = "RS") -> Country:
    """The countries are preloaded by a migration; a flushed test database gets them back."""
    from resoc.registry.migrations import _countries

    return Country.objects.get_or_create(code=code, defaults={"name": _countries.NAMES[code]})[0]


class AdministrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrisonAdministration

    code = factory.Sequence(lambda n: f"ADM{n}")
    name = factory.Sequence(lambda n: f"Administration {n}")
    country = factory.LazyFunction(country)


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    code = factory.Sequence(lambda n: f"INST{n}")
    name = factory.Sequence(lambda n: f"Correctional Institution {n}")
    country = factory.LazyFunction(country)
    kind = Institution.Kind.PRISON
    municipality = "Niš"
    capacity = 500


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    code = factory.Sequence(lambda n: f"WS{n}")
    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Workshop {n}")
    trade = "tailoring"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"ORG{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.DONOR


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectCycle

    code = factory.Sequence(lambda n: f"C{n}")
    name = factory.Sequence(lambda n: f"Cycle {n}")
    start = datetime.date(2020, 1, 1)
    end = datetime.date(2021, 12, 31)
    budget_eur = Decimal("100000.00")


class CycleFunderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CycleFunder

    cycle = factory.SubFactory(CycleFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    share_percent = Decimal("100")


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    currency = "RSD"
    valid_from = datetime.date(2020, 1, 1)
    units_per_eur = Decimal("117.500000")
