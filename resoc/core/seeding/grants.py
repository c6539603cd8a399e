"""Synthetic micro-grants: calls with criteria, applications with items, decisions, in-kind
grants with the items bought, and monitoring visits.

Each released person of the seed has at most one application. Those released before the first
call's window got a historical grant without a call (as an import of old records would make);
later ones applied to the call of their country in cycle RESOC-6 or RESOC-7 within its release
window. Decisions follow the rules: an applicant the automatic check finds ineligible is
rejected, the best scored eligible ones are approved within the call's budget, a few waitlisted;
the latest call is still being evaluated at the reference day. Grants are bought, delivered and
visited at 3, 6, 12 and 24 months (most visits happen; businesses close as time goes by).

Scores need committee members, who are users: with two evaluators available (grants officers
of the country first, then managers and administrators) the step seats them and records their
declarations and scores; a database without users gets them from `seed_grant_committees` once
it has some (the demo creates its users after seeding). The pending applications of the latest
call are scored by the second member only, so the first (the demo's grants.rs) has work to do.

Bulk inserts only; the same seed gives the same records.
"""

import datetime
import random
from collections import defaultdict
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal

from django.db.models import Sum

from resoc.accounts.models import Role, User
from resoc.core.money import MissingExchangeRate, Rates
from resoc.grants import eligibility
from resoc.grants.dates import MARKS, add_months, mark_date
from resoc.grants.models import (
    SCORE_MAX,
    Application,
    ApplicationItem,
    Call,
    Criterion,
    Evaluation,
    Grant,
    GrantItem,
    Score,
    Visit,
)
from resoc.people.models import CustodyEpisode, Person
from resoc.registry.models import Organisation, ProjectCycle

BATCH = 1000
DAY = datetime.timedelta(days=1)
CALL_CYCLES = ("RESOC-6", "RESOC-7")
RELEASED_WITHIN = 24  # months, the seeded calls' window
HISTORICAL_SHARE = 0.9  # of the people released before the first call, who got a grant
APPLY_SHARE = 0.95  # of the people released within a call's window, who applied
APPROVE_SHARE = 0.85  # of the eligible applicants of a decided call
WAITLIST_SHARE = 0.05
PENDING_SHARE = 0.3  # of the latest call's applications, still waiting at the reference day
CURRENCY = {"RS": "RSD", "BA": "BAM", "AL": "ALL", "XK": "EUR", "ME": "EUR"}
CRITERIA = [
    ("Business idea and plan", 35),
    ("Skills and experience", 25),
    ("Local market", 25),
    ("Own contribution", 15),
]
# Whether a business still runs at each visit, given it ran at the one before.
STILL_ACTIVE = {3: 0.96, 6: 0.94, 12: 0.88, 24: 0.86}
VISIT_SHARE = 0.85  # of the visits due, that took place
SECTORS = [
    ("car_wash", 12),
    ("carpentry", 15),
    ("bakery", 12),
    ("hairdressing", 14),
    ("electrical", 8),
    ("shoes_leather", 6),
    ("fruit_vegetables", 14),
    ("grain_crops", 10),
    ("other", 9),
]
# sector -> [(item, price in EUR)]
ITEMS = {
    "car_wash": [
        ("Pressure washer", 650),
        ("Industrial vacuum cleaner", 480),
        ("Foam generator", 350),
        ("Water tank and pump", 700),
    ],
    "carpentry": [
        ("Table saw", 1200),
        ("Thickness planer", 900),
        ("Hand tools set", 300),
        ("Drill press", 600),
    ],
    "bakery": [("Bread oven", 1800), ("Dough mixer", 900), ("Proofing cabinet", 700)],
    "hairdressing": [
        ("Hairdressing chair", 250),
        ("Hair dryer", 120),
        ("Wash basin", 450),
        ("Tools and products", 300),
    ],
    "electrical": [
        ("Measuring instruments", 500),
        ("Power tools", 700),
        ("Ladder and scaffolding", 350),
        ("Cables and materials", 400),
    ],
    "shoes_leather": [
        ("Leather sewing machine", 1400),
        ("Skiving machine", 900),
        ("Lasts and tools", 300),
    ],
    "fruit_vegetables": [
        ("Foil tunnel greenhouse", 1500),
        ("Drip irrigation", 450),
        ("Seedlings", 200),
        ("Market stall", 350),
    ],
    "grain_crops": [
        ("Two-wheel tractor", 2200),
        ("Seed drill", 800),
        ("Seeds and fertiliser", 400),
    ],
    "other": [("Equipment", 1000), ("Materials", 400), ("Tools", 300)],
}
REVENUE = ["lt250", "250-500", "500-1000", "1000-2500"]
REJECTION = "The committee ranked other business plans higher."
WAITLIST = "Eligible and well scored; waiting for budget to free up."


def _pick(r, weighted):
    return r.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def _quality(seed: int, code: str) -> float:
    """How good the committee finds an application (0–10), the same when scored later."""
    return random.Random(f"{seed}:grants:{code}").uniform(3.0, 9.5)


def _applicant_facts(prefix: str):
    """[(person, country code, latest release)] of the seed's released people without an
    application, in reference order."""
    taken = Application.objects.values("person_id")
    episodes = (
        CustodyEpisode.objects.filter(
            person__ref__startswith=prefix,
            person__kind=Person.Kind.FORMER_PRISONER,
            released_on__isnull=False,
        )
        .exclude(person_id__in=taken)
        .select_related("person", "institution__country")
        .order_by("person__ref", "released_on")
    )
    latest = {}
    for episode in episodes:
        latest[episode.person_id] = (
            episode.person,
            episode.institution.country.code,
            episode.released_on,
        )
    return sorted(latest.values(), key=lambda t: t[0].ref)


class _Plan:
    TABLES = ("applications", "items", "grants", "grant_items", "visits")

    def __init__(self):
        for name in self.TABLES:
            setattr(self, name, [])


def _call_dates(cycle: ProjectCycle, today: datetime.date, latest: bool):
    # The cycle's last autumn; the latest call closed three months before the reference day.
    opens = add_months(today, -5).replace(day=1) if latest else add_months(cycle.end + DAY, -4)
    opens = max(opens, cycle.start)
    return opens, add_months(opens, 2) - DAY


def _calls(ctx, today) -> dict[tuple[str, str], Call]:
    """The calls of the seeded cycles per country (existing ones are kept as they are)."""
    cycles = list(ProjectCycle.objects.filter(code__in=CALL_CYCLES).prefetch_related("countries"))
    cycles.sort(key=lambda c: c.code)
    existing = {
        (c.cycle.code, c.country.code): c
        for c in Call.objects.filter(cycle__in=cycles).select_related("cycle", "country")
    }
    new = []
    for cycle in cycles:
        latest = cycle.code == CALL_CYCLES[-1]
        opens, closes = _call_dates(cycle, today, latest)
        for country in sorted(cycle.countries.all(), key=lambda c: c.code):
            if (cycle.code, country.code) in existing:
                continue
            call = Call(
                code=f"{cycle.code}-{country.code}",
                cycle=cycle,
                country=country,
                title=f"Start-up grants {cycle.code} {country.name}",
                budget_eur=Decimal("0"),
                opens_on=opens,
                closes_on=closes,
                released_within_months=RELEASED_WITHIN,
                release_within_days=90,
                # The first call did not yet ask for a completed training.
                requires_training=latest,
                requires_no_reoffending=True,
            )
            new.append(call)
            existing[(cycle.code, country.code)] = call
    Call.objects.bulk_create(new, batch_size=BATCH)
    Criterion.objects.bulk_create(
        [
            Criterion(call=call, number=n, name=name, weight=weight)
            for call in new
            for n, (name, weight) in enumerate(CRITERIA, start=1)
        ],
        batch_size=BATCH,
    )
    ctx.counts["call"] += len(new)
    ctx.counts["criterion"] += len(new) * len(CRITERIA)
    return existing


def _call_for(calls_by_country, country: str, released: datetime.date):
    """The first call opening after the release whose window the release is within."""
    for call in calls_by_country.get(country, []):
        if call.closes_on > released and released >= add_months(call.closes_on, -RELEASED_WITHIN):
            return call
    return None


def _historical_cycle(cycles, released: datetime.date):
    """The cycle running some months after the release (or the last one before)."""
    day = released + 120 * DAY
    running = [c for c in cycles if c.start <= day <= c.end]
    earlier = [c for c in cycles if c.start <= day]
    return (running or earlier or cycles[:1])[-1]


def _items(r, sector: str) -> list[tuple[str, int, Decimal]]:
    catalogue = ITEMS[sector]
    chosen = r.sample(catalogue, min(len(catalogue), r.randint(2, 3)))
    return [
        (name, r.choice((1, 1, 2)), Decimal(price) * Decimal(r.randint(90, 115)) / 100)
        for name, price in chosen
    ]


def _local(rates, amount_eur: Decimal, currency: str, on: datetime.date) -> Decimal:
    units = rates.to_eur(Decimal(1), currency, on).units_per_eur
    return (amount_eur * units).quantize(Decimal("1"), ROUND_DOWN)


def seed_grants(ctx) -> None:
    """Calls, applications, decisions, grants, items and visits for the seed's released
    people; then the committees' scores if evaluators exist."""
    r = ctx.stream("grants")
    today = ctx.reference_day
    calls = _calls(ctx, today)
    people = _applicant_facts(ctx.ref_prefix)
    if not people:
        seed_grant_committees(seed=ctx.seed, counts=ctx.counts)
        return
    rates = Rates(set(CURRENCY.values()))
    suppliers = list(Organisation.objects.filter(kind=Organisation.Kind.SUPPLIER).order_by("code"))
    cycles = list(ProjectCycle.objects.order_by("start", "code"))
    by_country = defaultdict(list)
    for call in sorted(calls.values(), key=lambda c: c.opens_on):
        by_country[call.country.code].append(call)
    first_call = min((c.opens_on for c in calls.values()), default=today)
    plan = _Plan()
    numbers = defaultdict(int)
    applicants = []
    for person, country, released in people:
        call = _call_for(by_country, country, released)
        if call is not None:
            if r.random() < APPLY_SHARE:
                applicants.append((person, call, released))
            continue
        if released < add_months(first_call, -RELEASED_WITHIN) and r.random() < HISTORICAL_SHARE:
            _historical(ctx, r, plan, person, country, released, cycles, rates, numbers)
    decided = _applications(ctx, r, plan, applicants, rates, numbers)
    for application, grant, items in decided:
        _buy_and_deliver(ctx, r, plan, application, grant, items, suppliers, rates)
    for grant in plan.grants:
        _visits(ctx, r, plan, grant)
    _write(ctx, plan)
    _set_budgets(calls.values())
    seed_grant_committees(seed=ctx.seed, counts=ctx.counts)


def _next_code(ctx, numbers, middle: str) -> str:
    prefix = f"G{ctx.seed}-{middle}-"
    if prefix not in numbers:
        codes = Application.objects.filter(code__startswith=prefix).values_list("code", flat=True)
        numbers[prefix] = max(
            (int(c[len(prefix) :]) for c in codes if c[len(prefix) :].isdigit()), default=0
        )
    numbers[prefix] += 1
    return f"{prefix}{numbers[prefix]:04d}"


def _historical(ctx, r, plan, person, country, released, cycles, rates, numbers):
    """A grant of the years before the calls, as imported: no call, no items recorded."""
    cycle = _historical_cycle(cycles, released)
    currency = CURRENCY.get(country, "EUR")
    delivered = min(released + r.randint(60, 300) * DAY, ctx.reference_day - 30 * DAY)
    try:
        value_eur = Decimal(r.randint(12, 35) * 100)
        value = _local(rates, value_eur, currency, delivered)
        value_eur = rates.to_eur(value, currency, delivered).amount_eur
    except MissingExchangeRate:
        return
    code = _next_code(ctx, numbers, "H")
    application = Application(
        code=code,
        cycle=cycle,
        country_id=_country_id(ctx, country),
        person=person,
        sector=_pick(r, SECTORS),
        currency=currency,
        requested_eur=value_eur,
        decision=Application.Decision.APPROVED,
        decision_reason="Historical grant, recorded without a call.",
        decided_on=delivered - r.randint(20, 60) * DAY,
        approved_eur=value_eur,
    )
    plan.applications.append(application)
    plan.grants.append(
        Grant(
            application=application,
            code=code,
            status=Grant.Status.DELIVERED,
            value=value,
            currency=currency,
            value_eur=value_eur,
            delivered_on=delivered,
            ownership_on=add_months(delivered, 12),
        )
    )


def _country_id(ctx, code: str) -> int:
    if not hasattr(ctx, "grant_countries"):
        from resoc.registry.models import Country

        ctx.grant_countries = dict(Country.objects.values_list("code", "pk"))
    return ctx.grant_countries[code]


def _applications(ctx, r, plan, applicants, rates, numbers) -> list:
    """Applications to the calls with their items; decisions by eligibility and quality.
    Returns [(application, grant, items)] of the approved ones."""
    made = []
    for person, call, released in applicants:
        opens = max(call.opens_on, released + DAY)
        applied = opens + r.randint(0, max(0, (call.closes_on - opens).days)) * DAY
        currency = CURRENCY.get(call.country.code, "EUR")
        code = _next_code(ctx, numbers, call.code)
        sector = _pick(r, SECTORS)
        items = []
        try:
            for name, quantity, price_eur in _items(r, sector):
                unit = _local(rates, price_eur, currency, applied)
                cost = rates.to_eur(unit * quantity, currency, applied).amount_eur
                items.append(
                    ApplicationItem(
                        description=name, quantity=quantity, unit_cost=unit, cost_eur=cost
                    )
                )
            own = _local(rates, Decimal(r.randint(1, 6) * 50), currency, applied)
            own_eur = rates.to_eur(own, currency, applied).amount_eur
        except MissingExchangeRate:
            continue
        application = Application(
            code=code,
            call=call,
            cycle_id=call.cycle_id,
            country_id=call.country_id,
            person=person,
            applied_on=applied,
            business_idea=f"{dict(_sector_labels())[sector]} business near home",
            sector=sector,
            currency=currency,
            own_contribution=own,
            own_contribution_eur=own_eur,
            requested_eur=sum((i.cost_eur for i in items), Decimal("0")),
        )
        for item in items:
            item.application = application
        plan.applications.append(application)
        plan.items += items
        made.append(application)
    checks = eligibility.check_many(
        [(a.person, a.call, a.applied_on) for a in made], today=ctx.reference_day
    )
    for application, result in zip(made, checks, strict=True):
        application.eligibility = result
        application.eligibility_checked_on = application.applied_on
    return _decide(ctx, r, plan, made)


def _sector_labels():
    from resoc.grants.models import Sector

    return [(value, str(label)) for value, label in Sector.choices]


def _decide(ctx, r, plan, applications) -> list:
    today = ctx.reference_day
    by_call = defaultdict(list)
    for application in applications:
        by_call[application.call.pk].append(application)
    approved = []
    for group in by_call.values():
        call = group[0].call
        latest = call.cycle.code == CALL_CYCLES[-1]
        ranked = sorted(group, key=lambda a: (-_quality(ctx.seed, a.code), a.code))
        eligible = [a for a in ranked if eligibility.overall(a.eligibility) != "not_met"]
        approve_count = round(len(eligible) * APPROVE_SHARE)
        waitlist_count = max(1, round(len(eligible) * WAITLIST_SHARE)) if eligible else 0
        for application in ranked:
            if latest and r.random() < PENDING_SHARE:
                continue  # still being evaluated
            decided = call.closes_on + r.randint(14, 90) * DAY
            if decided >= today:
                continue
            application.decided_on = decided
            if application not in eligible:
                failed = eligibility.not_met(application.eligibility)
                application.decision = Application.Decision.REJECTED
                application.decision_reason = "Not eligible: " + " ".join(
                    c["reason"] for c in failed
                )
                continue
            rank = eligible.index(application)
            if rank < approve_count:
                application.decision = Application.Decision.APPROVED
                application.approved_eur = application.requested_eur
                application.decision_reason = "Sound business plan, ranked within the budget."
                grant = Grant(application=application, code=application.code)
                plan.grants.append(grant)
                items = [i for i in plan.items if i.application is application]
                approved.append((application, grant, items))
            elif rank < approve_count + waitlist_count:
                application.decision = Application.Decision.WAITLISTED
                application.decision_reason = WAITLIST
            else:
                application.decision = Application.Decision.REJECTED
                application.decision_reason = REJECTION
    return approved


def _buy_and_deliver(ctx, r, plan, application, grant, items, suppliers, rates):
    """The items bought at a little less than estimated, then the delivery (if before the
    reference day)."""
    today = ctx.reference_day
    bought_on = application.decided_on + r.randint(7, 30) * DAY
    if bought_on > today:
        return
    local = [o for o in suppliers if o.country_id == application.country_id]
    supplier = r.choice(local or suppliers) if suppliers else None
    made, total = [], Decimal("0")
    for item in items:
        unit = (item.unit_cost * Decimal(r.randint(88, 98)) / 100).quantize(Decimal("0.01"))
        try:
            conversion = rates.to_eur(unit * item.quantity, application.currency, bought_on)
        except MissingExchangeRate:
            return
        total += conversion.amount_eur
        made.append(
            GrantItem(
                grant=grant,
                description=item.description,
                quantity=item.quantity,
                unit_price=unit,
                currency=application.currency,
                purchased_on=bought_on,
                supplier=supplier,
                value_eur=conversion.amount_eur,
                rate_units_per_eur=conversion.units_per_eur,
            )
        )
    if total > application.approved_eur:
        return  # the rate moved against us: bought later, not in the synthetic records
    plan.grant_items += made
    grant.value_eur = total
    delivered = bought_on + r.randint(3, 20) * DAY
    if delivered <= today:
        grant.status = Grant.Status.DELIVERED
        grant.delivered_on = delivered
        grant.ownership_on = add_months(delivered, 12)


def _visits(ctx, r, plan, grant: Grant) -> None:
    """Visits at the marks that had come by the reference day; a closed business stays
    closed. After the 24-month visit the grant is closed."""
    if grant.delivered_on is None:
        return
    today = ctx.reference_day
    active = True
    last_mark = mark_date(grant.delivered_on, MARKS[-1])
    if last_mark + 180 * DAY < today:
        # Monitoring of old grants ended, with or without the last visit.
        grant.status = Grant.Status.CLOSED
        grant.closed_on = last_mark + 180 * DAY
        grant.notes = "Closed: monitoring over."
    for months in MARKS:
        due = mark_date(grant.delivered_on, months)
        visited = due + r.randint(0, 40) * DAY
        if visited > today:
            return
        if r.random() > VISIT_SHARE:
            continue
        active = active and r.random() < STILL_ACTIVE[months]
        plan.visits.append(
            Visit(
                grant=grant,
                visited_on=visited,
                business_active=active,
                revenue_band=r.choice(REVENUE) if active else "none",
                jobs_created=r.choice((0, 0, 0, 1, 1, 2)) if active else 0,
                notes="" if active else "The business has closed.",
            )
        )
        if months == MARKS[-1] or not active:
            grant.status = Grant.Status.CLOSED
            grant.closed_on = visited
            grant.notes = "Closed: " + ("monitoring over." if active else "the business closed.")
        if not active:
            return


def _write(ctx, plan: _Plan) -> None:
    Application.objects.bulk_create(plan.applications, batch_size=BATCH)
    for item in plan.items:
        item.application_id = item.application.pk
    ApplicationItem.objects.bulk_create(plan.items, batch_size=BATCH)
    Grant.objects.bulk_create(plan.grants, batch_size=BATCH)
    GrantItem.objects.bulk_create(plan.grant_items, batch_size=BATCH)
    Visit.objects.bulk_create(plan.visits, batch_size=BATCH)
    for name, rows in (
        ("application", plan.applications),
        ("applicationitem", plan.items),
        ("grant", plan.grants),
        ("grantitem", plan.grant_items),
        ("visit", plan.visits),
    ):
        ctx.counts[name] += len(rows)


def _set_budgets(calls) -> None:
    """A call's budget: what it approved with some room left, in thousands of 5,000 EUR (never
    less than before, at least 10,000)."""
    calls = list(calls)
    totals = dict(
        Application.objects.filter(call__in=calls, decision=Application.Decision.APPROVED)
        .values("call_id")
        .annotate(total=Sum("approved_eur"))
        .values_list("call_id", "total")
        .order_by()
    )
    for call in calls:
        approved = totals.get(call.pk) or Decimal("0")
        room = (approved * Decimal("1.15") / 5000).to_integral_value(ROUND_CEILING) * 5000
        budget = max(call.budget_eur, room, Decimal("10000"))
        if budget != call.budget_eur:
            Call.objects.filter(pk=call.pk).update(budget_eur=budget)


# Committees and their scores


def _committee(country_id: int) -> list[User]:
    """Two evaluators: grants officers of the country first, then managers, administrators."""
    officers = User.objects.filter(
        is_active=True, role=Role.GRANTS, countries__pk=country_id
    ).order_by("username")
    others = User.objects.filter(is_active=True, role__in=(Role.MANAGER, Role.ADMIN))
    others = sorted(others, key=lambda u: (u.role != Role.MANAGER, u.username))
    return (list(officers) + others)[:2]


def seed_grant_committees(*, seed: int, counts=None) -> int:
    """Seat committees on the seeded calls that have none and record their members'
    declarations and scores. Returns the number of evaluations."""
    calls = list(
        Call.objects.filter(applications__code__startswith=f"G{seed}-", committee__isnull=True)
        .distinct()
        .select_related("cycle")
        .order_by("code")
    )
    evaluations, scores = [], []
    for call in calls:
        members = _committee(call.country_id)
        if len(members) < 2:
            continue
        call.committee.set(members)
        criteria = list(call.criteria.order_by("number"))
        applications = call.applications.filter(code__startswith=f"G{seed}-").order_by("code")
        for application in applications:
            if eligibility.not_met(application.eligibility):
                continue  # the automatic check fails it: rejected without scores
            pending = application.decision == Application.Decision.PENDING
            who = members[1:] if pending else members
            day = (call.closes_on if pending else application.decided_on - 7 * DAY) + 5 * DAY
            for member in who:
                evaluation, rows = _evaluation(seed, application, member, criteria, day)
                evaluations.append(evaluation)
                scores += rows
    Evaluation.objects.bulk_create(evaluations, batch_size=BATCH)
    for score in scores:
        score.evaluation_id = score.evaluation.pk
    Score.objects.bulk_create(scores, batch_size=BATCH)
    if counts is not None:
        counts["evaluation"] += len(evaluations)
        counts["score"] += len(scores)
    return len(evaluations)


def _evaluation(seed, application, member, criteria, day):
    r = random.Random(f"{seed}:grants:{application.code}:{member.username}")
    quality = _quality(seed, application.code)
    values = {c.pk: max(0, min(SCORE_MAX, round(r.gauss(quality, 1.0)))) for c in criteria}
    total = sum(Decimal(c.weight) * values[c.pk] for c in criteria)
    evaluation = Evaluation(
        application=application,
        evaluator=member,
        declared_no_conflict=True,
        declared_at=datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC),
        weighted_score=(total / SCORE_MAX).quantize(Decimal("0.01")),
    )
    rows = [Score(evaluation=evaluation, criterion=c, score=values[c.pk]) for c in criteria]
    return evaluation, rows
