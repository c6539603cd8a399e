import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from resoc.audit.models import AuditEntry
from resoc.equipment import lifecycle
from resoc.equipment.models import EquipmentItem, Status, StatusChange
from resoc.equipment.services import (
    equipment_file_add,
    equipment_save,
    equipment_status_change,
)
from resoc.equipment.tests.conftest import JPEG
from resoc.equipment.tests.factories import EquipmentItemFactory, SupplierFactory
from resoc.registry.tests.factories import (
    CycleFactory,
    ExchangeRateFactory,
    OrganisationFactory,
    WorkshopFactory,
    country,
)

pytestmark = pytest.mark.django_db
D = Decimal
S = Status
DAY = datetime.date(2024, 3, 1)


def new_item(**kwargs) -> EquipmentItem:
    values = {
        "code": "EQ-1",
        "workshop": kwargs.pop("workshop", None) or WorkshopFactory(),
        "cycle": kwargs.pop("cycle", None) or CycleFactory(),
        "name": "Embroidery machine",
        "quantity": 2,
        "unit_price": D("40000"),
        "currency": "EUR",
    }
    values.update(kwargs)
    return EquipmentItem(**values)


def move(item, to_status, on=DAY, **kwargs):
    return equipment_status_change(actor=None, item=item, to_status=to_status, on=on, **kwargs)


def item_at(status, *, on=DAY, **kwargs) -> EquipmentItem:
    """An item moved from specified to `status` through the service."""
    item = EquipmentItemFactory(**kwargs)
    if status != S.SPECIFIED:
        move(item, status, on=on)
    return item


# Saving and the value in EUR


def test_saving_a_euro_item_values_it_without_a_rate(manager):
    item = equipment_save(actor=manager, item=new_item())
    assert item.value_eur == D("80000.00")
    assert item.rate_date is None
    assert AuditEntry.objects.filter(action="equipment.equipmentitem.created").count() == 1


def test_an_item_in_another_currency_without_a_date_stays_unconverted(manager):
    item = equipment_save(actor=manager, item=new_item(currency="rsd", unit_price=D("117000")))
    assert item.currency == "RSD"
    assert item.value_eur is None


def test_the_value_follows_the_order_then_the_delivery_rate(manager):
    ExchangeRateFactory(currency="RSD", valid_from=datetime.date(2024, 1, 1), units_per_eur=117)
    ExchangeRateFactory(currency="RSD", valid_from=datetime.date(2024, 4, 1), units_per_eur=120)
    item = equipment_save(actor=manager, item=new_item(currency="RSD", unit_price=D("117000")))
    move(item, S.ORDERED, on=datetime.date(2024, 2, 1))
    item.refresh_from_db()
    assert item.ordered_on == datetime.date(2024, 2, 1)
    assert item.value_eur == D("2000.00")
    assert item.rate_units_per_eur == D("117")
    move(item, S.DELIVERED, on=datetime.date(2024, 4, 2))
    item.refresh_from_db()
    assert (item.delivered_on, item.value_eur) == (datetime.date(2024, 4, 2), D("1950.00"))
    assert item.rate_date == datetime.date(2024, 4, 1)


def test_editing_the_price_revalues_the_item(manager):
    item = equipment_save(actor=manager, item=new_item())
    item.unit_price = D("100.005")
    with pytest.raises(ValidationError):  # two decimals at most
        equipment_save(actor=manager, item=item)
    item.unit_price = D("100.50")
    equipment_save(actor=manager, item=item)
    assert EquipmentItem.objects.get().value_eur == D("201.00")


def test_a_missing_rate_is_a_clear_error_naming_currency_and_date(manager):
    item = EquipmentItemFactory(currency="BAM", unit_price=D("1955.83"), value_eur=None)
    with pytest.raises(ValidationError) as raised:
        move(item, S.ORDERED, on=datetime.date(2024, 5, 6))
    assert "No exchange rate for BAM on or before 2024-05-06" in str(raised.value)
    item.refresh_from_db()
    assert item.status == S.SPECIFIED and not StatusChange.objects.exists()


def test_the_supplier_must_be_an_organisation_of_kind_supplier(manager):
    donor = OrganisationFactory(code="DE-AA")
    with pytest.raises(ValidationError, match="DE-AA is not a supplier"):
        equipment_save(actor=manager, item=new_item(supplier=donor))
    assert equipment_save(actor=manager, item=new_item(supplier=SupplierFactory())).pk


def test_a_cycle_equips_workshops_in_its_countries_only(manager, prison_ba):
    cycle = CycleFactory(code="RESOC-1")
    cycle.countries.set([country("RS")])
    workshop = WorkshopFactory(institution=prison_ba)
    with pytest.raises(ValidationError, match="RESOC-1 does not cover"):
        equipment_save(actor=manager, item=new_item(cycle=cycle, workshop=workshop))


def test_the_status_changes_only_through_a_status_change(manager):
    with pytest.raises(ValidationError, match="starts as specified"):
        equipment_save(actor=manager, item=new_item(status=S.ORDERED))
    item = equipment_save(actor=manager, item=new_item())
    item.status = S.TENDERED
    with pytest.raises(ValidationError, match="status change"):
        equipment_save(actor=manager, item=item)


# Status changes


def test_a_status_change_is_recorded_dated_by_whom_and_audited(manager):
    item = EquipmentItemFactory()
    [change] = equipment_status_change(
        actor=manager, item=item, to_status=S.TENDERED, on=DAY, reason=""
    )
    assert (change.from_status, change.to_status, change.on, change.by) == (
        S.SPECIFIED,
        S.TENDERED,
        DAY,
        manager,
    )
    assert (item.status, item.status_on) == (S.TENDERED, DAY)
    entry = AuditEntry.objects.get(action="equipment.statuschange.created")
    assert entry.actor_id == manager.pk and entry.detail["to"] == "tendered"
    update = AuditEntry.objects.get(action="equipment.equipmentitem.updated")
    assert update.detail["changes"]["status"] == ["specified", "tendered"]


def test_a_forward_jump_records_every_step_on_the_same_date():
    item = item_at(S.ORDERED)
    changes = move(item, S.IN_USE, on=datetime.date(2024, 4, 1))
    assert [(c.from_status, c.to_status) for c in changes] == [
        (S.ORDERED, S.DELIVERED),
        (S.DELIVERED, S.INSTALLED),
        (S.INSTALLED, S.IN_USE),
    ]
    item.refresh_from_db()
    assert item.status == S.IN_USE
    assert item.delivered_on == datetime.date(2024, 4, 1)
    assert StatusChange.objects.filter(item=item).count() == 2 + 3  # with specified → ordered


def test_jumping_from_specified_to_delivered_sets_both_dates():
    item = item_at(S.DELIVERED, on=DAY)
    assert (item.ordered_on, item.delivered_on) == (DAY, DAY)
    assert [c.to_status for c in item.status_changes.order_by("id")] == [
        S.TENDERED,
        S.ORDERED,
        S.DELIVERED,
    ]


def test_going_back_needs_a_reason_and_clears_the_later_dates():
    item = item_at(S.DELIVERED)
    with pytest.raises(ValidationError, match="needs a reason"):
        move(item, S.ORDERED, reason="  ")
    [change] = move(item, S.ORDERED, reason="Delivery refused: wrong model")
    assert change.reason == "Delivery refused: wrong model"
    item.refresh_from_db()
    assert item.status == S.ORDERED and item.delivered_on is None and item.ordered_on == DAY


def test_an_item_in_use_goes_out_of_service_back_in_use_with_a_reason_and_is_decommissioned():
    item = item_at(S.IN_USE)
    move(item, S.OUT_OF_SERVICE)
    with pytest.raises(ValidationError, match="needs a reason"):
        move(item, S.IN_USE)
    move(item, S.IN_USE, reason="Motor replaced")
    move(item, S.DECOMMISSIONED)
    with pytest.raises(ValidationError, match="decommissioned item cannot change"):
        move(item, S.IN_USE, reason="Found again")
    assert lifecycle.allowed_next(S.DECOMMISSIONED) == []


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (S.SPECIFIED, S.OUT_OF_SERVICE),
        (S.TENDERED, S.DECOMMISSIONED),
        (S.INSTALLED, S.OUT_OF_SERVICE),
        (S.OUT_OF_SERVICE, S.INSTALLED),
    ],
)
def test_moves_outside_the_life_of_an_item_are_refused(start, target):
    item = item_at(S.IN_USE if start == S.OUT_OF_SERVICE else start)
    if start == S.OUT_OF_SERVICE:
        move(item, S.OUT_OF_SERVICE)
    with pytest.raises(ValidationError, match="cannot go from"):
        move(item, target, reason="because")


def test_a_move_to_the_same_or_an_unknown_status_is_refused():
    item = item_at(S.ORDERED)
    with pytest.raises(ValidationError, match="already Ordered"):
        move(item, S.ORDERED)
    with pytest.raises(ValidationError, match="not a status"):
        move(item, "broken")


def test_the_date_cannot_precede_the_previous_change_nor_lie_in_the_future():
    item = item_at(S.ORDERED, on=DAY)
    with pytest.raises(
        ValidationError, match="cannot precede the previous change \\(2024-03-01\\)"
    ):
        move(item, S.DELIVERED, on=DAY - datetime.timedelta(days=1))
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError, match="future"):
        move(item, S.DELIVERED, on=tomorrow)
    move(item, S.DELIVERED, on=DAY)  # the same day is fine


def test_the_document_goes_with_the_requested_change(pdf):
    item = item_at(S.ORDERED)
    changes = move(item, S.INSTALLED, document=pdf("handover.pdf"))
    assert not changes[0].document
    assert changes[-1].document.name.endswith(".pdf")
    assert changes[-1].document.read().startswith(b"%PDF")


def test_a_document_that_is_not_a_pdf_or_image_is_refused():
    item = item_at(S.ORDERED)
    fake = SimpleUploadedFile("handover.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    with pytest.raises(ValidationError, match="PDF, JPEG, PNG"):
        move(item, S.DELIVERED, document=fake)
    item.refresh_from_db()
    assert item.status == S.ORDERED


# Files


def test_photos_are_jpeg_or_png_and_documents_pdf(manager, pdf, png):
    item = EquipmentItemFactory()
    photo = equipment_file_add(actor=manager, item=item, kind="photo", upload=png())
    assert photo.uploaded_by == manager
    jpeg = SimpleUploadedFile("machine.jpg", JPEG, "image/jpeg")
    equipment_file_add(actor=manager, item=item, kind="photo", upload=jpeg)
    with pytest.raises(ValidationError, match="JPEG, PNG"):
        equipment_file_add(actor=manager, item=item, kind="photo", upload=pdf())
    with pytest.raises(ValidationError, match="PDF"):
        equipment_file_add(actor=manager, item=item, kind="handover", upload=png())
    equipment_file_add(actor=manager, item=item, kind="handover", upload=pdf(), title="Handover")
    assert item.files.count() == 3
    assert AuditEntry.objects.filter(action="equipment.equipmentfile.created").count() == 3


def test_files_over_the_size_limit_are_refused(manager, settings):
    from resoc.equipment import uploads

    item = EquipmentItemFactory()
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (uploads.MAX_BYTES), "application/pdf")
    with pytest.raises(ValidationError, match="larger than 10 MB"):
        equipment_file_add(actor=manager, item=item, kind="invoice", upload=big)
