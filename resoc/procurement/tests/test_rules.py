"""The rules of the procedure, at the services (the pages and the API call the same ones)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from resoc.audit.models import AuditEntry
from resoc.equipment.models import Status
from resoc.equipment.services import equipment_status_change
from resoc.procurement import services
from resoc.procurement.models import Award, BidScore, Delivery, LotItem, PurchaseOrder, Tender
from resoc.procurement.tests.conftest import (
    AWARDED,
    DEADLINE,
    DELIVERED,
    ORDERED,
    PDF,
    declare,
    item_status,
    new_bid,
    new_lot,
    new_tender,
)
from resoc.procurement.tests.factories import (
    BidFactory,
    EquipmentItemFactory,
    LotFactory,
    SupplierFactory,
)
from resoc.registry.tests.factories import ExchangeRateFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def messages_of(exc_info) -> str:
    return " ".join(exc_info.value.messages)


def handover(name="handover.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# Tenders


def test_deadline_cannot_precede_publication(procurement, cycle):
    with pytest.raises(ValidationError) as exc:
        new_tender(procurement, cycle, deadline_on=datetime.date(2024, 2, 1))
    assert "deadline cannot precede" in messages_of(exc)


def test_tender_creation_is_audited(procurement, cycle):
    tender = new_tender(procurement, cycle)
    entry = AuditEntry.objects.get(action="procurement.tender.created")
    assert entry.object_id == str(tender.pk) and entry.actor_name == "procurement"
    assert tender.status == Tender.Status.DRAFT


def test_tender_cannot_be_published_without_items(procurement, cycle):
    tender = new_tender(procurement, cycle)
    with pytest.raises(ValidationError) as exc:
        services.tender_status_set(actor=procurement, tender=tender, to_status="published")
    assert "at least one lot with items" in messages_of(exc)


def test_tender_cannot_jump_to_awarded_by_hand(procurement, published):
    tender, _lot = published
    with pytest.raises(ValidationError) as exc:
        services.tender_status_set(actor=procurement, tender=tender, to_status="awarded")
    assert "cannot go from Published to Awarded" in messages_of(exc)


def test_dates_cannot_change_once_bids_are_recorded(procurement, with_bids):
    tender, _lot, _bids = with_bids
    tender.deadline_on = datetime.date(2024, 4, 30)
    with pytest.raises(ValidationError) as exc:
        services.tender_save(actor=procurement, tender=tender)
    assert "converted to EUR at the deadline's rate" in messages_of(exc)


def test_cycle_cannot_change_once_lots_exist(procurement, published, other_cycle):
    tender, _lot = published
    tender.cycle = other_cycle
    with pytest.raises(ValidationError) as exc:
        services.tender_save(actor=procurement, tender=tender)
    assert "cycle cannot change" in messages_of(exc)


def test_cancelling_gives_the_items_back_as_specified(procurement, published, items):
    tender, _lot = published
    with pytest.raises(ValidationError):
        services.tender_status_set(actor=procurement, tender=tender, to_status="cancelled")
    services.tender_status_set(
        actor=procurement, tender=tender, to_status="cancelled", reason="No budget left"
    )
    assert [item_status(i) for i in items] == [Status.SPECIFIED, Status.SPECIFIED]
    assert not LotItem.objects.filter(active=True).exists()
    released = AuditEntry.objects.filter(action="procurement.lot.items_released")
    assert released.count() == 2 and "No budget left" in released[0].detail["reason"]
    # The items may go into a new tender.
    again = new_tender(procurement, tender.cycle, code="T-2")
    new_lot(procurement, again, items)
    assert item_status(items[0]) == Status.TENDERED


def test_an_awarded_tender_cannot_be_cancelled(procurement, awarded):
    tender = awarded[0]
    with pytest.raises(ValidationError) as exc:
        services.tender_status_set(
            actor=procurement, tender=tender, to_status="cancelled", reason="x"
        )
    assert "cannot go from Awarded to Cancelled" in messages_of(exc)


# Lots


def test_adding_items_to_a_lot_tenders_them(procurement, cycle, items):
    tender = new_tender(procurement, cycle)
    lot = new_lot(procurement, tender, items)
    assert [item_status(i) for i in items] == [Status.TENDERED, Status.TENDERED]
    assert set(lot.items.values_list("code", flat=True)) == {"EQ-SEW", "EQ-EMB"}
    assert AuditEntry.objects.filter(action="procurement.lot.items_set").exists()
    assert AuditEntry.objects.filter(action="equipment.statuschange.created").count() == 2


def test_items_of_another_cycle_are_refused(procurement, cycle, other_cycle, workshop):
    stranger = EquipmentItemFactory(code="EQ-OTHER", cycle=other_cycle, workshop=workshop)
    tender = new_tender(procurement, cycle)
    with pytest.raises(ValidationError) as exc:
        new_lot(procurement, tender, [stranger])
    assert "EQ-OTHER belongs to another project cycle (RESOC-6)" in messages_of(exc)
    assert item_status(stranger) == Status.SPECIFIED


def test_an_item_belongs_to_one_active_lot_only(procurement, published, cycle, items):
    new_tender(procurement, cycle, code="T-2")
    second = Tender.objects.get(code="T-2")
    with pytest.raises(ValidationError) as exc:
        new_lot(procurement, second, [items[0]])
    # Already tendered, and so refused before it could be in two lots.
    assert "EQ-SEW is Tendered" in messages_of(exc)


def test_the_database_refuses_an_item_in_two_active_lots(procurement, published, cycle, items):
    other = LotFactory(tender__cycle=cycle)
    with pytest.raises(IntegrityError), transaction.atomic():
        LotItem.objects.create(lot=other, item=items[0])


def test_only_specified_items_can_be_tendered(procurement, cycle, workshop):
    ordered = EquipmentItemFactory(code="EQ-ORD", cycle=cycle, workshop=workshop)
    ordered.status = Status.ORDERED
    ordered.save()
    tender = new_tender(procurement, cycle)
    with pytest.raises(ValidationError) as exc:
        new_lot(procurement, tender, [ordered])
    assert "only specified items can be tendered" in messages_of(exc)


def test_taking_an_item_out_of_a_lot_returns_it_to_specified(procurement, published, items):
    _tender, lot = published
    services.lot_save(actor=procurement, lot=lot, items=[items[1]])
    assert item_status(items[0]) == Status.SPECIFIED
    change = items[0].status_changes.first()
    assert "Taken out of lot 1 of tender T-1" in change.reason


def test_items_of_a_lot_with_bids_cannot_change(procurement, with_bids, items):
    _tender, lot, _bids = with_bids
    with pytest.raises(ValidationError) as exc:
        services.lot_save(actor=procurement, lot=lot, items=[items[0]])
    assert "has bids" in messages_of(exc)


def test_a_lot_needs_items(procurement, cycle):
    tender = new_tender(procurement, cycle)
    with pytest.raises(ValidationError) as exc:
        new_lot(procurement, tender, [])
    assert "at least one item" in messages_of(exc)


# Bids


def test_bid_in_another_currency_is_compared_at_the_deadline_rate(
    procurement, published, suppliers, rsd_rate
):
    # A later rate (after the deadline) is not used.
    ExchangeRateFactory(currency="RSD", valid_from=datetime.date(2024, 4, 1), units_per_eur=1)
    _tender, lot = published
    bid = new_bid(procurement, lot, suppliers[0], "585000.00", currency="rsd")
    assert bid.currency == "RSD"
    assert bid.amount_eur == Decimal("5000.00")
    assert bid.rate_units_per_eur == Decimal("117.00")
    assert AuditEntry.objects.filter(action="procurement.bid.created").exists()


def test_bid_without_a_rate_is_refused_clearly(procurement, published, suppliers):
    _tender, lot = published
    with pytest.raises(ValidationError) as exc:
        new_bid(procurement, lot, suppliers[0], "1000", currency="ALL")
    assert exc.value.message_dict["currency"] == [
        f"No exchange rate for ALL on or before the deadline {DEADLINE}; record the rate first."
    ]


def test_bid_from_an_organisation_that_is_not_a_supplier_is_refused(procurement, published):
    _tender, lot = published
    donor_org = OrganisationFactory(code="DE-AA")
    with pytest.raises(ValidationError) as exc:
        new_bid(procurement, lot, donor_org, "1000")
    assert "DE-AA is not an organisation of kind supplier" in messages_of(exc)


def test_bid_after_the_deadline_is_refused(procurement, published, suppliers):
    _tender, lot = published
    with pytest.raises(ValidationError) as exc:
        new_bid(procurement, lot, suppliers[0], "1000", received_on=datetime.date(2024, 4, 2))
    assert "between the publication (2024-03-01) and the deadline (2024-03-31)" in messages_of(exc)


def test_bids_are_not_taken_for_a_draft_tender(procurement, cycle, items, suppliers):
    tender = new_tender(procurement, cycle)
    lot = new_lot(procurement, tender, items)
    with pytest.raises(ValidationError) as exc:
        new_bid(procurement, lot, suppliers[0], "1000")
    assert "not Draft" in messages_of(exc)


def test_one_bid_per_supplier_and_lot(procurement, with_bids, suppliers):
    _tender, lot, _bids = with_bids
    with pytest.raises(ValidationError) as exc:
        new_bid(procurement, lot, suppliers[0], "1000")
    assert "has a bid for this lot already" in messages_of(exc)


# Evaluators and declarations


def test_only_the_evaluator_declares_for_themself(procurement, published, evaluator_user):
    tender, _lot = published
    seat = services.evaluator_add(actor=procurement, tender=tender, user=evaluator_user)
    with pytest.raises(ValidationError) as exc:
        services.evaluator_declare(actor=procurement, evaluator=seat, no_conflict=True)
    assert "Only the evaluator" in messages_of(exc)
    seat = services.evaluator_declare(actor=evaluator_user, evaluator=seat, no_conflict=True)
    assert seat.may_evaluate and seat.declared_at is not None


def test_a_declared_conflict_needs_details_and_cannot_be_withdrawn(published, evaluator_user):
    tender, _lot = published
    seat = services.evaluator_add(actor=evaluator_user, tender=tender, user=evaluator_user)
    with pytest.raises(ValidationError):
        services.evaluator_declare(actor=evaluator_user, evaluator=seat, no_conflict=False)
    services.evaluator_declare(
        actor=evaluator_user, evaluator=seat, no_conflict=False, notes="My brother owns SUP-A"
    )
    with pytest.raises(ValidationError) as exc:
        services.evaluator_declare(actor=evaluator_user, evaluator=seat, no_conflict=True)
    assert "cannot be withdrawn" in messages_of(exc)


def test_donors_cannot_sit_on_the_committee(procurement, published, donor):
    tender, _lot = published
    with pytest.raises(ValidationError) as exc:
        services.evaluator_add(actor=procurement, tender=tender, user=donor)
    assert "cannot evaluate tenders" in messages_of(exc)


def test_an_evaluator_with_a_conflict_cannot_score(
    procurement, published, suppliers, evaluator_user
):
    tender, lot = published
    bid = new_bid(procurement, lot, suppliers[0], "5000")
    declare(evaluator_user, tender, no_conflict=False, notes="Former employee of SUP-A")
    with pytest.raises(ValidationError) as exc:
        services.bid_score_save(actor=evaluator_user, bid=bid, score=Decimal("80"))
    assert "cannot score or vote" in messages_of(exc)
    assert not BidScore.objects.exists()


def test_an_undeclared_evaluator_cannot_score(procurement, published, suppliers, evaluator_user):
    tender, lot = published
    bid = new_bid(procurement, lot, suppliers[0], "5000")
    services.evaluator_add(actor=procurement, tender=tender, user=evaluator_user)
    with pytest.raises(ValidationError) as exc:
        services.bid_score_save(actor=evaluator_user, bid=bid, score=Decimal("80"))
    assert "Declare that you have no conflict" in messages_of(exc)


def test_a_declared_evaluator_scores_and_rescores(with_bids, evaluator_user):
    _tender, _lot, bids = with_bids
    services.bid_score_save(actor=evaluator_user, bid=bids[0], score=Decimal("70"))
    services.bid_score_save(actor=evaluator_user, bid=bids[0], score=Decimal("85"), notes="ok")
    assert list(BidScore.objects.values_list("score", flat=True)) == [Decimal("85.00")]


def test_someone_off_the_committee_cannot_score(with_bids, procurement):
    _tender, _lot, bids = with_bids
    with pytest.raises(ValidationError) as exc:
        services.bid_score_save(actor=procurement, bid=bids[0], score=Decimal("50"))
    assert "Only the tender's evaluators" in messages_of(exc)


# Award


def test_award_to_the_lowest_compliant_bid_needs_no_reason(awarded):
    tender, lot, bids, award = awarded
    assert award.bid == bids[0] and award.reason == ""
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARDED
    assert AuditEntry.objects.filter(action="procurement.award.created").exists()


def test_award_to_a_non_compliant_bid_is_refused(with_bids, procurement):
    _tender, lot, bids = with_bids
    with pytest.raises(ValidationError) as exc:
        services.lot_award(actor=procurement, lot=lot, bid=bids[1], awarded_on=AWARDED)
    assert "Only a compliant bid" in messages_of(exc)


def test_award_to_a_higher_bid_needs_a_reason(with_bids, procurement):
    _tender, lot, bids = with_bids
    with pytest.raises(ValidationError) as exc:
        services.lot_award(actor=procurement, lot=lot, bid=bids[2], awarded_on=AWARDED)
    assert exc.value.message_dict["reason"] == [
        "This bid (6000.00 EUR) is not the lowest compliant one (5000.00 EUR); give the reason "
        "for awarding it."
    ]
    award = services.lot_award(
        actor=procurement,
        lot=lot,
        bid=bids[2],
        awarded_on=AWARDED,
        reason="Delivery in 2 weeks instead of 4 months",
    )
    assert award.reason.startswith("Delivery")


def test_award_of_a_bid_of_another_lot_is_refused(with_bids, procurement, suppliers):
    tender, lot, _bids = with_bids
    stray = BidFactory(lot=LotFactory(tender=tender, number=9), supplier=suppliers[0])
    with pytest.raises(ValidationError) as exc:
        services.lot_award(actor=procurement, lot=lot, bid=stray, awarded_on=AWARDED)
    assert "another lot" in messages_of(exc)


def test_award_needs_an_evaluator_without_conflict(published, procurement, suppliers):
    _tender, lot = published
    bid = new_bid(procurement, lot, suppliers[0], "5000")
    with pytest.raises(ValidationError) as exc:
        services.lot_award(actor=procurement, lot=lot, bid=bid, awarded_on=AWARDED)
    assert "At least one evaluator must have declared no conflict" in messages_of(exc)


def test_an_evaluator_with_a_conflict_cannot_vote(with_bids, procurement, manager):
    tender, lot, bids = with_bids
    seat = services.evaluator_add(actor=procurement, tender=tender, user=manager)
    services.evaluator_declare(actor=manager, evaluator=seat, no_conflict=False, notes="Cousin")
    with pytest.raises(ValidationError) as exc:
        services.lot_award(actor=manager, lot=lot, bid=bids[0], awarded_on=AWARDED)
    assert "you cannot award" in messages_of(exc)


def test_award_before_the_deadline_is_refused(with_bids, procurement):
    _tender, lot, bids = with_bids
    with pytest.raises(ValidationError) as exc:
        services.lot_award(
            actor=procurement, lot=lot, bid=bids[0], awarded_on=datetime.date(2024, 3, 30)
        )
    assert "before the deadline" in messages_of(exc)


def test_three_quotations_need_three_bids(procurement, cycle, items, suppliers, evaluator_user):
    tender = new_tender(procurement, cycle, method=Tender.Method.THREE_QUOTATIONS)
    lot = new_lot(procurement, tender, items)
    services.tender_status_set(actor=procurement, tender=tender, to_status="published")
    bids = [new_bid(procurement, lot, s, str(1000 + i)) for i, s in enumerate(suppliers[:2])]
    declare(evaluator_user, tender)
    with pytest.raises(ValidationError) as exc:
        services.lot_award(actor=procurement, lot=lot, bid=bids[0], awarded_on=AWARDED)
    assert "needs at least 3 bids; this lot has 2" in messages_of(exc)
    new_bid(procurement, lot, suppliers[2], "1500")
    services.lot_award(actor=procurement, lot=lot, bid=bids[0], awarded_on=AWARDED)


def test_a_lot_is_awarded_once_and_its_bids_freeze(awarded, procurement, suppliers):
    _tender, lot, bids, _award = awarded
    with pytest.raises(ValidationError):
        services.lot_award(actor=procurement, lot=lot, bid=bids[2], awarded_on=AWARDED, reason="x")
    bids[1].compliant = True
    with pytest.raises(ValidationError) as exc:
        services.bid_save(actor=procurement, bid=bids[1])
    assert "awarded" in messages_of(exc).lower()


def test_tender_stays_in_evaluation_until_every_lot_is_awarded(
    procurement, cycle, workshop, items, suppliers, evaluator_user
):
    tender = new_tender(procurement, cycle)
    first = new_lot(procurement, tender, items[:1], number=1)
    new_lot(procurement, tender, items[1:], number=2)
    services.tender_status_set(actor=procurement, tender=tender, to_status="published")
    bid = new_bid(procurement, first, suppliers[0], "2000")
    declare(evaluator_user, tender)
    services.lot_award(actor=procurement, lot=first, bid=bid, awarded_on=AWARDED)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.EVALUATION
    # Now partly awarded, it can no longer be cancelled.
    with pytest.raises(ValidationError) as exc:
        services.tender_status_set(
            actor=procurement, tender=tender, to_status="cancelled", reason="x"
        )
    assert "awarded lots cannot be cancelled" in messages_of(exc)


# Purchase order


def test_purchase_order_orders_the_items_with_prices_split_to_the_cent(ordered, items, suppliers):
    _tender, _lot, order = ordered
    assert (order.amount, order.currency) == (Decimal("5000.00"), "EUR")
    sewing, embroidery = (i.__class__.objects.get(pk=i.pk) for i in items)
    # Estimated 2,000 and 3,000 of 5,000: the bid of 5,000 keeps those proportions.
    assert (sewing.status, embroidery.status) == (Status.ORDERED, Status.ORDERED)
    assert sewing.unit_price == Decimal("1000.00") and embroidery.unit_price == Decimal("3000.00")
    assert sewing.supplier == suppliers[0] == embroidery.supplier
    assert sewing.ordered_on == ORDERED
    assert sewing.value_eur + embroidery.value_eur == order.amount


def test_an_uneven_amount_is_split_without_losing_a_cent(awarded, procurement, items):
    _tender, _lot, _bids, award = awarded
    services.purchase_order_issue(
        actor=procurement, award=award, number="PO-7", issued_on=ORDERED, amount=Decimal("4999.99")
    )
    sewing, embroidery = (i.__class__.objects.get(pk=i.pk) for i in items)
    assert sewing.unit_price * 2 + embroidery.unit_price == Decimal("4999.99")


def test_an_amount_that_cannot_be_split_names_one_that_can(
    procurement, cycle, workshop, suppliers, evaluator_user
):
    pair = [
        EquipmentItemFactory(code=f"EQ-P{n}", cycle=cycle, workshop=workshop, quantity=2)
        for n in (1, 2)
    ]
    tender = new_tender(procurement, cycle)
    lot = new_lot(procurement, tender, pair)
    services.tender_status_set(actor=procurement, tender=tender, to_status="published")
    bid = new_bid(procurement, lot, suppliers[0], "4000.01")
    declare(evaluator_user, tender)
    award = services.lot_award(actor=procurement, lot=lot, bid=bid, awarded_on=AWARDED)
    with pytest.raises(ValidationError) as exc:
        services.purchase_order_issue(
            actor=procurement, award=award, number="PO-1", issued_on=ORDERED
        )
    assert exc.value.message_dict["amount"] == [
        "4000.01 EUR cannot be split into whole-cent unit prices over the items' quantities "
        "(2, 2); 4000.00 can."
    ]
    assert not PurchaseOrder.objects.exists()


def test_a_purchase_order_cannot_precede_the_award(awarded, procurement):
    award = awarded[3]
    with pytest.raises(ValidationError) as exc:
        services.purchase_order_issue(
            actor=procurement, award=award, number="PO-1", issued_on=datetime.date(2024, 4, 1)
        )
    assert "cannot precede the award" in messages_of(exc)


def test_one_purchase_order_per_award(ordered, procurement):
    award = Award.objects.get()
    with pytest.raises(ValidationError):
        services.purchase_order_issue(
            actor=procurement, award=award, number="PO-2", issued_on=ORDERED
        )


def test_purchase_order_in_another_currency_values_items_at_the_order_date(
    awarded, procurement, items, rsd_rate
):
    award = awarded[3]
    services.purchase_order_issue(
        actor=procurement,
        award=award,
        number="PO-RSD",
        issued_on=ORDERED,
        amount=Decimal("585000.00"),
        currency="RSD",
    )
    sewing = items[0].__class__.objects.get(pk=items[0].pk)
    assert sewing.currency == "RSD" and sewing.unit_price == Decimal("117000.00")
    assert sewing.value_eur == Decimal("2000.00")


# Delivery


def test_delivery_moves_the_items_to_delivered_with_the_handover(ordered, procurement, items):
    _tender, _lot, order = ordered
    delivery = services.delivery_record(
        actor=procurement,
        order=order,
        delivered_on=DELIVERED,
        items=items[:1],
        handover=handover(),
    )
    sewing = items[0].__class__.objects.get(pk=items[0].pk)
    assert sewing.status == Status.DELIVERED and sewing.delivered_on == DELIVERED
    change = sewing.status_changes.first()
    assert change.to_status == Status.DELIVERED and change.document.name == delivery.handover.name
    assert item_status(items[1]) == Status.ORDERED
    assert AuditEntry.objects.filter(action="procurement.delivery.created").exists()


def test_delivery_needs_a_handover_document(ordered, procurement, items):
    order = ordered[2]
    with pytest.raises(ValidationError) as exc:
        services.delivery_record(
            actor=procurement, order=order, delivered_on=DELIVERED, items=items, handover=None
        )
    assert "handover" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.delivery_record(
            actor=procurement,
            order=order,
            delivered_on=DELIVERED,
            items=items,
            handover=handover("x.pdf", b"MZ not a pdf"),
        )
    assert "PDF" in messages_of(exc)
    assert not Delivery.objects.exists()


def test_items_are_delivered_once_and_only_from_the_order(
    ordered, procurement, items, cycle, workshop
):
    order = ordered[2]
    services.delivery_record(
        actor=procurement, order=order, delivered_on=DELIVERED, items=items, handover=handover()
    )
    with pytest.raises(ValidationError) as exc:
        services.delivery_record(
            actor=procurement, order=order, delivered_on=DELIVERED, items=items, handover=handover()
        )
    assert "Not awaiting delivery: EQ-EMB, EQ-SEW" in messages_of(exc)
    stranger = EquipmentItemFactory(code="EQ-X", cycle=cycle, workshop=workshop)
    with pytest.raises(ValidationError) as exc:
        services.delivery_record(
            actor=procurement, order=order, delivered_on=DELIVERED, items=[stranger],
            handover=handover(),
        )  # fmt: skip
    assert "Not in this order's lot: EQ-X" in messages_of(exc)


def test_a_delivery_cannot_precede_the_order_or_lie_in_the_future(ordered, procurement, items):
    order = ordered[2]
    for day in (datetime.date(2024, 4, 1), datetime.date(2999, 1, 1)):
        with pytest.raises(ValidationError) as exc:
            services.delivery_record(
                actor=procurement, order=order, delivered_on=day, items=items, handover=handover()
            )
        assert "delivered_on" in exc.value.message_dict


def test_supplier_factory_is_a_supplier():
    assert SupplierFactory().kind == "supplier"


def test_an_item_in_an_active_lot_cannot_join_another(procurement, published, cycle, items):
    # Moved back by hand on the equipment page, but still in lot 1 of T-1.
    equipment_status_change(
        actor=procurement,
        item=items[0],
        to_status=Status.SPECIFIED,
        on=datetime.date(2024, 3, 2),
        reason="Specification revised",
    )
    second = new_tender(procurement, cycle, code="T-2")
    with pytest.raises(ValidationError) as exc:
        new_lot(procurement, second, [items[0]])
    assert "EQ-SEW is in lot 1 of tender T-1 already" in messages_of(exc)
