"""The figures other areas count for us: certificates, grants and business survival, and the
outcomes after release. Each is asked for with the report's filters."""

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from resoc.certificates.models import Certificate
from resoc.grants.models import Grant
from resoc.reporting import sources
from resoc.reporting.filters import ReportFilters, age_q

DELIVERED = (Grant.Status.DELIVERED, Grant.Status.CLOSED)


def certificates_issued(f: ReportFilters) -> int:
    """Certificates (not revoked) of the filtered cohorts, issued by the end of the period."""
    return Certificate.objects.filter(
        sources.enrollment_q(f, "enrollment__"),
        issued_on__lte=f.as_of,
        revoked_on__isnull=True,
    ).count()


def grants_delivered(f: ReportFilters) -> QuerySet[Grant]:
    """Grants delivered in the period (of the cycle and country their application names)."""
    q = Q(status__in=DELIVERED, delivered_on__lte=f.as_of)
    if f.date_from:
        q &= Q(delivered_on__gte=f.date_from)
    if f.country:
        q &= Q(application__country__code=f.country)
    if f.cycle:
        q &= Q(application__cycle__code=f.cycle)
    if f.institution_kind:  # a grant belongs to no institution
        q &= Q(pk__in=[])
    q &= sources.person_q(f, "application__person", "delivered_on")
    return Grant.objects.filter(q)


def grant_value_by_cycle(f: ReportFilters) -> dict[int, Decimal]:
    rows = (
        grants_delivered(f)
        .order_by()
        .values_list("application__cycle_id")
        .annotate(total=Sum("value_eur"))
    )
    return {cycle_id: total for cycle_id, total in rows if total}


def persons_granted(f: ReportFilters) -> int:
    return grants_delivered(f).order_by().values("application__person_id").distinct().count()


def business_survival(f: ReportFilters, *, months: int) -> dict:
    """{eligible, active, rate} of the delivered grants' businesses `months` after delivery."""
    from resoc.grants.selectors import grant_survival

    return grant_survival(qs=grants_delivered(f), as_of=f.as_of, months=months)


def participants(f: ReportFilters):
    """The people the programme reached under the filters (trained or granted), or None for
    everyone when neither a cycle nor a start of the period narrows it. Disaggregated by the
    people's sex and their age in the as-of year."""
    from resoc.people.models import Person

    people = None
    if f.cycle or f.date_from or f.institution_kind:
        trained = sources.trained_enrollments(f).order_by().values("person_id")
        granted = grants_delivered(f).order_by().values("application__person_id")
        # One list of keys (a UNION), not two ORed IN tests: PostgreSQL then starts from these
        # few thousand people instead of testing the million (30 ms against 700 ms).
        people = Person.objects.filter(pk__in=trained.union(granted))
    if f.sex or f.age_band:
        people = Person.objects.all() if people is None else people
        if f.sex:
            people = people.filter(sex=f.sex)
        if f.age_band:
            people = people.filter(age_q(f.age_band, f.as_of.year, "birth_year"))
    return people


def outcomes(f: ReportFilters) -> dict:
    """Employment and reoffending after release (definitions: `resoc.reentry.outcomes`)."""
    from resoc.reporting.outcomes import outcomes_aggregate

    country = f.country
    if country and not f.institution_kind:
        country = f.sites.institutions  # the country's institutions, read once already
    return outcomes_aggregate(persons_qs=participants(f), as_of=f.as_of, country=country)
