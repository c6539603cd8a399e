"""Reading tenders through the user's role, and the comparison of bids of a tender's lots."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from resoc.accounts.roles import has_role
from resoc.equipment.models import EquipmentItem, Status
from resoc.procurement import roles
from resoc.procurement.models import Award, Bid, BidScore, Evaluator, Lot, LotItem, Tender


def tender_list_for_user(*, user) -> QuerySet[Tender]:
    qs = (
        Tender.objects.select_related("cycle")
        .annotate(lot_count=Count("lots"))
        .order_by("-published_on", "code")
    )
    if not has_role(user, roles.TENDER_READERS):
        return qs.none()
    return qs


def tender_get_for_user(*, user, code: str) -> Tender:
    tender = tender_list_for_user(user=user).filter(code=code).first()
    if tender is None:
        raise Http404
    return tender


def lot_get(*, tender: Tender, number: int) -> Lot:
    lot = tender.lots.filter(number=number).first()
    if lot is None:
        raise Http404
    return lot


def bid_get(*, tender: Tender, pk: int) -> Bid:
    bid = Bid.objects.select_related("lot", "supplier").filter(lot__tender=tender, pk=pk).first()
    if bid is None:
        raise Http404
    return bid


def lowest_compliant(bids) -> Decimal | None:
    amounts = [b.amount_eur for b in bids if b.compliant]
    return min(amounts) if amounts else None


def items_for_lot(*, tender: Tender, lot: Lot | None = None) -> QuerySet[EquipmentItem]:
    """The cycle's items that may go into the lot: specified ones, and the lot's own."""
    qs = EquipmentItem.objects.filter(cycle_id=tender.cycle_id).select_related(
        "workshop", "workshop__institution"
    )
    own = LotItem.objects.filter(lot=lot, active=True).values("item") if lot else []
    free = qs.filter(status=Status.SPECIFIED).exclude(
        pk__in=LotItem.objects.filter(active=True).values("item")
    )
    if lot is None:
        return free
    return (free | qs.filter(pk__in=own)).distinct()


@dataclass
class BidRow:
    bid: Bid
    lowest: bool  # the lowest compliant bid of its lot (ties: all of them)
    awarded: bool
    scores: list = field(default_factory=list)

    @property
    def average_score(self) -> Decimal | None:
        if not self.scores:
            return None
        total = sum((s.score for s in self.scores), Decimal("0"))
        return (total / len(self.scores)).quantize(Decimal("0.01"))


@dataclass
class LotComparison:
    lot: Lot
    items: list
    rows: list[BidRow]
    award: Award | None
    order: object | None
    deliveries: list
    estimated: dict  # currency -> estimated total of the items
    lowest_eur: Decimal | None

    @property
    def undelivered(self) -> list:
        return [i for i in self.items if i.status == Status.ORDERED]


def _award_of(lot):
    try:
        return lot.award
    except Award.DoesNotExist:
        return None


def _order_of(award):
    if award is None:
        return None
    try:
        return award.purchase_order
    except Award.purchase_order.RelatedObjectDoesNotExist:
        return None


def tender_comparison(*, tender: Tender) -> tuple[list[LotComparison], list[Evaluator]]:
    """Each lot with its items and its bids sorted by amount in EUR, in a constant number of
    queries whatever the number of lots, bids and scores."""
    evaluators = list(tender.evaluators.select_related("user"))
    lots = list(
        tender.lots.select_related(
            "award__bid__supplier", "award__by", "award__purchase_order"
        ).prefetch_related(
            Prefetch(
                "lot_items",
                queryset=LotItem.objects.filter(active=True).select_related(
                    "item__workshop__institution", "item__supplier"
                ),
            ),
            Prefetch(
                "bids",
                queryset=Bid.objects.select_related("supplier").order_by("amount_eur", "pk"),
            ),
            Prefetch(
                "bids__scores",
                queryset=BidScore.objects.select_related("evaluator__user"),
            ),
            "award__purchase_order__deliveries__items",
        )
    )
    comparisons = []
    for lot in lots:
        items = [li.item for li in lot.lot_items.all()]
        bids = list(lot.bids.all())
        award = _award_of(lot)
        order = _order_of(award)
        lowest = lowest_compliant(bids)
        estimated: dict[str, Decimal] = {}
        for item in items:
            estimated[item.currency] = estimated.get(item.currency, Decimal("0")) + (
                item.total_price
            )
        rows = [
            BidRow(
                bid=b,
                lowest=b.compliant and b.amount_eur == lowest,
                awarded=award is not None and award.bid_id == b.pk,
                scores=list(b.scores.all()),
            )
            for b in bids
        ]
        comparisons.append(
            LotComparison(
                lot=lot,
                items=items,
                rows=rows,
                award=award,
                order=order,
                deliveries=list(order.deliveries.all()) if order else [],
                estimated=estimated,
                lowest_eur=lowest,
            )
        )
    return comparisons, evaluators
