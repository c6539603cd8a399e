"""Reading equipment through the user's scope (the sites they see), and its value by funder."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from resoc.core.money import split_by_shares
from resoc.equipment.models import EquipmentItem
from resoc.registry.models import CycleFunder, Organisation
from resoc.registry.selectors import workshop_list_for_user

ZERO = Decimal("0.00")


def equipment_list_for_user(*, user) -> QuerySet[EquipmentItem]:
    return EquipmentItem.objects.select_related(
        "workshop", "workshop__institution", "workshop__institution__country", "cycle"
    ).filter(workshop__in=workshop_list_for_user(user=user).values("pk"))


def equipment_get_for_user(*, user, code: str) -> EquipmentItem:
    item = equipment_list_for_user(user=user).select_related("supplier").filter(code=code).first()
    if item is None:
        raise Http404
    return item


def equipment_filter(
    qs: QuerySet[EquipmentItem],
    *,
    country: str = "",
    institution: str = "",
    workshop: str = "",
    cycle: str = "",
    status: str = "",
    funder: str = "",
    query: str = "",
) -> QuerySet[EquipmentItem]:
    """The register's filters; a funder selects the items of the cycles it co-finances."""
    if country:
        qs = qs.filter(workshop__institution__country__code=country.upper())
    if institution:
        qs = qs.filter(workshop__institution__code=institution)
    if workshop:
        qs = qs.filter(workshop__code=workshop)
    if cycle:
        qs = qs.filter(cycle__code=cycle)
    if status:
        qs = qs.filter(status=status)
    if funder:
        funded = CycleFunder.objects.filter(organisation__code=funder).values("cycle_id")
        qs = qs.filter(cycle_id__in=funded)
    query = query.strip()
    if query:
        qs = qs.filter(Q(code__icontains=query) | Q(name__icontains=query))
    return qs


def funder_shares(cycle_ids) -> dict[int, list[tuple[Organisation, Decimal]]]:
    """{cycle id: [(funder, share %)]} for these cycles, in one query."""
    shares = defaultdict(list)
    rows = CycleFunder.objects.filter(cycle_id__in=set(cycle_ids)).select_related("organisation")
    for funder in rows.order_by("cycle_id", "-share_percent", "organisation__code"):
        shares[funder.cycle_id].append((funder.organisation, funder.share_percent))
    return shares


def _split(value: Decimal, shares) -> dict[Organisation, Decimal]:
    by_code = {organisation.code: organisation for organisation, _share in shares}
    parts = split_by_shares(value, [(o.code, share) for o, share in shares])
    return {by_code[code]: amount for code, amount in parts.items()}


def item_value_by_funder(item: EquipmentItem, shares=None) -> list[tuple[Organisation, Decimal]]:
    """[(funder, EUR)] of one item, to the cent; empty when unconverted or unfunded."""
    if item.value_eur is None:
        return []
    if shares is None:
        shares = funder_shares([item.cycle_id])[item.cycle_id]
    return sorted(_split(item.value_eur, shares).items(), key=lambda p: (-p[1], p[0].code))


@dataclass
class ValueSummary:
    items: int = 0
    value_eur: Decimal = ZERO
    unconverted: int = 0
    # EUR of items whose cycle has no funders recorded
    unfunded_eur: Decimal = ZERO
    by_funder: list[tuple[Organisation, Decimal]] = field(default_factory=list)


def value_summary(qs: QuerySet[EquipmentItem]) -> ValueSummary:
    """Count, value and value by funder of the items, in two queries whatever their number.

    The items are grouped in the database by cycle and value: equal items split equally, so a
    funder's total is exactly the sum of its parts of each item (as the export lists them).
    """
    groups = [
        (g["cycle_id"], g["value_eur"], g["n"])
        for g in qs.order_by().values("cycle_id", "value_eur").annotate(n=Count("pk"))
    ]
    summary = ValueSummary()
    shares = funder_shares(c for c, v, _n in groups if v is not None) if groups else {}
    totals: dict[Organisation, Decimal] = defaultdict(lambda: ZERO)
    for cycle_id, value, n in groups:
        summary.items += n
        if value is None:
            summary.unconverted += n
            continue
        summary.value_eur += value * n
        if not shares.get(cycle_id):
            summary.unfunded_eur += value * n
            continue
        for organisation, part in _split(value, shares[cycle_id]).items():
            totals[organisation] += part * n
    summary.by_funder = sorted(totals.items(), key=lambda p: (-p[1], p[0].code))
    return summary


def status_counts(qs: QuerySet[EquipmentItem]) -> dict[str, int]:
    return dict(qs.order_by().values_list("status").annotate(n=Count("pk")))
