import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.core.seeding import SeedContext, registry, seed_run
from resoc.core.seeding import procurement as tender_seeding
from resoc.equipment.models import EquipmentItem, Status
from resoc.procurement.models import Award, Bid, Delivery, LotItem, PurchaseOrder, Tender
from resoc.procurement.selectors import lowest_compliant
from resoc.procurement.tests.factories import EquipmentItemFactory
from resoc.registry.models import Organisation, ProjectCycle, Workshop

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def ctx():
    context = SeedContext(seed=5, ref_prefix="S5-")
    registry.seed_registry(context)
    return context


def _item(code, status, cycle, workshop, supplier=None, ordered=None, delivered=None, **kw):
    return EquipmentItemFactory(
        code=code,
        status=status,
        cycle=cycle,
        workshop=workshop,
        supplier=supplier,
        ordered_on=ordered,
        delivered_on=delivered,
        status_on=delivered or ordered or D(2025, 9, 1),
        **kw,
    )


@pytest.fixture
def equipment(ctx):
    """Items in every phase, as the equipment seeding leaves them."""
    cycle = ProjectCycle.objects.get(code="RESOC-7")
    workshop = Workshop.objects.get(code="RS-NIS-TAI")
    supplier = Organisation.objects.get(code="SUP-TEKSTILOPREMA")
    return {
        "specified": _item("EQ-S", Status.SPECIFIED, cycle, workshop),
        "tendered": _item("EQ-T", Status.TENDERED, cycle, workshop),
        "ordered": _item(
            "EQ-O", Status.ORDERED, cycle, workshop, supplier, ordered=D(2024, 6, 1),
            quantity=3, unit_price=Decimal("1500.00"), currency="RSD",
        ),
        "in_use": [
            _item(
                f"EQ-U{n}", Status.IN_USE, cycle, workshop, supplier,
                ordered=D(2024, 5, 1), delivered=D(2024, 5, 10 + n),
            )
            for n in range(2)
        ],
    }  # fmt: skip


def test_tenders_explain_every_item_past_specification(ctx, equipment, procurement):
    tender_seeding.seed_tenders(ctx)
    assert not LotItem.objects.filter(item=equipment["specified"]).exists()
    tendered = LotItem.objects.get(item=equipment["tendered"]).lot
    assert tendered.tender.status in (Tender.Status.PUBLISHED, Tender.Status.EVALUATION)
    assert tendered.bids.exists() and not Award.objects.filter(lot=tendered).exists()

    for item in [equipment["ordered"], *equipment["in_use"]]:
        lot = LotItem.objects.get(item=item).lot
        assert lot.tender.status == Tender.Status.AWARDED
        award = lot.award
        assert award.bid.supplier_id == item.supplier_id and award.bid.compliant
        assert award.bid.amount_eur == lowest_compliant(lot.bids.all())
        order = award.purchase_order
        assert order.issued_on == item.ordered_on
        tender = lot.tender
        assert tender.published_on <= tender.deadline_on <= award.awarded_on <= order.issued_on
        assert list(tender.evaluators.values_list("user__username", "declared_no_conflict")) == [
            ("procurement", True)
        ]
        assert award.by == procurement
        if tender.method == Tender.Method.THREE_QUOTATIONS:
            assert lot.bids.count() >= 3
        assert all(
            tender.published_on <= b.received_on <= tender.deadline_on for b in lot.bids.all()
        )

    ordered_lot = LotItem.objects.get(item=equipment["ordered"]).lot
    assert ordered_lot.award.bid.amount == Decimal("4500.00")
    assert ordered_lot.award.bid.currency == "RSD"
    deliveries = Delivery.objects.filter(items__in=equipment["in_use"]).distinct()
    assert sorted(d.delivered_on for d in deliveries) == [D(2024, 5, 10), D(2024, 5, 11)]


def test_seeding_again_adds_no_second_tender_for_the_same_items(ctx, equipment):
    tender_seeding.seed_tenders(ctx)
    counts = (Tender.objects.count(), Bid.objects.count(), PurchaseOrder.objects.count())
    tender_seeding.seed_tenders(ctx)
    assert (Tender.objects.count(), Bid.objects.count(), PurchaseOrder.objects.count()) == counts


def test_the_same_seed_gives_the_same_tenders(ctx, equipment):
    def snapshot():
        return sorted(
            Bid.objects.values_list(
                "lot__tender__code", "lot__tender__method", "lot__number", "supplier__code",
                "amount", "compliant", "received_on",
            )
        )  # fmt: skip

    tender_seeding.seed_tenders(ctx)
    first = snapshot()
    for model in (Delivery, PurchaseOrder, Award, Tender):
        model.objects.all().delete()
    tender_seeding.seed_tenders(SeedContext(seed=5, ref_prefix="S5-"))
    assert snapshot() == first


def test_seed_counts_and_pages_of_seeded_tenders(ctx, equipment, client_for, donor):
    tender_seeding.seed_tenders(ctx)
    assert ctx.counts["tender"] == Tender.objects.count() >= 2
    assert ctx.counts["bid"] == Bid.objects.count()
    tender = Tender.objects.filter(status=Tender.Status.AWARDED).first()
    response = client_for(donor).get(reverse("procurement:tender_detail", args=[tender.code]))
    assert response.status_code == 200 and "Awarded to" in response.text


def test_seed_run_builds_tenders_over_the_seeded_equipment(ctx):
    seed_run(persons=20, seed=5)
    seeded = EquipmentItem.objects.exclude(status=Status.SPECIFIED)
    in_lots = LotItem.objects.filter(active=True, item__in=seeded).count()
    assert in_lots == seeded.count()


def test_committees_are_seated_once_users_exist(ctx, equipment):
    tender_seeding.seed_tenders(ctx)
    awarded = Tender.objects.filter(status=Tender.Status.AWARDED)
    assert not awarded.filter(evaluators__isnull=False).exists()
    assert not Award.objects.filter(by__isnull=False).exists()
    officer = UserFactory(username="zz-procurement", role=Role.PROCUREMENT)
    UserFactory(username="aa-manager", role=Role.MANAGER)
    UserFactory(username="donor", role=Role.DONOR)
    seats = tender_seeding.seed_committees(seed=5)
    assert seats == 2 * Tender.objects.count()
    tender = awarded.first()
    assert sorted(tender.evaluators.values_list("user__username", flat=True)) == [
        "aa-manager",
        "zz-procurement",
    ]
    assert set(Award.objects.values_list("by", flat=True)) == {officer.pk}
    assert tender_seeding.seed_committees(seed=5) == 0
