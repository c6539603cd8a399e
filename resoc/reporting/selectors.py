"""The programme's key results, counted from the records in a bounded number of queries.

Definitions (issue 7): equipment counts from delivery on; a person is trained once enrolled
(enrolled, completed, dropped out, transferred or released) and counts once, in the situation
they were in at the start of their first such cohort; money is EUR; a rate is null when nobody is
eligible. See `sources` for what the filters select.
"""

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import ExtractYear

from resoc.core.money import CENT, split_by_shares
from resoc.people.models import CustodyEpisode, Person, StaffPosition
from resoc.registry.models import CycleFunder, Institution, Workshop
from resoc.reporting import sources, upstream
from resoc.reporting.filters import ReportFilters, parse_filters
from resoc.training.models import Enrollment

ZERO = Decimal("0")
RATE_PLACES = Decimal("0.0001")
JUVENILE_BELOW = 18
P = Person.Kind
# The JSON names of the person categories, by Person.Kind.
CATEGORY_FIELDS = {
    P.PRISONER: "prisoners",
    P.STAFF: "staff",
    P.FAMILY_MEMBER: "family_members",
    P.FORMER_PRISONER: "former_prisoners",
}
PERSONS_TRAINED_FIELDS = (
    "total",
    "prisoners",
    "staff",
    "family_members",
    "former_prisoners",
    "female",
    "male",
    "juveniles",
)


def money(value) -> str:
    return str(Decimal(value or 0).quantize(CENT, ROUND_HALF_UP))


def rate(part: int, eligible: int) -> str | None:
    if not eligible:
        return None
    return str((Decimal(part) / Decimal(eligible)).quantize(RATE_PLACES, ROUND_HALF_UP))


def key_results(*, country=None, cycle=None, date_from=None, date_to=None) -> dict:
    """The key results as JSON-ready values; raises `FilterError` for an unknown code or date."""
    filters = parse_filters(country=country, cycle=cycle, date_from=date_from, date_to=date_to)
    return key_results_for(filters)


def key_results_for(f: ReportFilters) -> dict:
    equipment_eur = value_by_cycle(sources.equipment(f), "value_eur")
    training_eur = value_by_cycle(sources.cohorts_with_participants(f), "cost_eur")
    grants_eur = upstream.grant_value_by_cycle(f)
    by_source, unfunded = _funding_by_source([equipment_eur, training_eur, grants_eur])
    totals = [sum(part.values(), ZERO) for part in (equipment_eur, training_eur, grants_eur)]
    workshops, institutions = sites_reached(f)
    enrollments = Enrollment.objects.filter(sources.enrollment_q(f))
    businesses = upstream.business_survival(f, months=12)
    outcomes = upstream.outcomes(f)
    employed, reoffended = outcomes["employed_6m_after_release"], outcomes["recidivism_12m"]
    return {
        "filters": {
            "country": f.country,
            "cycle": f.cycle,
            "from": f.date_from.isoformat() if f.date_from else None,
            "to": f.as_of.isoformat(),
        },
        "institutions_reached": institutions,
        "workshops_equipped": workshops,
        "equipment_value_eur": money(totals[0]),
        "training_cost_eur": money(totals[1]),
        "grants_value_eur": money(totals[2]),
        "total_invested_eur": money(sum(totals, ZERO)),
        "funding_by_source_eur": {code: money(v) for code, v in by_source.items()},
        "unfunded_eur": money(unfunded),
        "persons_trained": persons_trained(f),
        "enrollments_completed": enrollments.filter(
            status=Enrollment.Status.COMPLETED, completed_on__lte=f.as_of
        ).count(),
        "certificates_issued": upstream.certificates_issued(f),
        "former_prisoners_granted": upstream.persons_granted(f),
        "businesses_active_12m": _pair(businesses, "active"),
        "employed_6m_after_release": _pair(employed, "employed"),
        "recidivism_12m": _pair(reoffended, "reoffended"),
        "recidivism_24m": _pair(outcomes["recidivism_24m"], "reoffended"),
    }


def _pair(counts: dict, part: str) -> dict:
    eligible, value = int(counts.get("eligible") or 0), int(counts.get(part) or 0)
    return {"eligible": eligible, part: value, "rate": rate(value, eligible)}


def value_by_cycle(qs, field: str) -> dict[int, Decimal]:
    rows = qs.order_by().values_list("cycle_id").annotate(total=Sum(field))
    return {cycle_id: total for cycle_id, total in rows if total}


def _funding_by_source(parts: list[dict[int, Decimal]]) -> tuple[dict[str, Decimal], Decimal]:
    """Each cycle's spending split by its funders' shares, to the cent; and what no funder has."""
    per_cycle = Counter()
    for part in parts:
        for cycle_id, value in part.items():
            per_cycle[cycle_id] += value
    shares: dict[int, list] = {}
    funders = CycleFunder.objects.filter(cycle_id__in=list(per_cycle)).values_list(
        "cycle_id", "organisation__code", "share_percent"
    )
    for cycle_id, code, share in funders:
        shares.setdefault(cycle_id, []).append((code, share))
    totals: Counter = Counter()
    unfunded = ZERO
    for cycle_id, value in per_cycle.items():
        if cycle_id not in shares:
            unfunded += value
            continue
        for code, amount in split_by_shares(value, shares[cycle_id]).items():
            totals[code] += amount
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    return dict(ordered), unfunded


def sites_reached(f: ReportFilters) -> tuple[int, int]:
    """(workshops, institutions) with delivered equipment, work assignments or (institutions
    only: cohorts have no workshop) a cohort with participants."""
    equipped = sources.equipment(f).filter(workshop=OuterRef("pk"))
    worked = sources.assignments(f).filter(workshop=OuterRef("pk"))
    workshops = Workshop.objects.filter(Exists(equipped) | Exists(worked))
    taught = sources.cohorts_with_participants(f).filter(institution=OuterRef("pk"))
    institutions = Institution.objects.filter(
        Q(pk__in=workshops.values("institution_id")) | Q(Exists(taught))
    )
    return workshops.count(), institutions.count()


def _situation(day) -> Case:
    """The person's category on `day` (an expression over the enrollment's person)."""
    person = OuterRef("person_id")
    in_custody = CustodyEpisode.objects.filter(
        Q(released_on__isnull=True) | Q(released_on__gt=day),
        Q(transferred_out_on__isnull=True) | Q(transferred_out_on__gte=day),
        person=person,
        admitted_on__lte=day,
    )
    released = CustodyEpisode.objects.filter(person=person, released_on__lte=day)
    employed = StaffPosition.objects.filter(
        Q(started_on__isnull=True) | Q(started_on__lte=day),
        Q(ended_on__isnull=True) | Q(ended_on__gte=day),
        person=person,
    )
    return Case(
        When(Exists(in_custody), then=Value(P.PRISONER)),
        When(Exists(released), then=Value(P.FORMER_PRISONER)),
        When(Exists(employed), then=Value(P.STAFF)),
        default=F("person__kind"),
        output_field=CharField(),
    )


def first_enrollments(f: ReportFilters):
    """Each trained person's first enrollment in the filters (earliest cohort start, then id)."""
    trained = sources.trained_enrollments(f)
    start = OuterRef("cohort__start")
    earlier = trained.filter(person=OuterRef("person")).filter(
        Q(cohort__start__lt=start) | Q(cohort__start=start, pk__lt=OuterRef("pk"))
    )
    return trained.filter(~Exists(earlier))


def persons_trained(f: ReportFilters) -> dict:
    """Trained persons once each, by situation at their first cohort's start, sex and age.

    Each first enrollment's category, sex and age are worked out once in an inner query (its
    rows are distinct already: DISTINCT only makes Django keep it a subquery), and the outer one
    counts them: PostgreSQL then fetches each person by key rather than reading them all."""
    rows = (
        first_enrollments(f)
        .annotate(
            category=_situation(OuterRef("cohort__start")),
            sex=F("person__sex"),
            age=ExtractYear("cohort__start") - F("person__birth_year"),
        )
        .annotate(juvenile=Case(When(age__lt=JUVENILE_BELOW, then=Value(1)), default=Value(0)))
        .order_by()
        .values("pk", "category", "sex", "juvenile")
        .distinct()
    )
    counts = {"total": Count("pk")}
    counts |= {
        name: Count("pk", filter=Q(category=category)) for category, name in CATEGORY_FIELDS.items()
    }
    counts |= {
        "female": Count("pk", filter=Q(sex=Person.Sex.FEMALE)),
        "male": Count("pk", filter=Q(sex=Person.Sex.MALE)),
        "juveniles": Count("pk", filter=Q(juvenile=1)),
    }
    totals = rows.aggregate(**counts)
    return {name: totals[name] or 0 for name in PERSONS_TRAINED_FIELDS}


def report_for_user(*, user, filters: ReportFilters, as_donor: bool = False) -> tuple[dict, bool]:
    """The key results as the user may see them: (results, shown as to a donor)."""
    from resoc.reporting.disclosure import for_donors
    from resoc.reporting.rules import sees_full_results

    if as_donor or not sees_full_results(user, filters.country):
        return for_donors(key_results_for(filters.in_whole_quarters())), True
    return key_results_for(filters), False
