import datetime
from decimal import Decimal

import factory

from resoc.people.tests.factories import PersonFactory
from resoc.registry.tests.factories import WorkshopFactory
from resoc.work.models import ProductionRecord, WorkAssignment, WorkMonth


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkAssignment

    person = factory.SubFactory(PersonFactory)
    workshop = factory.SubFactory(WorkshopFactory)
    start = datetime.date(2024, 1, 1)
    role = "worker"
    hours_per_week = Decimal("40")


class WorkMonthFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkMonth

    person = factory.SubFactory(PersonFactory)
    workshop = factory.SubFactory(WorkshopFactory)
    month = datetime.date(2024, 3, 1)
    hours = Decimal("100")
    pay = Decimal("10000")
    currency = "RSD"
    pay_eur = Decimal("85.00")


class ProductionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductionRecord

    workshop = factory.SubFactory(WorkshopFactory)
    month = datetime.date(2024, 3, 1)
    product = factory.Sequence(lambda n: f"Product {n}")
    quantity = Decimal("100")
    unit = ProductionRecord.Unit.PIECES
    value = Decimal("11750")
    currency = "RSD"
    value_eur = Decimal("100.00")
