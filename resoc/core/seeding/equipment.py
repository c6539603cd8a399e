"""Synthetic equipment: machines for the workshops, each with its status history.

About three items per ten persons seeded (300 for 1000 persons), spread over the workshops and
the cycles that cover their country; prices in EUR or the local currency, valued at the recorded
rate of the delivery (or order) date. Items of finished cycles are mostly in use; those of the
running cycle are at every stage. Bulk inserts only; the same seed gives the same items.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from resoc.core.money import Rates
from resoc.equipment import lifecycle
from resoc.equipment.models import Category, EquipmentItem, Status, StatusChange
from resoc.registry.models import Organisation, ProjectCycle

BATCH = 1000
ITEMS_PER_PERSON = Decimal("0.3")
C, S = Category, Status
# Workshop code suffix (see registry.TRADES) -> [(name, category, lowest EUR, highest EUR, units)]
CATALOGUE = {
    "TAI": [
        ("Industrial lockstitch sewing machine", C.SEWING, 800, 2200, 6),
        ("Industrial overlock machine", C.SEWING, 1200, 3000, 4),
        ("Fabric cutting table with straight knife", C.SEWING, 2500, 6000, 1),
    ],
    "EMB": [
        ("Multi-head embroidery machine", C.SEWING, 12000, 32000, 1),
        ("Embroidery design software and PC", C.IT, 1500, 4000, 1),
    ],
    "BAK": [
        ("Deck oven", C.BAKERY, 9000, 28000, 1),
        ("Spiral dough mixer", C.BAKERY, 3000, 9000, 1),
        ("Bread line (divider, rounder, moulder)", C.BAKERY, 25000, 70000, 1),
    ],
    "CON": [
        ("Concrete block press", C.CONSTRUCTION, 18000, 80000, 1),
        ("Concrete mixer", C.CONSTRUCTION, 4000, 12000, 1),
        ("Forklift", C.VEHICLES, 15000, 35000, 1),
    ],
    "MET": [
        ("CNC plasma cutter", C.METAL, 20000, 60000, 1),
        ("Hydraulic press brake", C.METAL, 15000, 45000, 1),
        ("Metal band saw", C.METAL, 2500, 8000, 1),
    ],
    "WEL": [
        ("MIG/MAG welding machine", C.METAL, 1500, 5000, 4),
        ("Welding fume extraction", C.METAL, 3000, 9000, 1),
    ],
    "CAR": [
        ("Panel saw", C.WOOD, 6000, 20000, 1),
        ("Combined planer-thicknesser", C.WOOD, 4000, 14000, 1),
        ("CNC wood router", C.WOOD, 15000, 45000, 1),
        ("Dust extraction system", C.WOOD, 3000, 9000, 1),
    ],
    "GRE": [
        ("Greenhouse (polytunnel, 500 m²)", C.AGRICULTURE, 10000, 45000, 1),
        ("Drip irrigation system", C.AGRICULTURE, 2000, 7000, 1),
    ],
    "AGR": [
        ("Tractor with implements", C.VEHICLES, 25000, 60000, 1),
        ("Cold storage room", C.AGRICULTURE, 8000, 25000, 1),
    ],
    "PVC": [
        ("PVC window welding machine", C.METAL, 12000, 40000, 1),
        ("Aluminium profile cutting saw", C.METAL, 5000, 15000, 1),
    ],
    "PRN": [
        ("Offset printing press", C.OTHER, 15000, 50000, 1),
        ("Guillotine paper cutter", C.OTHER, 4000, 12000, 1),
    ],
    "HAI": [
        ("Hairdressing chairs and stations", C.OTHER, 800, 2500, 4),
        ("Training salon equipment set", C.OTHER, 3000, 8000, 1),
    ],
    "HRB": [("Herb drying chamber", C.AGRICULTURE, 6000, 18000, 1)],
    "PKG": [("Semi-automatic packaging machine", C.PACKAGING, 8000, 25000, 1)],
}
OTHER = [("Workshop tool set", C.OTHER, 1000, 5000, 1)]
LOCAL_CURRENCY = {"RS": "RSD", "BA": "BAM", "AL": "ALL"}
# Days from one step to the next: specified → tendered → ordered → … → in_use
STEP_DAYS = {
    S.TENDERED: (20, 90),
    S.ORDERED: (30, 75),
    S.DELIVERED: (20, 100),
    S.INSTALLED: (1, 20),
    S.IN_USE: (1, 14),
}


def _next_number(prefix: str) -> int:
    codes = EquipmentItem.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(c[len(prefix) :]) for c in codes if c[len(prefix) :].isdigit()]
    return max(numbers, default=0) + 1


def _cycles_by_country(ctx) -> dict[int, list[ProjectCycle]]:
    cycles = {c.pk: c for c in ctx.cycles}
    by_country: dict[int, list] = {}
    links = ProjectCycle.countries.through.objects.filter(projectcycle_id__in=list(cycles))
    for cycle_id, country_id in links.order_by("projectcycle_id", "country_id").values_list(
        "projectcycle_id", "country_id"
    ):
        by_country.setdefault(country_id, []).append(cycles[cycle_id])
    return by_country


def _history(r, cycle: ProjectCycle, today: datetime.date) -> list[tuple[str, datetime.date]]:
    """[(status, date)] from specification on; older cycles' items got further."""
    day = cycle.start + datetime.timedelta(days=r.randint(0, 60))
    steps = [(S.SPECIFIED, day)]
    finished = cycle.end < today
    target = S.IN_USE
    if not finished and r.random() < 0.45:
        target = r.choice([S.SPECIFIED, S.TENDERED, S.ORDERED, S.DELIVERED, S.INSTALLED])
    elif finished and r.random() < 0.06:
        target = r.choice([S.DELIVERED, S.INSTALLED])
    for status in lifecycle.WAY_TO_USE[1 : lifecycle.WAY_TO_USE.index(target) + 1]:
        low, high = STEP_DAYS[status]
        day += datetime.timedelta(days=r.randint(low, high))
        if day > today:
            return steps
        steps.append((status, day))
    if steps[-1][0] == S.IN_USE and finished:
        roll = r.random()
        if roll < 0.12:
            later = steps[-1][1] + datetime.timedelta(days=r.randint(200, 2000))
            if later <= today:
                steps.append((S.OUT_OF_SERVICE, later))
                if roll < 0.05:
                    gone = later + datetime.timedelta(days=r.randint(30, 400))
                    if gone <= today:
                        steps.append((S.DECOMMISSIONED, gone))
    return steps


def _price(r, low: int, high: int, currency: str, rates: Rates, on) -> Decimal:
    eur = Decimal(r.randint(low // 50, high // 50) * 50)
    if currency == "EUR":
        return eur
    units = rates.to_eur(Decimal(1), currency, on).units_per_eur
    return (eur * units).quantize(Decimal("1"), ROUND_HALF_UP)


def _plan_item(ctx, r, code, workshop, cycles, suppliers, rates) -> tuple:
    institution = ctx.equipment_institutions[workshop.institution_id]
    country = institution.country.code
    suffix = workshop.code.rsplit("-", 1)[-1]
    name, category, low, high, most = r.choice(CATALOGUE.get(suffix, OTHER))
    cycle = r.choice(cycles)
    steps = _history(r, cycle, ctx.reference_day)
    reached = dict(steps)
    currency = LOCAL_CURRENCY.get(country, "EUR") if r.random() < 0.55 else "EUR"
    priced_on = reached.get(S.ORDERED, steps[0][1])
    item = EquipmentItem(
        code=code,
        workshop=workshop,
        cycle=cycle,
        name=name,
        category=category,
        specification=f"{name}, as specified for the {workshop.name.lower()}.",
        quantity=r.randint(1, most),
        unit_price=_price(r, low, high, currency, rates, priced_on),
        currency=currency,
        status=steps[-1][0],
        status_on=steps[-1][1] if len(steps) > 1 else None,
        ordered_on=reached.get(S.ORDERED),
        delivered_on=reached.get(S.DELIVERED),
    )
    if item.ordered_on:
        local = [s for s in suppliers if s.country_id == institution.country_id]
        item.supplier = r.choice(local or suppliers) if suppliers else None
    if item.delivered_on:
        item.serial_numbers = "\n".join(f"SN-{code}-{n}" for n in range(1, item.quantity + 1))
        item.warranty_end = item.delivered_on + datetime.timedelta(days=730)
    lifecycle.item_revalue(item, convert=rates.to_eur)
    changes = [
        StatusChange(item=item, from_status=a, to_status=b, on=day)
        for (a, _day), (b, day) in zip(steps, steps[1:], strict=False)
    ]
    return item, changes


def seed_equipment(ctx) -> None:
    count = int(ctx.counts.get("person", 0) * ITEMS_PER_PERSON)
    if not count or not ctx.workshops or not ctx.cycles:
        return
    r = ctx.stream("equipment")
    by_country = _cycles_by_country(ctx)
    ctx.equipment_institutions = {i.pk: i for i in ctx.institutions}
    country_of = {
        w.pk: ctx.equipment_institutions[w.institution_id].country_id for w in ctx.workshops
    }
    workshops = [w for w in ctx.workshops if by_country.get(country_of[w.pk])]
    suppliers = sorted(
        (o for o in ctx.organisations.values() if o.kind == Organisation.Kind.SUPPLIER),
        key=lambda o: o.code,
    )
    rates = Rates(["RSD", "BAM", "ALL"])
    prefix = f"EQ{ctx.seed}-"
    first = _next_number(prefix)
    items, changes = [], []
    for n in range(first, first + count):
        workshop = r.choice(workshops)
        item, history = _plan_item(
            ctx,
            r,
            f"{prefix}{n:05d}",
            workshop,
            by_country[country_of[workshop.pk]],
            suppliers,
            rates,
        )
        items.append(item)
        changes += history
    EquipmentItem.objects.bulk_create(items, batch_size=BATCH)
    if items and items[0].pk is None:  # a database that returns no keys
        ids = dict(
            EquipmentItem.objects.filter(code__in=[i.code for i in items]).values_list("code", "pk")
        )
        for item in items:
            item.pk = ids[item.code]
    StatusChange.objects.bulk_create(changes, batch_size=BATCH)
    ctx.counts["equipmentitem"] += len(items)
    ctx.counts["statuschange"] += len(changes)
