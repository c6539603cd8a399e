import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from resoc.core.testing import queries_of
from resoc.equipment.models import Status
from resoc.equipment.tests.factories import EquipmentItemFactory
from resoc.people.tests.factories import prisoner_at
from resoc.registry.tests.factories import (
    CycleFactory,
    CycleFunderFactory,
    OrganisationFactory,
    WorkshopFactory,
)
from resoc.work.tests.factories import AssignmentFactory, ProductionFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def bakery(prison_a):
    workshop = WorkshopFactory(code="RS-NIS-BAK", institution=prison_a, name="Bakery Niš")
    cycle = CycleFactory(code="RESOC-5")
    for code, share in (("DE-AA", "65"), ("EU", "20"), ("RS-DECS", "15")):
        CycleFunderFactory(
            cycle=cycle,
            organisation=OrganisationFactory(code=code, name=f"Funder {code}"),
            share_percent=D(share),
        )
    EquipmentItemFactory(
        code="BAK-OVEN", name="Deck oven", workshop=workshop, cycle=cycle, value_eur=D("1000.01")
    )
    EquipmentItemFactory(
        code="BAK-MIX",
        name="Spiral mixer",
        workshop=workshop,
        cycle=cycle,
        status=Status.ORDERED,
        currency="RSD",
        value_eur=None,
    )
    return workshop


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def url(workshop) -> str:
    return reverse("equipment:workshop", args=[workshop.code])


def test_the_workshop_page_shows_its_equipment_states_and_value_by_funder(
    client_for, donor, bakery
):
    response = client_for(donor).get(url(bakery))
    assert response.status_code == 200
    text = response.text
    assert "BAK-OVEN" in text and "Deck oven" in text and "Ordered" in text
    # 1000.01 split 65/20/15: 650.0065, 200.002, 150.0015 -> 650.01 (largest remainder), 200, 150
    assert "650.01" in text and "200.00" in text and "150.00" in text
    assert "not yet converted" in text


def test_officers_open_their_institutions_workshops_only(client_for, officer_a, officer_b, bakery):
    assert client_for(officer_a).get(url(bakery)).status_code == 200
    assert client_for(officer_b).get(url(bakery)).status_code == 404


def test_officers_see_who_works_there_this_month_and_donors_do_not(
    client_for, officer_a, donor, procurement, bakery, prison_a
):
    worker = prisoner_at(prison_a, person__given_name="Marko", person__family_name="Ilić")
    AssignmentFactory(person=worker, workshop=bakery, start=this_month(), role="baker")
    earlier = prisoner_at(prison_a, person__given_name="Zoran", person__family_name="Kostić")
    AssignmentFactory(
        person=earlier,
        workshop=bakery,
        start=datetime.date(2020, 1, 1),
        end=datetime.date(2020, 12, 31),
    )
    text = client_for(officer_a).get(url(bakery)).text
    assert worker.ref in text and "baker" in text
    assert earlier.ref not in text
    for persona in (donor, procurement):
        text = client_for(persona).get(url(bakery)).text
        assert worker.ref not in text and 'id="workers"' not in text


def test_production_by_month_is_drawn_as_a_chart_on_the_server(client_for, donor, bakery):
    month = this_month()
    ProductionFactory(workshop=bakery, month=month, value_eur=D("1234.50"))
    ProductionFactory(workshop=bakery, month=month, value_eur=D("765.50"))
    text = client_for(donor).get(url(bakery)).text
    assert "<svg" in text and "<script" not in text.split("<svg")[1].split("</svg>")[0]
    assert f"{month:%m/%y}: 2,000.00 EUR" in text
    assert text.count("<rect") == 12


def test_the_workshop_page_runs_the_same_queries_for_2_or_20_items(
    client_for, officer_a, bakery, prison_a
):
    def add(n):
        for _ in range(n):
            cycle = CycleFactory()
            CycleFunderFactory(cycle=cycle, share_percent=D("100"))
            EquipmentItemFactory(workshop=bakery, cycle=cycle)
            person = prisoner_at(prison_a)
            AssignmentFactory(person=person, workshop=bakery, start=this_month())
            ProductionFactory(workshop=bakery, month=this_month())

    client = client_for(officer_a)
    add(2)
    few = queries_of(lambda: client.get(url(bakery)))
    add(18)
    assert queries_of(lambda: client.get(url(bakery))) == few
