"""Synthetic micro-grants: calls with criteria, applications with items, decisions, in-kind
grants with the items bought, and monitoring visits.

Each released person of the seed has at most one application. Those released before the first
call's window got a historical grant without a call (as an import of old records would make);
later ones applied to the call of their country in cycle RESOC-6 or RESOC-7 within its release
window. Decisions follow the rules: an applicant the automatic check finds ineligible is
rejected, the best scored eligible ones are approved within the call's budget, a few waitlisted;
the latest call is still being evaluated at the reference day. Grants are bought, delivered and
visited at 3, 6, 12 and 24 months (most visits happen; businesses close as time goes by).

Proportions (see benchmarks/README.md, "Seeded proportions"): the programme's own figures are
139 former prisoners given grants in ten years (67 of them in its first years, before calls with
written rules), against over 5,000 people trained and many thousands released from the 37
prisons it works with. So grants are rare: of the people released within a call's window, about
2 % of those without a programme training apply and a quarter of those who completed one (the
calls are announced in the courses, and the later call asks for a completed training); about
half of the eligible applicants are approved. About 1 % of the people released before the calls
got a historical grant. A call is advertised until it has at least MIN_APPLICATIONS applications
(or everyone in its window applied), and each country has at least MIN_HISTORICAL historical
grants (or everyone released before the calls has one): that is what makes small seeds (the demo,
tests) show every step; from some tens of thousands of persons on, the shares decide alone.

Scores need committee members, who are users: with two evaluators available (grants officers
of the country first, then managers and administrators) the step seats them and records their
declarations and scores; a database without users gets them from `seed_grant_committees` once
it has some (the demo creates its users after seeding). The pending applications of the latest
call are scored by the second member only, so the first (the demo's grants.rs) has work to do.

Bulk inserts only, in time linear in the number of released people; the same seed gives the
same records.
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
HISTORICAL_SHARE = 0.01  # of the people released before the first call, who got a grant
APPLY_SHARE = 0.02  # of the people released within a call's window, who applied
APPLY_SHARE_TRAINED = 0.25  # the same, of those who completed a training of the programme
APPROVE_SHARE = 0.5  # of the eligible applicants of a decided call
# Floors that keep small seeds (the demo, tests) showing every step; see the docstring.
MIN_APPLICATIONS = 15  # per call
MIN_HISTORICAL = 6  # per country
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


def _applicant_facts(prefix: str) -> list[tuple[Person, str, datetime.date]]:
    """[(person, country code, latest release)] of the seed's released people without an
    application, in reference order. The persons carry their key and reference only."""
    taken = Application.objects.values("person_id")
    rows = (
        CustodyEpisode.objects.filter(
            person__ref__startswith=prefix,
            person__kind=Person.Kind.FORMER_PRISONER,
            released_on__isnull=False,
        )
        .exclude(person_id__in=taken)
        .order_by("person__ref", "released_on", "pk")
        .values_list("person_id", "person__ref", "institution__country__code", "released_on")
    )
    latest = {}
    for person_id, ref, country, released in rows.iterator(chunk_size=20000):
        latest[person_id] = (ref, country, released)
    return [
        (Person(pk=person_id, ref=ref), country, released)
        for person_id, (ref, country, released) in latest.items()
    ]


def _trained(person_ids) -> set[int]:
    """Those of the people who completed a training of the programme."""
    from resoc.training.models import Enrollment

    done = Enrollment.objects.filter(status=Enrollment.Status.COMPLETED)
    return set(done.values_list("person_id", flat=True).distinct()) & set(person_ids)


def _chosen(draws: list[tuple[float, float, object]], floor: int) -> list:
    """The entries whose draw fell under their share, topped up to `floor` with the lowest
    other draws. `draws`: [(draw, share, entry)] in reference order; returned in that order."""
    picked = [i for i, (draw, share, _e) in enumerate(draws) if draw < share]
    missing = floor - len(picked)
    if missing > 0:
        others = sorted(
            (draw - share, i) for i, (draw, share, _e) in enumerate(draws) if draw >= share
        )
        picked += [i for _gap, i in others[:missing]]
    return [draws[i][2] for i in sorted(picked)]


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
    trained = _trained(p.pk for p, _c, _d in people)
    plan = _Plan()
    numbers = defaultdict(int)
    # One draw per person, in reference order, whatever is made of it.
    in_call, before = defaultdict(list), defaultdict(list)
    for person, country, released in people:
        draw = r.random()
        call = _call_for(by_country, country, released)
        if call is not None:
            share = APPLY_SHARE_TRAINED if person.pk in trained else APPLY_SHARE
            in_call[call.code].append((draw, share, (person, call, released)))
        elif released < add_months(first_call, -RELEASED_WITHIN):
            before[country].append((draw, HISTORICAL_SHARE, (person, country, released)))
    for code in sorted(before):
        for person, country, released in _chosen(before[code], MIN_HISTORICAL):
            _historical(ctx, r, plan, person, country, released, cycles, rates, numbers)
    applicants = [
        applicant
        for code in sorted(in_call)
        for applicant in _chosen(in_call[code], MIN_APPLICATIONS)
    ]
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
        made.append((application, items))
    checks = eligibility.check_many(
        [(a.person, a.call, a.applied_on) for a, _parts in made], today=ctx.reference_day
    )
    for (application, _parts), result in zip(made, checks, strict=True):
        application.eligibility = result
        application.eligibility_checked_on = application.applied_on
    return _decide(ctx, r, plan, made)


def _sector_labels():
    from resoc.grants.models import Sector

    return [(value, str(label)) for value, label in Sector.choices]


def _decide(ctx, r, plan, applications) -> list:
    """Decisions on [(application, its items)], call by call: in time linear in their number
    (but for sorting each call's ranking)."""
    today = ctx.reference_day
    by_call = defaultdict(list)
    for application, items in applications:
        by_call[application.call.pk].append((application, items))
    approved = []
    for group in by_call.values():
        call = group[0][0].call
        latest = call.cycle.code == CALL_CYCLES[-1]
        ranked = sorted(group, key=lambda ai: (-_quality(ctx.seed, ai[0].code), ai[0].code))
        # The place of each eligible application among the eligible ones, by object identity.
        rank_of = {}
        for application, _items in ranked:
            if eligibility.overall(application.eligibility) != "not_met":
                rank_of[id(application)] = len(rank_of)
        approve_count = max(1, round(len(rank_of) * APPROVE_SHARE)) if rank_of else 0
        waitlist_count = max(1, round(len(rank_of) * WAITLIST_SHARE)) if rank_of else 0
        for application, items in ranked:
            if latest and r.random() < PENDING_SHARE:
                continue  # still being evaluated
            decided = call.closes_on + r.randint(14, 90) * DAY
            if decided >= today:
                continue
            application.decided_on = decided
            rank = rank_of.get(id(application))
            if rank is None:
                failed = eligibility.not_met(application.eligibility)
                application.decision = Application.Decision.REJECTED
                application.decision_reason = "Not eligible: " + " ".join(
                    c["reason"] for c in failed
                )
                continue
            if rank < approve_count:
                application.decision = Application.Decision.APPROVED
                application.approved_eur = application.requested_eur
                application.decision_reason = "Sound business plan, ranked within the budget."
                grant = Grant(application=application, code=application.code)
                plan.grants.append(grant)
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
