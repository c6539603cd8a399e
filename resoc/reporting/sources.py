"""The records behind the key results, filtered by country, cycle and period.

Each function returns an unevaluated queryset; the selectors aggregate them in the database.
The country and the kind of institution select by the keys of their institutions and workshops
(`ReportFilters.sites`).
`from`/`to` select by cohort start, equipment delivery and grant delivery; work assignments,
which belong to no cycle, count when they run during the period and are left out when a cycle is
asked for.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear

from resoc.equipment.models import DELIVERED_OR_LATER, EquipmentItem
from resoc.reporting.filters import ReportFilters, age_q
from resoc.training.models import Cohort, Enrollment
from resoc.work.models import WorkAssignment

# A person is trained once the course started for them (not applicants, nor the rejected).
TRAINED = (
    Enrollment.Status.ENROLLED,
    Enrollment.Status.COMPLETED,
    Enrollment.Status.DROPPED_OUT,
    Enrollment.Status.TRANSFERRED,
    Enrollment.Status.RELEASED,
)
# A grant counts once it is delivered (closed grants were delivered before).
GRANT_DELIVERED = ("delivered", "closed")


def _period(field: str, f: ReportFilters) -> Q:
    q = Q(**{f"{field}__lte": f.as_of})
    if f.date_from:
        q &= Q(**{f"{field}__gte": f.date_from})
    return q


def equipment_delivered(f: ReportFilters, prefix: str = "") -> Q:
    """Items from delivery on (not specified, tendered or ordered), delivered in the period."""
    q = Q(status__in=sorted(DELIVERED_OR_LATER)) & _period("delivered_on", f)
    if f.sites is not None:  # the country and kind of institution
        q &= Q(workshop_id__in=f.sites.workshops)
    if f.cycle:
        q &= Q(cycle__code=f.cycle)
    return _prefixed(q, prefix)


def cohort_q(f: ReportFilters, prefix: str = "") -> Q:
    """Cohorts of the cycle and country (by their institution) that started in the period."""
    q = _period("start", f)
    if f.sites is not None:
        q &= Q(institution_id__in=f.sites.institutions)
    if f.cycle:
        q &= Q(cycle__code=f.cycle)
    return _prefixed(q, prefix)


def assignment_q(f: ReportFilters, prefix: str = "") -> Q:
    q = Q(start__lte=f.as_of)
    if f.date_from:
        q &= Q(end__isnull=True) | Q(end__gte=f.date_from)
    if f.sites is not None:
        q &= Q(workshop_id__in=f.sites.workshops)
    if f.cycle:
        q &= Q(pk__in=[])
    return _prefixed(q, prefix)


def _prefixed(q: Q, prefix: str) -> Q:
    """The same condition seen from a related model (e.g. `cohort__`)."""
    if not prefix:
        return q
    children = []
    for child in q.children:
        if isinstance(child, Q):
            children.append(_prefixed(child, prefix))
        else:
            key, value = child
            children.append((f"{prefix}{key}", value))
    clone = Q(*children, _connector=q.connector, _negated=q.negated)
    return clone


def equipment(f: ReportFilters) -> QuerySet[EquipmentItem]:
    return EquipmentItem.objects.filter(equipment_delivered(f))


def cohorts(f: ReportFilters) -> QuerySet[Cohort]:
    return Cohort.objects.filter(cohort_q(f))


def person_q(f: ReportFilters, person: str, on: str) -> Q:
    """The disaggregation by the person (at `person`) and their age in the year of `on`."""
    q = Q()
    if f.sex:
        q &= Q(**{f"{person}__sex": f.sex})
    if f.age_band:
        q &= age_q(f.age_band, ExtractYear(on), f"{person}__birth_year")
    return q


def enrollment_q(f: ReportFilters, prefix: str = "") -> Q:
    """Enrollments of the filtered cohorts (and people), seen from `prefix`."""
    q = cohort_q(f, f"{prefix}cohort__")
    return q & person_q(f, f"{prefix}person", f"{prefix}cohort__start")


def trained_enrollments(f: ReportFilters) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(Q(status__in=TRAINED) & enrollment_q(f))


def cohorts_with_participants(f: ReportFilters) -> QuerySet[Cohort]:
    taking_part = Enrollment.objects.filter(cohort=OuterRef("pk"), status__in=TRAINED)
    return cohorts(f).filter(Exists(taking_part))


def assignments(f: ReportFilters) -> QuerySet[WorkAssignment]:
    return WorkAssignment.objects.filter(assignment_q(f))
