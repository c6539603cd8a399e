import datetime
from decimal import Decimal

import pytest

from resoc.audit.models import AuditEntry
from resoc.equipment.models import EquipmentItem, Status, StatusChange
from resoc.equipment.services import equipment_status_change
from resoc.equipment.tests.factories import EquipmentItemFactory, SupplierFactory
from resoc.imports.tests.helpers import errors_of, has_error, run
from resoc.registry.tests.factories import (
    CycleFactory,
    CycleFunderFactory,
    ExchangeRateFactory,
    OrganisationFactory,
    WorkshopFactory,
    country,
)

pytestmark = pytest.mark.django_db
D = Decimal
S = Status
HEADER = ["code", "workshop", "cycle", "name", "quantity", "unit_price", "currency", "status"]
HEADER += ["delivered_on", "supplier"]


@pytest.fixture
def registry(prison_a):
    workshop = WorkshopFactory(code="RS-NIS-TAI", institution=prison_a)
    cycle = CycleFactory(code="RESOC-7")
    cycle.countries.set([country("RS")])
    CycleFunderFactory(cycle=cycle, share_percent=D("100"))
    SupplierFactory(code="SUP-TEKSTIL")
    ExchangeRateFactory(currency="RSD", valid_from=datetime.date(2024, 1, 1), units_per_eur=117)
    ExchangeRateFactory(
        currency="BAM", valid_from=datetime.date(2014, 1, 1), units_per_eur=D("1.95583")
    )
    return workshop


def row(code="EQ-1", **kw):
    values = {
        "workshop": "RS-NIS-TAI",
        "cycle": "RESOC-7",
        "name": "Industrial sewing machine",
        "quantity": "2",
        "unit_price": "117000",
        "currency": "rsd",
        "status": "specified",
        "delivered_on": "",
        "supplier": "",
    }
    values.update(kw)
    return [code, *(values[h] for h in HEADER[1:])]


def test_items_are_created_valued_at_the_delivery_rate_with_their_status_recorded(
    make_csv, registry
):
    result = run(
        "equipment",
        make_csv(
            [
                HEADER,
                row("EQ-1", status="in_use", delivered_on="2024-03-01", supplier="SUP-TEKSTIL"),
                row("EQ-2", currency="EUR", unit_price="1000"),
                row("EQ-3", currency="RSD"),
            ]
        ),
    )
    assert result.counts == {"created": 3, "updated": 0, "unchanged": 0}
    delivered = EquipmentItem.objects.get(code="EQ-1")
    assert delivered.value_eur == D("2000.00") and delivered.rate_units_per_eur == 117
    assert (delivered.status, delivered.delivered_on) == (S.IN_USE, datetime.date(2024, 3, 1))
    assert delivered.status_on == datetime.date(2024, 3, 1)
    assert delivered.supplier.code == "SUP-TEKSTIL"
    [change] = delivered.status_changes.all()
    assert (change.from_status, change.to_status, change.on) == ("", S.IN_USE, delivered.status_on)
    assert EquipmentItem.objects.get(code="EQ-2").value_eur == D("2000.00")
    assert EquipmentItem.objects.get(code="EQ-3").value_eur is None  # no date yet
    assert not StatusChange.objects.filter(item__code__in=["EQ-2", "EQ-3"]).exists()
    assert AuditEntry.objects.filter(action="equipment.equipmentitem.created").count() == 3
    assert AuditEntry.objects.filter(action="equipment.statuschange.created").count() == 1


def test_a_delivered_or_later_status_needs_the_delivery_date(make_csv, registry):
    errors = errors_of(
        "equipment",
        make_csv([HEADER, row(status="installed"), row("EQ-2", delivered_on="2024-01-01")]),
    )
    assert has_error(errors, 2, "delivered_on", "Required when the status is Installed")
    assert has_error(errors, 3, "delivered_on", "Only for items delivered or later")
    assert not EquipmentItem.objects.exists()


def test_the_supplier_must_be_an_organisation_of_kind_supplier(make_csv, registry):
    OrganisationFactory(code="DE-AA")
    errors = errors_of(
        "equipment", make_csv([HEADER, row(supplier="DE-AA"), row("EQ-2", supplier="NOPE")])
    )
    assert has_error(errors, 2, "supplier", "DE-AA is not a supplier")
    assert has_error(errors, 3, "supplier", "no organisation with the code “NOPE”")


def test_a_missing_rate_is_a_row_error_naming_currency_and_date(make_csv, registry):
    errors = errors_of(
        "equipment",
        make_csv(
            [
                HEADER,
                row(status="delivered", delivered_on="2023-12-31"),
                row("EQ-2", currency="ALL", status="delivered", delivered_on="2024-02-01"),
                row("EQ-3", currency="BAM", status="delivered", delivered_on="2024-02-01"),
            ]
        ),
    )
    assert has_error(errors, 2, "currency", "No exchange rate for RSD on or before 2023-12-31")
    assert has_error(errors, 3, "currency", "No exchange rate for ALL on or before 2024-02-01")
    assert len(errors) == 2
    assert not EquipmentItem.objects.exists()


def test_bad_cells_are_row_and_column_errors(make_csv, registry):
    errors = errors_of(
        "equipment",
        make_csv(
            [
                HEADER,
                row(quantity="0"),
                row("EQ-2", unit_price="12.345"),
                row("EQ-3", status="broken"),
                row("EQ-4", currency="euro"),
                row("EQ 5"),
                row("EQ-6", workshop="NOWHERE"),
            ]
        ),
    )
    assert has_error(errors, 2, "quantity", "")
    assert has_error(errors, 3, "unit_price", "2 decimal places")
    assert has_error(errors, 4, "status", "not allowed")
    assert has_error(errors, 5, "currency", "")
    assert has_error(errors, 6, "code", "")
    assert has_error(errors, 7, "workshop", "NOWHERE")


def test_a_cycle_equips_workshops_of_its_countries(make_csv, registry, prison_ba):
    WorkshopFactory(code="BA-ZE-MET", institution=prison_ba)
    errors = errors_of("equipment", make_csv([HEADER, row(workshop="BA-ZE-MET")]))
    assert has_error(errors, 2, "cycle", "RESOC-7 does not cover")


def test_an_import_moves_existing_items_forward_and_records_each_step(make_csv, registry):
    run("equipment", make_csv([HEADER, row(status="ordered")]))
    item = EquipmentItem.objects.get()
    today = datetime.date.today()
    assert (item.status, item.ordered_on, item.status_on) == (S.ORDERED, today, today)
    assert item.value_eur == D("2000.00")  # valued at the order date's rate

    result = run("equipment", make_csv([HEADER, row(status="in_use", delivered_on=str(today))]))
    assert result.counts["updated"] == 1
    item.refresh_from_db()
    assert (item.status, item.delivered_on) == (S.IN_USE, today)
    assert [(c.from_status, c.to_status) for c in item.status_changes.order_by("id")] == [
        ("", S.ORDERED),
        (S.ORDERED, S.DELIVERED),
        (S.DELIVERED, S.INSTALLED),
        (S.INSTALLED, S.IN_USE),
    ]


def test_reimporting_the_same_file_changes_nothing(make_csv, registry):
    path = make_csv([HEADER, row(status="in_use", delivered_on="2024-03-01")])
    run("equipment", path)
    result = run("equipment", path)
    assert result.counts == {"created": 0, "updated": 0, "unchanged": 1}
    assert StatusChange.objects.count() == 1


def test_an_import_cannot_move_an_item_back_nor_change_a_recorded_delivery(make_csv, registry):
    item = EquipmentItemFactory(code="EQ-1", workshop=registry, currency="RSD")
    equipment_status_change(
        actor=None, item=item, to_status=S.DELIVERED, on=datetime.date(2024, 3, 1)
    )
    errors = errors_of("equipment", make_csv([HEADER, row(status="ordered")]))
    assert has_error(errors, 2, "status", "Going back from Delivered to Ordered needs a reason")
    errors = errors_of(
        "equipment", make_csv([HEADER, row(status="delivered", delivered_on="2024-03-02")])
    )
    assert has_error(errors, 2, "delivered_on", "recorded on 2024-03-01")
    errors = errors_of(
        "equipment", make_csv([HEADER, row(status="decommissioned", delivered_on="2024-03-01")])
    )
    assert has_error(errors, 2, "status", "cannot go from Delivered to Decommissioned")


def test_a_delivery_before_the_previous_change_is_refused(make_csv, registry):
    item = EquipmentItemFactory(code="EQ-1", workshop=registry)
    equipment_status_change(
        actor=None, item=item, to_status=S.ORDERED, on=datetime.date(2024, 5, 1)
    )
    errors = errors_of(
        "equipment", make_csv([HEADER, row(status="delivered", delivered_on="2024-04-30")])
    )
    assert has_error(errors, 2, "delivered_on", "cannot precede the item's previous change")


def test_the_import_runs_a_constant_number_of_queries(
    make_csv, registry, django_assert_max_num_queries
):
    rows = [
        row(f"EQ-{n}", status="delivered", delivered_on="2024-03-01", supplier="SUP-TEKSTIL")
        for n in range(60)
    ]
    with django_assert_max_num_queries(25):
        run("equipment", make_csv([HEADER, *rows]))
    assert StatusChange.objects.count() == 60
