"""Synthetic tenders over the equipment as it stands: how each item got where it is.

Items that are tendered sit in lots of published tenders (or tenders in evaluation) with bids;
items ordered or later sit in lots of awarded tenders: the winning bid is the lowest compliant
one and equals the items' price (so the order's split gives back their unit prices), with a
purchase order on the order date and deliveries on the delivery dates. Specified items wait for
a tender. Items already in an active lot are left alone, so the step can run again.

The committees are the database's procurement officers (or managers, administrators), who have
declared no conflict of interest; a database without users gets them from `seed_committees`
once it has some (the demo creates its users after seeding).

Bulk inserts only; the same seed and the same items give the same tenders.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from resoc.accounts.models import Role, User
from resoc.core.money import CENT, MissingExchangeRate, Rates
from resoc.equipment.models import STATUS_ORDER, EquipmentItem, Status
from resoc.procurement.models import (
    Award,
    Bid,
    Delivery,
    Evaluator,
    Lot,
    LotItem,
    PurchaseOrder,
    Tender,
)
from resoc.registry.models import Organisation

BATCH = 1000
DAY = datetime.timedelta(days=1)
ITEMS_PER_LOT = 4
LOTS_PER_TENDER = 3
ORDERED_OR_LATER = set(STATUS_ORDER[STATUS_ORDER.index(Status.ORDERED) :])
M = Tender.Method


def _committee() -> list[User]:
    """Who sits on the synthetic committees: up to two active users of the roles that evaluate
    (procurement officers first), or nobody on a database without users."""
    priority = [Role.PROCUREMENT, Role.MANAGER, Role.ADMIN]
    users = User.objects.filter(is_active=True, role__in=priority).order_by("username")
    return sorted(users, key=lambda u: priority.index(u.role))[:2]


def _seats(tender: Tender, users) -> list[Evaluator]:
    declared = datetime.datetime.combine(
        tender.published_on, datetime.time(12), tzinfo=datetime.UTC
    )
    return [
        Evaluator(tender=tender, user=u, declared_no_conflict=True, declared_at=declared)
        for u in users
    ]


def seed_committees(*, seed: int) -> int:
    """Seat the evaluators on the seeded tenders that have none (the demo calls this once its
    users exist). Returns the number of seats."""
    users = _committee()
    tenders = list(
        Tender.objects.filter(code__startswith=f"T{seed}-", evaluators__isnull=True).order_by(
            "code"
        )
    )
    seats = [seat for tender in tenders for seat in _seats(tender, users)]
    Evaluator.objects.bulk_create(seats, batch_size=BATCH)
    if users:
        Award.objects.filter(lot__tender__in=tenders, by__isnull=True).update(by=users[0])
    return len(seats)


def _free_items() -> list[EquipmentItem]:
    """Items past specification that no active lot holds yet, in a stable order."""
    taken = LotItem.objects.filter(active=True).values("item")
    return list(
        EquipmentItem.objects.exclude(status=Status.SPECIFIED)
        .exclude(pk__in=taken)
        .select_related("cycle")
        .order_by("cycle__code", "code")
    )


def _order_date(item: EquipmentItem) -> datetime.date:
    if item.ordered_on:
        return item.ordered_on
    if item.delivered_on:
        return item.delivered_on - 30 * DAY
    return item.status_on or item.cycle.start + 90 * DAY


def _groups(items) -> list[tuple[str, list[list[EquipmentItem]]]]:
    """[(phase, lots)] per tender: lots of one supplier and currency, by cycle and phase."""
    by_key = defaultdict(list)
    for item in items:
        phase = "ordered" if item.status in ORDERED_OR_LATER else "tendered"
        supplier = item.supplier_id if phase == "ordered" else None
        by_key[(item.cycle.code, phase, supplier, item.currency)].append(item)
    tenders, pending = [], defaultdict(list)
    for (cycle_code, phase, _supplier, _currency), group in by_key.items():
        if phase == "ordered":
            group.sort(key=lambda i: (_order_date(i), i.code))
        lots = [group[i : i + ITEMS_PER_LOT] for i in range(0, len(group), ITEMS_PER_LOT)]
        pending[(cycle_code, phase)] += lots
    for (_cycle_code, phase), lots in sorted(pending.items()):
        for i in range(0, len(lots), LOTS_PER_TENDER):
            tenders.append((phase, lots[i : i + LOTS_PER_TENDER]))
    return tenders


def _method(total_eur: Decimal, r) -> str:
    """Small purchases ask three suppliers, large ones are open to all."""
    if total_eur < 60000:
        return M.THREE_QUOTATIONS
    if total_eur > 150000:
        return M.OPEN
    return M.RESTRICTED if r.random() < 0.5 else M.OPEN


def _total(items) -> Decimal:
    return sum((i.unit_price * i.quantity for i in items), Decimal("0"))


def _next_number(prefix: str) -> int:
    codes = Tender.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(c[len(prefix) :]) for c in codes if c[len(prefix) :].isdigit()]
    return max(numbers, default=0) + 1


class _Plan:
    """The records of all tenders, inserted table by table once everything is planned (a
    child's foreign key is taken from its parent when the child is inserted)."""

    TABLES = (
        "tenders", "lots", "lot_items", "bids", "evaluators", "awards", "orders", "deliveries",
        "delivery_items",
    )  # fmt: skip

    def __init__(self):
        for name in self.TABLES:
            setattr(self, name, [])

    def merge(self, other: "_Plan") -> None:
        for name in self.TABLES:
            getattr(self, name).extend(getattr(other, name))


def _bids(r, plan, lot, items, tender, suppliers, winner, rates, received_until):
    """The winning bid (None for lots still in competition) and its competitors."""
    currency = items[0].currency
    total = _total(items)
    others = [s for s in suppliers if s.pk != getattr(winner, "pk", None)]
    count = 2 if tender.method == M.THREE_QUOTATIONS else r.randint(1, 3)
    competitors = r.sample(others, min(len(others), count))
    days = max(0, (received_until - tender.published_on).days)
    planned = []
    if winner is not None:
        planned.append((winner, total, True))
    for supplier in competitors:
        markup = Decimal(r.randint(103, 125)) / 100
        compliant = r.random() < 0.75
        planned.append((supplier, (total * markup).quantize(CENT), compliant))
    made = []
    for supplier, amount, compliant in planned:
        conversion = rates.to_eur(amount, currency, tender.deadline_on)
        bid = Bid(
            lot=lot,
            supplier=supplier,
            amount=amount,
            currency=currency,
            amount_eur=conversion.amount_eur,
            rate_units_per_eur=conversion.units_per_eur,
            compliant=compliant,
            received_on=tender.published_on + r.randint(0, days) * DAY,
        )
        plan.bids.append(bid)
        made.append(bid)
    return made[0] if winner is not None else None


def _plan_tender(ctx, r, plan, phase, lots, code, suppliers, evaluators, rates):
    today = ctx.reference_day
    cycle = lots[0][0].cycle
    total_eur = sum(
        (rates.to_eur(_total(items), items[0].currency, cycle.start).amount_eur for items in lots),
        Decimal("0"),
    )
    if phase == "ordered":
        first_order = min(_order_date(i) for items in lots for i in items)
        deadline = first_order - r.randint(14, 30) * DAY
        published = deadline - r.randint(21, 45) * DAY
        status = Tender.Status.AWARDED
    else:
        since = max((i.status_on or today) for items in lots for i in items)
        published = min(since, today)
        deadline = published + r.randint(20, 40) * DAY
        status = Tender.Status.PUBLISHED if deadline >= today else Tender.Status.EVALUATION
    tender = Tender(
        code=code,
        cycle=cycle,
        title=f"Workshop equipment for {cycle.code}: "
        + ", ".join(sorted({items[0].get_category_display() for items in lots})),
        method=_method(total_eur, r),
        published_on=published,
        deadline_on=deadline,
        status=status,
    )
    plan.tenders.append(tender)
    plan.evaluators += _seats(tender, evaluators)
    for number, items in enumerate(lots, start=1):
        lot = Lot(tender=tender, number=number, title=items[0].get_category_display())
        plan.lots.append(lot)
        plan.lot_items += [LotItem(lot=lot, item=i) for i in items]
        winner = None
        if phase == "ordered":
            supplier_id = items[0].supplier_id
            winner = next((s for s in suppliers if s.pk == supplier_id), None) or r.choice(
                suppliers
            )
        bid = _bids(r, plan, lot, items, tender, suppliers, winner, rates, min(deadline, today))
        if bid is None:
            continue
        ordered_on = min(_order_date(i) for i in items)
        awarded_on = max(deadline, ordered_on - r.randint(2, 10) * DAY)
        award = Award(lot=lot, bid=bid, awarded_on=awarded_on, by=next(iter(evaluators), None))
        order = PurchaseOrder(
            award=award,
            number=f"PO-{code}-{number}",
            issued_on=ordered_on,
            amount=bid.amount,
            currency=bid.currency,
        )
        plan.awards.append(award)
        plan.orders.append(order)
        arrivals = defaultdict(list)
        for item in items:
            if item.delivered_on:
                arrivals[item.delivered_on].append(item)
        for delivered_on, arrived in sorted(arrivals.items()):
            delivery = Delivery(purchase_order=order, delivered_on=delivered_on)
            plan.deliveries.append(delivery)
            plan.delivery_items += [(delivery, item) for item in arrived]


def _insert(ctx, plan: _Plan) -> None:
    Tender.objects.bulk_create(plan.tenders, batch_size=BATCH)
    Lot.objects.bulk_create(plan.lots, batch_size=BATCH)
    Evaluator.objects.bulk_create(plan.evaluators, batch_size=BATCH)
    LotItem.objects.bulk_create(plan.lot_items, batch_size=BATCH)
    Bid.objects.bulk_create(plan.bids, batch_size=BATCH)
    Award.objects.bulk_create(plan.awards, batch_size=BATCH)
    PurchaseOrder.objects.bulk_create(plan.orders, batch_size=BATCH)
    Delivery.objects.bulk_create(plan.deliveries, batch_size=BATCH)
    Through = Delivery.items.through
    Through.objects.bulk_create(
        [Through(delivery_id=d.pk, equipmentitem_id=i.pk) for d, i in plan.delivery_items],
        batch_size=BATCH,
    )
    for name, rows in (
        ("tender", plan.tenders),
        ("lot", plan.lots),
        ("bid", plan.bids),
        ("evaluator", plan.evaluators),
        ("award", plan.awards),
        ("purchaseorder", plan.orders),
        ("delivery", plan.deliveries),
    ):
        ctx.counts[name] += len(rows)


def seed_tenders(ctx) -> None:
    """Tenders, bids, awards, orders and deliveries for the equipment in the database."""
    r = ctx.stream("procurement")
    items = _free_items()
    suppliers = list(Organisation.objects.filter(kind=Organisation.Kind.SUPPLIER).order_by("code"))
    if not items or len(suppliers) < 2:
        return
    evaluators = _committee()
    rates = Rates({i.currency for i in items})
    plan = _Plan()
    numbers = {}
    for phase, lots in _groups(items):
        cycle_code = lots[0][0].cycle.code
        prefix = f"T{ctx.seed}-{cycle_code}-"
        numbers.setdefault(prefix, _next_number(prefix))
        code = f"{prefix}{numbers[prefix]:03d}"
        numbers[prefix] += 1
        tender_plan = _Plan()
        try:
            _plan_tender(ctx, r, tender_plan, phase, lots, code, suppliers, evaluators, rates)
        except MissingExchangeRate:
            continue  # a currency without a rate at the time: no tender for those items
        plan.merge(tender_plan)
    _insert(ctx, plan)
