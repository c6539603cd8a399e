import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from resoc.accounts.services import user_token_create
from resoc.audit.models import AuditEntry
from resoc.equipment.models import EquipmentItem, Status, StatusChange
from resoc.equipment.services import equipment_status_change
from resoc.equipment.tests.factories import EquipmentItemFactory, SupplierFactory
from resoc.registry.tests.factories import (
    CycleFactory,
    CycleFunderFactory,
    OrganisationFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal
S = Status
BASE = "/api/v1/equipment/"


@pytest.fixture
def api_for():
    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {user_token_create(user=user)}")
        return client

    return make


@pytest.fixture
def cycle():
    cycle = CycleFactory(code="RESOC-1")
    for code, share in (("DE-AA", "70"), ("RS-DECS", "30")):
        CycleFunderFactory(
            cycle=cycle, organisation=OrganisationFactory(code=code), share_percent=D(share)
        )
    return cycle


@pytest.fixture
def items(prison_a, prison_b, prison_ba, cycle):
    return {
        "a": EquipmentItemFactory(
            code="NIS-1",
            workshop=WorkshopFactory(code="WS-NIS", institution=prison_a),
            cycle=cycle,
            unit_price=D("80000"),
            value_eur=D("80000.00"),
        ),
        "b": EquipmentItemFactory(
            code="SM-1", workshop=WorkshopFactory(code="WS-SM", institution=prison_b), cycle=cycle
        ),
        "ba": EquipmentItemFactory(
            code="ZE-1",
            workshop=WorkshopFactory(code="WS-ZE", institution=prison_ba),
            cycle=cycle,
            name="CNC plasma cutter",
        ),
    }


def codes(response):
    assert response.status_code == 200, response.content
    return sorted(row["code"] for row in response.json()["results"])


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("donor", ["NIS-1", "SM-1", "ZE-1"]),
        ("procurement", ["NIS-1", "SM-1", "ZE-1"]),
        ("officer_a", ["NIS-1"]),
        ("coordinator_ba", ["ZE-1"]),
    ],
)
def test_the_list_keeps_to_the_callers_sites(request, api_for, items, persona, expected):
    assert codes(api_for(request.getfixturevalue(persona)).get(BASE)) == expected


def test_the_list_filters(api_for, manager, items):
    client = api_for(manager)
    assert codes(client.get(BASE, {"country": "ba"})) == ["ZE-1"]
    assert codes(client.get(BASE, {"institution": "RS-SM"})) == ["SM-1"]
    assert codes(client.get(BASE, {"search": "plasma"})) == ["ZE-1"]
    assert codes(client.get(BASE, {"funder": "DE-AA"})) == ["NIS-1", "SM-1", "ZE-1"]
    assert codes(client.get(BASE, {"funder": "EU"})) == []
    assert codes(client.get(BASE, {"status": "specified", "workshop": "WS-NIS"})) == ["NIS-1"]
    bad = client.get(BASE, {"status": "broken"})
    assert bad.status_code == 400 and "Unknown status broken" in bad.json()["status"]


def test_the_detail_has_value_by_funder_and_status_history(api_for, donor, items, pdf):
    item = items["a"]
    equipment_status_change(
        actor=None, item=item, to_status=S.TENDERED, on=datetime.date(2024, 1, 1), document=pdf()
    )
    body = api_for(donor).get(f"{BASE}NIS-1/").json()
    assert body["value_by_funder"] == [
        {"funder": "DE-AA", "name": body["value_by_funder"][0]["name"], "value_eur": "56000.00"},
        {"funder": "RS-DECS", "name": body["value_by_funder"][1]["name"], "value_eur": "24000.00"},
    ]
    [change] = body["status_history"]
    assert (change["from_status"], change["to_status"], change["on"]) == (
        "specified",
        "tendered",
        "2024-01-01",
    )
    assert change["document"].endswith(
        f"/equipment/NIS-1/status/{item.status_changes.get().pk}/document/"
    )


def test_an_item_outside_the_scope_answers_404(api_for, officer_a, coordinator_rs, items):
    assert api_for(officer_a).get(f"{BASE}SM-1/").status_code == 404
    moved = api_for(coordinator_rs).post(
        f"{BASE}ZE-1/status/", {"to_status": "tendered", "on": "2024-01-01"}
    )
    assert moved.status_code == 404


def test_writers_create_an_item_valued_in_eur(api_for, procurement, items, cycle):
    SupplierFactory(code="SUP-1")
    response = api_for(procurement).post(
        BASE,
        {
            "code": "NIS-2",
            "workshop": "WS-NIS",
            "cycle": "RESOC-1",
            "name": "Bread oven",
            "quantity": 2,
            "unit_price": "1000.00",
            "currency": "eur",
            "supplier": "SUP-1",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["value_eur"], body["status"], body["supplier"]) == (
        "2000.00",
        "specified",
        "SUP-1",
    )
    assert [f["value_eur"] for f in body["value_by_funder"]] == ["1400.00", "600.00"]
    assert AuditEntry.objects.filter(action="equipment.equipmentitem.created").exists()


@pytest.mark.parametrize("persona", ["officer_a", "donor", "auditor"])
def test_readers_cannot_create_or_change_items(request, api_for, persona, items):
    client = api_for(request.getfixturevalue(persona))
    created = client.post(
        BASE,
        {"code": "X", "workshop": "WS-NIS", "cycle": "RESOC-1", "name": "X", "quantity": 1,
         "unit_price": "1", "currency": "EUR"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 403
    assert client.patch(f"{BASE}NIS-1/", {"name": "Y"}, format="json").status_code == 403
    moved = client.post(f"{BASE}NIS-1/status/", {"to_status": "tendered", "on": "2024-01-01"})
    assert moved.status_code == 403
    assert not EquipmentItem.objects.filter(code="X").exists()


def test_a_coordinator_cannot_move_an_item_to_another_country(api_for, coordinator_rs, items):
    client = api_for(coordinator_rs)
    assert client.patch(f"{BASE}NIS-1/", {"name": "Renamed"}, format="json").status_code == 200
    response = client.patch(f"{BASE}NIS-1/", {"workshop": "WS-ZE"}, format="json")
    assert response.status_code == 400  # a workshop they cannot see is unknown
    assert EquipmentItem.objects.get(code="NIS-1").workshop.code == "WS-NIS"


def test_a_bad_supplier_or_duplicate_code_is_a_400(api_for, manager, items):
    OrganisationFactory(code="DE-X")
    client = api_for(manager)
    data = {"workshop": "WS-NIS", "cycle": "RESOC-1", "name": "Oven", "quantity": 1,
            "unit_price": "10", "currency": "EUR"}  # fmt: skip
    response = client.post(BASE, {**data, "code": "NIS-9", "supplier": "DE-X"}, format="json")
    assert response.status_code == 400 and "supplier" in response.json()
    response = client.post(BASE, {**data, "code": "NIS-1"}, format="json")
    assert response.status_code == 400 and "code" in response.json()


def test_status_changes_through_the_api_follow_the_rules(api_for, manager, items, pdf):
    client = api_for(manager)
    url = f"{BASE}NIS-1/status/"
    moved = client.post(url, {"to_status": "delivered", "on": "2024-03-01", "document": pdf()})
    assert moved.status_code == 201, moved.content
    body = moved.json()
    assert (body["status"], body["delivered_on"], body["ordered_on"]) == (
        "delivered",
        "2024-03-01",
        "2024-03-01",
    )
    assert len(body["status_history"]) == 3
    assert StatusChange.objects.get(to_status="delivered").document
    back = client.post(url, {"to_status": "ordered", "on": "2024-03-02"}, format="json")
    assert back.status_code == 400
    assert "needs a reason" in back.json()["to_status"][0]
    early = client.post(url, {"to_status": "installed", "on": "2024-02-01"}, format="json")
    assert "cannot precede" in early.json()["on"][0]
    rate = client.post(f"{BASE}SM-1/status/", {"to_status": "ordered", "on": "2024-03-01"})
    assert rate.status_code == 201
    EquipmentItem.objects.filter(code="ZE-1").update(currency="BAM", value_eur=None)
    missing = client.post(f"{BASE}ZE-1/status/", {"to_status": "ordered", "on": "2024-03-01"})
    assert missing.status_code == 400
    assert "No exchange rate for BAM on or before 2024-03-01" in str(missing.json())


def test_status_cannot_be_set_by_an_update(api_for, manager, items):
    response = api_for(manager).patch(f"{BASE}NIS-1/", {"status": "in_use"}, format="json")
    assert response.status_code == 200
    assert EquipmentItem.objects.get(code="NIS-1").status == S.SPECIFIED


def test_the_list_and_the_detail_run_a_constant_number_of_queries(api_for, manager, prison_a):
    from resoc.core.testing import queries_of

    client = api_for(manager)

    def add(n, start):
        for i in range(start, start + n):
            item = EquipmentItemFactory(
                code=f"Q-{i}",
                workshop=WorkshopFactory(institution=prison_a),
                supplier=SupplierFactory(),
            )
            CycleFunderFactory(cycle=item.cycle, share_percent=D("100"))
            equipment_status_change(
                actor=manager, item=item, to_status=S.DELIVERED, on=datetime.date(2024, 1, 1)
            )

    add(2, 0)
    client.get(BASE)  # the token's first use is written down
    few = queries_of(lambda: client.get(BASE))
    detail = queries_of(lambda: client.get(f"{BASE}Q-0/"))
    add(18, 2)
    assert queries_of(lambda: client.get(BASE)) == few
    assert queries_of(lambda: client.get(f"{BASE}Q-0/")) == detail
