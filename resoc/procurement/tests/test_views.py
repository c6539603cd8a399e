import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resoc.core.testing import queries_of
from resoc.equipment.models import Status
from resoc.procurement import services
from resoc.procurement.models import Award, Bid, Delivery, Evaluator, Lot, PurchaseOrder, Tender
from resoc.procurement.tests.conftest import (
    AWARDED,
    DELIVERED,
    ORDERED,
    PDF,
    declare,
    item_status,
    new_bid,
    new_tender,
)
from resoc.procurement.tests.factories import (
    BidFactory,
    EquipmentItemFactory,
    LotFactory,
    SupplierFactory,
    TenderFactory,
)

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"procurement:{name}", args=args)


# Reading


@pytest.mark.parametrize("persona", ["procurement", "donor", "auditor", "coordinator_rs"])
def test_readers_see_the_tender_list_and_detail(request, client_for, persona, published):
    tender, _lot = published
    client = client_for(request.getfixturevalue(persona))
    assert tender.code in client.get(url("tender_list")).text
    assert client.get(url("tender_detail", tender.code)).status_code == 200


@pytest.mark.parametrize("persona", ["officer_a", "commissioner_nis"])
def test_other_roles_may_not_read_tenders(request, client_for, persona, published):
    tender, _lot = published
    client = client_for(request.getfixturevalue(persona))
    assert client.get(url("tender_list")).status_code == 403
    assert client.get(url("tender_detail", tender.code)).status_code == 403


def test_unknown_tender_answers_404(client_for, donor):
    assert client_for(donor).get(url("tender_detail", "NOPE")).status_code == 404


def test_nav_shows_procurement_to_readers_only(client_for, donor, officer_a):
    assert url("tender_list") in client_for(donor).get(reverse("home")).text
    assert url("tender_list") not in client_for(officer_a).get(reverse("home")).text


def test_list_filters_by_cycle_status_and_method(client_for, donor, cycle, other_cycle):
    TenderFactory(code="T-OPEN", cycle=cycle, method="open", status="published")
    TenderFactory(code="T-3Q", cycle=cycle, method="three_quotations", status="draft")
    TenderFactory(code="T-OLD", cycle=other_cycle, method="open", status="awarded")
    client = client_for(donor)

    def codes(**params):
        text = client.get(url("tender_list"), params).text
        return {c for c in ("T-OPEN", "T-3Q", "T-OLD") if f">{c}<" in text}

    assert codes() == {"T-OPEN", "T-3Q", "T-OLD"}
    assert codes(cycle="RESOC-6") == {"T-OLD"}
    assert codes(status="draft") == {"T-3Q"}
    assert codes(method="open", cycle="RESOC-7") == {"T-OPEN"}


def test_tender_list_runs_a_constant_number_of_queries(client_for, donor, cycle):
    client = client_for(donor)
    TenderFactory.create_batch(2, cycle=cycle)
    few = queries_of(lambda: client.get(url("tender_list")))
    TenderFactory.create_batch(10, cycle=cycle)
    assert queries_of(lambda: client.get(url("tender_list"))) == few


# The comparison of bids


def test_comparison_sorts_bids_in_eur_and_marks_the_lowest_compliant(
    client_for, donor, with_bids, rsd_rate, procurement
):
    _tender, lot, bids = with_bids
    # 526,500 RSD = 4,500 EUR: the lowest compliant bid, although its amount looks larger.
    cheap = new_bid(procurement, lot, SupplierFactory(name="Dinar Supplier"), "526500", "RSD")
    text = client_for(donor).get(url("tender_detail", lot.tender.code)).text
    table = text[text.index("Comparison of bids") :]
    order = [
        table.index(name) for name in ("Supplier B", "Dinar Supplier", "Supplier A", "Supplier C")
    ]
    assert order == sorted(order)  # 4,500 (non-compliant), 4,500 RSD, 5,000, 6,000
    assert cheap.amount_eur == Decimal("4500.00")
    lowest_rows = [row for row in table.split("<tr") if 'class="lowest' in row]
    assert len(lowest_rows) == 1 and "Dinar Supplier" in lowest_rows[0]
    assert "no conflict" in text  # the evaluator's declaration


def test_comparison_shows_the_award_and_its_reason(client_for, donor, with_bids, procurement):
    tender, lot, bids = with_bids
    services.lot_award(
        actor=procurement, lot=lot, bid=bids[2], awarded_on=AWARDED, reason="Faster delivery"
    )
    text = client_for(donor).get(url("tender_detail", tender.code)).text
    assert "Awarded to Supplier C" in text and "Faster delivery" in text


def test_comparison_page_runs_a_constant_number_of_queries(
    client_for, donor, published, evaluator_user
):
    tender, lot = published
    declare(evaluator_user, tender)
    client = client_for(donor)

    def add_bids(n):
        for i in range(n):
            bid = BidFactory(lot=lot, amount=Decimal(1000 + i), amount_eur=Decimal(1000 + i))
            bid.scores.create(evaluator=Evaluator.objects.get(), score=Decimal(50 + i))

    add_bids(2)
    two = queries_of(lambda: client.get(url("tender_detail", tender.code)))
    add_bids(8)
    assert Bid.objects.count() == 10
    assert queries_of(lambda: client.get(url("tender_detail", tender.code))) == two
    # More lots, with items, bids and awards, cost no more either.
    for number in (2, 3, 4):
        extra = LotFactory(
            tender=tender, number=number, items=[EquipmentItemFactory(cycle=tender.cycle)]
        )
        bid = BidFactory(lot=extra)
        Award.objects.create(lot=extra, bid=bid, awarded_on=AWARDED, by=evaluator_user)
    assert queries_of(lambda: client.get(url("tender_detail", tender.code))) == two


# Writing: tenders and lots


def test_procurement_officer_creates_a_tender(client_for, procurement, cycle):
    response = client_for(procurement).post(
        url("tender_create"),
        {"code": "T-9", "cycle": cycle.pk, "title": "Ovens", "method": "open",
         "published_on": "2024-03-01", "deadline_on": "2024-03-31"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Tender.objects.get(code="T-9").status == Tender.Status.DRAFT


def test_tender_form_shows_the_date_rule(client_for, procurement, cycle):
    response = client_for(procurement).post(
        url("tender_create"),
        {"code": "T-9", "cycle": cycle.pk, "title": "Ovens", "method": "open",
         "published_on": "2024-03-01", "deadline_on": "2024-02-01"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "The deadline cannot precede the publication date." in response.text


@pytest.mark.parametrize("persona", ["donor", "officer_a", "coordinator_rs", "auditor"])
def test_others_cannot_create_or_edit_tenders(request, client_for, persona, cycle, published):
    tender, _lot = published
    client = client_for(request.getfixturevalue(persona))
    data = {"code": "T-9", "cycle": cycle.pk, "title": "x", "method": "open",
            "published_on": "2024-03-01", "deadline_on": "2024-03-31"}  # fmt: skip
    assert client.get(url("tender_create")).status_code == 403
    assert client.post(url("tender_create"), data).status_code == 403
    assert client.post(url("tender_edit", tender.code), data).status_code == 403
    assert not Tender.objects.filter(code="T-9").exists()


def test_lot_form_offers_the_cycles_specified_items_and_tenders_them(
    client_for, procurement, cycle, items, workshop
):
    stranger = EquipmentItemFactory(code="EQ-ELSEWHERE", workshop=workshop)
    tender = new_tender(procurement, cycle)
    client = client_for(procurement)
    page = client.get(url("lot_create", tender.code)).text
    assert "EQ-SEW" in page and "EQ-EMB" in page and "EQ-ELSEWHERE" not in page
    response = client.post(
        url("lot_create", tender.code),
        {"number": 1, "title": "Sewing", "items": [items[0].pk]},
    )
    assert response.status_code == 302
    assert item_status(items[0]) == Status.TENDERED
    assert item_status(stranger) == Status.SPECIFIED
    response = client.post(
        url("lot_create", tender.code), {"number": 2, "title": "x", "items": [stranger.pk]}
    )
    assert response.status_code == 200 and Lot.objects.count() == 1


def test_donor_cannot_add_a_lot(client_for, donor, procurement, cycle, items):
    tender = new_tender(procurement, cycle)
    response = client_for(donor).post(
        url("lot_create", tender.code), {"number": 1, "title": "x", "items": [items[0].pk]}
    )
    assert response.status_code == 403
    assert item_status(items[0]) == Status.SPECIFIED


def test_status_change_page_publishes_and_cancels(client_for, procurement, published, items):
    tender, _lot = published
    client = client_for(procurement)
    response = client.post(url("tender_status", tender.code), {"to_status": "cancelled"})
    assert "Give the reason" in response.text
    response = client.post(
        url("tender_status", tender.code), {"to_status": "cancelled", "reason": "Budget cut"}
    )
    assert response.status_code == 302
    tender.refresh_from_db()
    assert tender.status == Tender.Status.CANCELLED
    assert item_status(items[0]) == Status.SPECIFIED


def test_officer_cannot_change_a_tenders_status(client_for, officer_a, published):
    tender, _lot = published
    response = client_for(officer_a).post(
        url("tender_status", tender.code), {"to_status": "cancelled", "reason": "x"}
    )
    assert response.status_code == 403


# Bids, evaluators, declarations, scores


def test_procurement_officer_records_a_bid_and_sees_rule_errors(
    client_for, procurement, published, suppliers
):
    tender, lot = published
    client = client_for(procurement)
    data = {"supplier": suppliers[0].pk, "amount": "100", "currency": "ALL",
            "compliant": "on", "received_on": "2024-03-10"}  # fmt: skip
    response = client.post(url("bid_create", tender.code, lot.number), data)
    assert response.status_code == 200
    assert "No exchange rate for ALL" in response.text
    data["currency"] = "eur"
    assert client.post(url("bid_create", tender.code, lot.number), data).status_code == 302
    assert Bid.objects.get().currency == "EUR"


def test_donor_cannot_record_or_edit_bids(client_for, donor, with_bids, suppliers):
    tender, lot, bids = with_bids
    client = client_for(donor)
    assert client.get(url("bid_create", tender.code, lot.number)).status_code == 403
    assert client.post(url("bid_edit", tender.code, bids[0].pk), {}).status_code == 403


def test_bid_of_another_tender_answers_404(client_for, procurement, with_bids):
    other = TenderFactory(code="T-OTHER")
    bid = with_bids[2][0]
    assert client_for(procurement).get(url("bid_edit", other.code, bid.pk)).status_code == 404


def test_evaluator_is_added_and_declares_themself(
    client_for, procurement, evaluator_user, published
):
    tender, _lot = published
    response = client_for(procurement).post(
        url("evaluator_add", tender.code), {"user": evaluator_user.pk}
    )
    assert response.status_code == 302
    # The procurement officer is no evaluator: they cannot declare for anyone.
    assert client_for(procurement).get(url("declaration", tender.code)).status_code == 403
    client = client_for(evaluator_user)
    assert "My declaration of interest" in client.get(url("tender_detail", tender.code)).text
    response = client.post(url("declaration", tender.code), {"declaration": "none"})
    assert response.status_code == 302
    assert Evaluator.objects.get().may_evaluate


def test_donor_cannot_add_evaluators(client_for, donor, evaluator_user, published):
    tender, _lot = published
    response = client_for(donor).post(url("evaluator_add", tender.code), {"user": donor.pk})
    assert response.status_code == 403 and not Evaluator.objects.exists()


def test_declared_evaluator_scores_a_bid_and_a_conflicted_one_cannot(
    client_for, with_bids, manager, procurement
):
    tender, _lot, bids = with_bids
    evaluator = Evaluator.objects.get().user
    response = client_for(evaluator).post(
        url("bid_score", tender.code, bids[0].pk), {"score": "88", "notes": "Good"}
    )
    assert response.status_code == 302
    assert bids[0].scores.get().score == Decimal("88")
    seat = services.evaluator_add(actor=procurement, tender=tender, user=manager)
    services.evaluator_declare(actor=manager, evaluator=seat, no_conflict=False, notes="Cousin")
    response = client_for(manager).post(url("bid_score", tender.code, bids[0].pk), {"score": "10"})
    assert response.status_code == 200 and "cannot score or vote" in response.text
    assert client_for(procurement).get(url("bid_score", tender.code, bids[0].pk)).status_code == 403


# Award, order, delivery


def test_award_page_asks_a_reason_for_a_higher_bid(client_for, procurement, with_bids):
    tender, lot, bids = with_bids
    client = client_for(procurement)
    page = client.get(url("lot_award", tender.code, lot.number)).text
    assert "The lowest compliant bid is 5000.00 EUR" in page
    assert "data-lowest" in page and "award-reason" in page
    assert "Supplier B" not in page  # not compliant: not offered
    data = {"bid": bids[2].pk, "awarded_on": AWARDED.isoformat(), "reason": ""}
    response = client.post(url("lot_award", tender.code, lot.number), data)
    assert response.status_code == 200
    assert "give the reason for awarding it" in response.text
    data["reason"] = "Spare parts in the country"
    assert client.post(url("lot_award", tender.code, lot.number), data).status_code == 302
    assert Award.objects.get().bid == bids[2]


def test_donor_cannot_award(client_for, donor, with_bids):
    tender, lot, bids = with_bids
    data = {"bid": bids[0].pk, "awarded_on": AWARDED.isoformat()}
    assert (
        client_for(donor).post(url("lot_award", tender.code, lot.number), data).status_code == 403
    )
    assert not Award.objects.exists()


def test_purchase_order_page_orders_the_items(client_for, procurement, awarded, items):
    tender, lot, _bids, _award = awarded
    client = client_for(procurement)
    page = client.get(url("purchase_order", tender.code, lot.number)).text
    assert 'value="5000.00"' in page
    response = client.post(
        url("purchase_order", tender.code, lot.number),
        {"number": "PO-2024-1", "issued_on": ORDERED.isoformat(), "amount": "5000.00",
         "currency": "EUR"},
    )  # fmt: skip
    assert response.status_code == 302
    assert PurchaseOrder.objects.get().number == "PO-2024-1"
    assert item_status(items[0]) == Status.ORDERED


def test_officer_cannot_issue_a_purchase_order(client_for, officer_a, awarded):
    tender, lot, _bids, _award = awarded
    response = client_for(officer_a).post(
        url("purchase_order", tender.code, lot.number),
        {"number": "PO-1", "issued_on": ORDERED.isoformat(), "amount": "1", "currency": "EUR"},
    )
    assert response.status_code == 403


def test_delivery_page_records_the_handover_and_delivers(
    client_for, procurement, donor, ordered, items
):
    tender, lot, _order = ordered
    client = client_for(procurement)
    response = client.post(
        url("delivery", tender.code, lot.number),
        {"delivered_on": DELIVERED.isoformat(), "items": [items[0].pk]},
    )
    assert response.status_code == 200 and Delivery.objects.count() == 0
    response = client.post(
        url("delivery", tender.code, lot.number),
        {
            "delivered_on": DELIVERED.isoformat(),
            "items": [items[0].pk],
            "handover": SimpleUploadedFile("handover.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    assert item_status(items[0]) == Status.DELIVERED
    delivery = Delivery.objects.get()
    # Readers may download the handover document.
    download = client_for(donor).get(url("handover", tender.code, delivery.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_donor_cannot_record_a_delivery(client_for, donor, ordered, items):
    tender, lot, _order = ordered
    response = client_for(donor).post(
        url("delivery", tender.code, lot.number),
        {"delivered_on": DELIVERED.isoformat(), "items": [items[0].pk],
         "handover": SimpleUploadedFile("h.pdf", PDF, content_type="application/pdf")},
    )  # fmt: skip
    assert response.status_code == 403
    assert item_status(items[0]) == Status.ORDERED


def test_officer_cannot_download_a_handover(client_for, officer_a, procurement, ordered, items):
    tender, _lot, order = ordered
    delivery = services.delivery_record(
        actor=procurement, order=order, delivered_on=DELIVERED, items=items,
        handover=SimpleUploadedFile("h.pdf", PDF, content_type="application/pdf"),
    )  # fmt: skip
    assert client_for(officer_a).get(url("handover", tender.code, delivery.pk)).status_code == 403


def test_dates_in_the_pages_are_not_in_the_future(client_for, procurement, with_bids):
    tender, lot, bids = with_bids
    data = {"bid": bids[0].pk, "awarded_on": (datetime.date.today() + datetime.timedelta(days=30))}
    response = client_for(procurement).post(url("lot_award", tender.code, lot.number), data)
    assert response.status_code == 200 and "cannot be in the future" in response.text
