import datetime
from decimal import Decimal

import factory

from resoc.equipment.tests.factories import EquipmentItemFactory, SupplierFactory
from resoc.procurement.models import Bid, Lot, LotItem, Tender
from resoc.registry.tests.factories import CycleFactory

__all__ = ["BidFactory", "EquipmentItemFactory", "LotFactory", "SupplierFactory", "TenderFactory"]


class TenderFactory(factory.django.DjangoModelFactory):
    """A tender saved directly (no service): set the status you need."""

    class Meta:
        model = Tender

    code = factory.Sequence(lambda n: f"T-{n:03d}")
    cycle = factory.SubFactory(CycleFactory)
    title = factory.Sequence(lambda n: f"Workshop equipment {n}")
    method = Tender.Method.OPEN
    published_on = datetime.date(2024, 3, 1)
    deadline_on = datetime.date(2024, 3, 31)
    status = Tender.Status.PUBLISHED


class LotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lot
        skip_postgeneration_save = True

    tender = factory.SubFactory(TenderFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Lot {n}")

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        if create and extracted:
            LotItem.objects.bulk_create([LotItem(lot=self, item=i) for i in extracted])


class BidFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bid

    lot = factory.SubFactory(LotFactory)
    supplier = factory.SubFactory(SupplierFactory)
    amount = Decimal("1000.00")
    currency = "EUR"
    amount_eur = factory.LazyAttribute(lambda o: o.amount)
    rate_units_per_eur = Decimal("1")
    compliant = True
    received_on = datetime.date(2024, 3, 20)
