from decimal import Decimal

import factory

from resoc.equipment.models import EquipmentItem
from resoc.registry.models import Organisation
from resoc.registry.tests.factories import CycleFactory, OrganisationFactory, WorkshopFactory


class EquipmentItemFactory(factory.django.DjangoModelFactory):
    """An item as saved directly (no service): EUR, valued at its price, specified."""

    class Meta:
        model = EquipmentItem

    code = factory.Sequence(lambda n: f"EQ-{n:04d}")
    workshop = factory.SubFactory(WorkshopFactory)
    cycle = factory.SubFactory(CycleFactory)
    name = factory.Iterator(["Industrial sewing machine", "Bread oven", "Concrete block press"])
    quantity = 1
    unit_price = Decimal("1000.00")
    currency = "EUR"
    value_eur = factory.LazyAttribute(lambda o: o.unit_price * o.quantity)


class SupplierFactory(OrganisationFactory):
    code = factory.Sequence(lambda n: f"SUP{n}")
    kind = Organisation.Kind.SUPPLIER
