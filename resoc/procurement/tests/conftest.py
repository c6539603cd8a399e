import datetime
from decimal import Decimal

import pytest

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.equipment.models import Status
from resoc.procurement import services
from resoc.procurement.models import Bid, Lot, Tender
from resoc.procurement.tests.factories import EquipmentItemFactory, SupplierFactory
from resoc.registry.tests.factories import CycleFactory, ExchangeRateFactory, WorkshopFactory

PUBLISHED = datetime.date(2024, 3, 1)
DEADLINE = datetime.date(2024, 3, 31)
AWARDED = datetime.date(2024, 4, 10)
ORDERED = datetime.date(2024, 4, 15)
DELIVERED = datetime.date(2024, 5, 20)
PDF = b"%PDF-1.4\n% handover protocol\n"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded handover documents go to a throw-away directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cycle(db):
    return CycleFactory(
        code="RESOC-7", start=datetime.date(2024, 1, 1), end=datetime.date(2025, 12, 31)
    )


@pytest.fixture
def other_cycle(db):
    return CycleFactory(code="RESOC-6")


@pytest.fixture
def workshop(prison_a):
    return WorkshopFactory(code="RS-NIS-TAI", institution=prison_a)


@pytest.fixture
def items(cycle, workshop):
    """Two specified items of the cycle: estimated 2 × 1,000 and 1 × 3,000 EUR."""
    return [
        EquipmentItemFactory(
            code="EQ-SEW", cycle=cycle, workshop=workshop, quantity=2, unit_price=Decimal("1000")
        ),
        EquipmentItemFactory(
            code="EQ-EMB", cycle=cycle, workshop=workshop, quantity=1, unit_price=Decimal("3000")
        ),
    ]


@pytest.fixture
def suppliers(db):
    return [SupplierFactory(code=f"SUP-{c}", name=f"Supplier {c}") for c in "ABC"]


@pytest.fixture
def rsd_rate(db):
    return ExchangeRateFactory(
        currency="RSD", valid_from=datetime.date(2024, 1, 1), units_per_eur=Decimal("117.00")
    )


@pytest.fixture
def evaluator_user(db):
    return UserFactory(username="evaluator", role=Role.PROCUREMENT)


def new_tender(actor, cycle, **fields) -> Tender:
    values = {
        "code": "T-1",
        "cycle": cycle,
        "title": "Sewing machines for CI Niš",
        "method": Tender.Method.OPEN,
        "published_on": PUBLISHED,
        "deadline_on": DEADLINE,
        **fields,
    }
    return services.tender_save(actor=actor, tender=Tender(**values))


def new_lot(actor, tender, items, number=1) -> Lot:
    lot = Lot(tender=tender, number=number, title=f"Lot {number}")
    return services.lot_save(actor=actor, lot=lot, items=items)


def new_bid(actor, lot, supplier, amount, currency="EUR", compliant=True, **fields) -> Bid:
    bid = Bid(
        lot=lot,
        supplier=supplier,
        amount=Decimal(amount),
        currency=currency,
        compliant=compliant,
        received_on=fields.pop("received_on", datetime.date(2024, 3, 20)),
        **fields,
    )
    return services.bid_save(actor=actor, bid=bid)


def declare(evaluator_user, tender, no_conflict=True, notes=""):
    seat = services.evaluator_add(actor=evaluator_user, tender=tender, user=evaluator_user)
    return services.evaluator_declare(
        actor=evaluator_user, evaluator=seat, no_conflict=no_conflict, notes=notes
    )


@pytest.fixture
def published(procurement, cycle, items):
    """A published tender with one lot holding both items."""
    tender = new_tender(procurement, cycle)
    lot = new_lot(procurement, tender, items)
    services.tender_status_set(actor=procurement, tender=tender, to_status=Tender.Status.PUBLISHED)
    tender.refresh_from_db()
    return tender, lot


@pytest.fixture
def with_bids(published, procurement, suppliers, evaluator_user):
    """Three bids (5,000 / 4,500 non-compliant / 6,000) and a declared evaluator."""
    tender, lot = published
    bids = [
        new_bid(procurement, lot, suppliers[0], "5000.00"),
        new_bid(procurement, lot, suppliers[1], "4500.00", compliant=False),
        new_bid(procurement, lot, suppliers[2], "6000.00"),
    ]
    declare(evaluator_user, tender)
    return tender, lot, bids


@pytest.fixture
def awarded(with_bids, procurement):
    tender, lot, bids = with_bids
    award = services.lot_award(actor=procurement, lot=lot, bid=bids[0], awarded_on=AWARDED)
    return tender, lot, bids, award


@pytest.fixture
def ordered(awarded, procurement):
    tender, lot, bids, award = awarded
    order = services.purchase_order_issue(
        actor=procurement, award=award, number="PO-1", issued_on=ORDERED
    )
    return tender, lot, order


def item_status(item) -> str:
    item.refresh_from_db()
    return item.status


__all__ = ["Status"]
