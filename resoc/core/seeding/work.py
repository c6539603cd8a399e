"""Synthetic work: assignments of some prisoners to workshops of their institution with their
monthly records, and each workshop's production and sales to buyers."""

import datetime
from collections import defaultdict
from decimal import Decimal

from resoc.core.money import MissingExchangeRate, Rates
from resoc.people.models import CustodyEpisode
from resoc.registry.models import Organisation
from resoc.work.models import ProductionRecord, WorkAssignment, WorkMonth
from resoc.work.months import add_months, month_end, month_start

BATCH = 1000
ID_CHUNK = 900  # ids per IN (...) query, within SQLite's oldest parameter limit
WORK_SHARE = 0.35  # of the people in custody, at some time, work in a workshop
MONTHS_RECORDED = 12  # months of records kept per assignment, up to the reference day
PRODUCTION_MONTHS = 24
ROLES = ("worker", "worker", "worker", "assistant", "team leader", "trainee")
CURRENCY = {"RS": "RSD", "BA": "BAM", "AL": "ALL", "XK": "EUR", "ME": "EUR"}
# Pay per hour in each currency (a fraction of the local minimum wage, as prison pay is).
HOURLY_PAY = {
    "RSD": Decimal("95"),
    "BAM": Decimal("1.60"),
    "ALL": Decimal("110"),
    "EUR": Decimal("0.90"),
}
# trade -> [(product, unit, price in EUR)]
PRODUCTS = {
    "tailoring": [("Work uniforms", "pieces", "14"), ("Bed linen sets", "set", "22")],
    "embroidery": [("Embroidered tablecloths", "pieces", "18"), ("Folk costumes", "pieces", "65")],
    "bakery": [("Bread", "kg", "1.1"), ("Pastries", "pieces", "0.45")],
    "concrete blocks": [("Concrete blocks", "pieces", "0.9"), ("Paving stones", "m2", "9")],
    "metalwork (CNC plasma cutting)": [("Steel gates", "pieces", "240"), ("Brackets", "set", "12")],
    "welding": [("Fences", "m", "28"), ("Railings", "m", "35")],
    "carpentry": [
        ("Chairs", "pieces", "38"),
        ("Pallets", "pieces", "9"),
        ("Doors", "pieces", "95"),
    ],
    "greenhouse vegetables": [("Tomatoes", "kg", "0.9"), ("Peppers", "kg", "1.1")],
    "agriculture": [("Potatoes", "kg", "0.4"), ("Milk", "l", "0.45")],
    "PVC and aluminium joinery": [("PVC windows", "pieces", "160"), ("Doors", "pieces", "210")],
    "printing": [("Forms", "pieces", "0.05"), ("Brochures", "pieces", "0.6")],
    "hairdressing": [("Haircuts", "other", "2.5")],
    "medicinal herbs": [("Dried herbs", "kg", "7.5")],
    "packaging": [("Cardboard boxes", "pieces", "0.35")],
}
DEFAULT_PRODUCTS = [("Products", "pieces", "5")]


def _rates(ctx) -> Rates:
    if not hasattr(ctx, "work_rates"):
        ctx.work_rates = Rates(set(CURRENCY.values()))
    return ctx.work_rates


def _currency(ctx, workshop) -> str:
    if not hasattr(ctx, "work_countries"):
        ctx.work_countries = {i.pk: i.country.code for i in ctx.institutions}
    return CURRENCY.get(ctx.work_countries.get(workshop.institution_id), "EUR")


def _eur(ctx, amount: Decimal, currency: str, month: datetime.date) -> Decimal | None:
    try:
        return _rates(ctx).to_eur(amount, currency, month_end(month)).amount_eur
    except MissingExchangeRate:
        return None


def _units_per_eur(ctx, currency: str, month: datetime.date) -> Decimal:
    try:
        return _rates(ctx).to_eur(Decimal(1), currency, month_end(month)).units_per_eur
    except MissingExchangeRate:
        return Decimal(1)


def _latest_episodes(person_ids) -> dict[int, CustodyEpisode]:
    latest = {}
    ids = sorted(person_ids)
    for start in range(0, len(ids), ID_CHUNK):
        episodes = CustodyEpisode.objects.filter(person_id__in=ids[start : start + ID_CHUNK])
        for episode in episodes.order_by("person_id", "admitted_on"):
            latest[episode.person_id] = episode
    return latest


def _assignment(ctx, r, episode, workshops) -> WorkAssignment | None:
    today = ctx.reference_day
    ended = episode.ended_on
    last = ended or today
    start = episode.admitted_on + datetime.timedelta(days=r.randint(14, 240))
    if start >= last:
        return None
    end, reason = None, ""
    if r.random() < 0.35:  # finished before custody ended
        end = start + datetime.timedelta(days=r.randint(60, 900))
        reason = WorkAssignment.EndReason.COMPLETED
    if end is None or end >= last:
        if ended is None:
            end, reason = None, ""
        else:
            end = ended
            reason = (
                WorkAssignment.EndReason.RELEASED
                if episode.released_on
                else WorkAssignment.EndReason.TRANSFERRED
            )
    return WorkAssignment(
        person_id=episode.person_id,
        workshop=r.choice(workshops),
        start=start,
        end=end,
        role=r.choice(ROLES),
        hours_per_week=Decimal(r.choice((20, 30, 35, 40))),
        ended_reason=reason,
    )


def _months(ctx, r, assignment: WorkAssignment) -> list[WorkMonth]:
    last_month = add_months(month_start(ctx.reference_day), -1)
    first_month = max(month_start(assignment.start), add_months(last_month, -(MONTHS_RECORDED - 1)))
    final = month_start(assignment.end) if assignment.end else last_month
    currency = _currency(ctx, assignment.workshop)
    records, month = [], first_month
    while month <= min(final, last_month):
        hours = Decimal(r.randint(60, 168))
        pay = (hours * HOURLY_PAY[currency]).quantize(Decimal("0.01"))
        records.append(
            WorkMonth(
                person_id=assignment.person_id,
                workshop=assignment.workshop,
                month=month,
                hours=hours,
                pay=pay,
                currency=currency,
                pay_eur=_eur(ctx, pay, currency, month),
            )
        )
        month = add_months(month, 1)
    return records


def seed_work(ctx, chunk) -> None:
    """Some of the chunk's prisoners and former prisoners work in a workshop of the institution
    of their latest custody, within its dates; months of records follow."""
    r = ctx.stream("work")
    if not hasattr(ctx, "workshops_by_institution"):
        ctx.workshops_by_institution = defaultdict(list)
        for workshop in ctx.workshops:
            ctx.workshops_by_institution[workshop.institution_id].append(workshop)
    in_custody = [p.person.pk for p in chunk if p.person.kind in ("prisoner", "former_prisoner")]
    episodes = _latest_episodes(in_custody)
    assignments = []
    for person_id in in_custody:
        episode = episodes.get(person_id)
        workshops = episode and ctx.workshops_by_institution.get(episode.institution_id)
        if workshops and r.random() < WORK_SHARE:
            assignment = _assignment(ctx, r, episode, workshops)
            if assignment is not None:
                assignments.append(assignment)
    WorkAssignment.objects.bulk_create(assignments, batch_size=BATCH)
    months = [m for a in assignments for m in _months(ctx, r, a)]
    WorkMonth.objects.bulk_create(months, batch_size=BATCH)
    ctx.counts["workassignment"] += len(assignments)
    ctx.counts["workmonth"] += len(months)


def seed_production(ctx) -> None:
    """Two years of each workshop's production; about half of it sold to a buyer."""
    if not ctx.counts.get("person") or not ctx.workshops:
        return
    r = ctx.stream("production")
    last = add_months(month_start(ctx.reference_day), -1)
    first = add_months(last, -(PRODUCTION_MONTHS - 1))
    # Seeding again (more people) leaves the workshops that have production already alone.
    done = set(
        ProductionRecord.objects.filter(
            workshop__in=ctx.workshops, month__gte=first, month__lte=last
        ).values_list("workshop_id", flat=True)
    )
    buyers = [o for o in ctx.organisations.values() if o.kind == Organisation.Kind.BUYER]
    ctx.work_countries_ids = {i.pk: i.country_id for i in ctx.institutions}
    records = []
    for workshop in ctx.workshops:
        if workshop.pk in done:
            continue
        country = ctx.work_countries_ids.get(workshop.institution_id)
        local = [b for b in buyers if b.country_id in (country, None)]
        currency = _currency(ctx, workshop)
        products = PRODUCTS.get(workshop.trade, DEFAULT_PRODUCTS)
        for index in range(PRODUCTION_MONTHS):
            month = add_months(first, index)
            for product, unit, price in products:
                if r.random() < 0.25:
                    continue
                quantity = Decimal(r.randint(20, 2000) if Decimal(price) < 50 else r.randint(1, 40))
                units = _units_per_eur(ctx, currency, month)
                value = (quantity * Decimal(price) * units).quantize(Decimal("0.01"))
                buyer = r.choice(local) if local and r.random() < 0.5 else None
                records.append(
                    ProductionRecord(
                        workshop=workshop,
                        month=month,
                        product=product,
                        quantity=quantity,
                        unit=unit,
                        value=value,
                        currency=currency,
                        value_eur=_eur(ctx, value, currency, month),
                        buyer=buyer,
                    )
                )
    ProductionRecord.objects.bulk_create(records, batch_size=BATCH)
    ctx.counts["productionrecord"] += len(records)
