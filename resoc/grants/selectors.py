"""Reading grant records through the user's scope. An object outside it is a 404.

Calls are read by country. Applications, grants and visits are personal data: a country-scoped
role (coordinator, grants officer) sees those of its countries whose person it may see too.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.http import Http404

from resoc.accounts import roles as account_roles
from resoc.accounts.roles import has_role
from resoc.grants import roles
from resoc.grants.dates import MARKS, delivered_by, mark_date, months_between_sql
from resoc.grants.models import Application, Call, Evaluation, Grant, Visit
from resoc.people.selectors import person_list_for_user

ZERO = Decimal("0")
MONEY = DecimalField(max_digits=16, decimal_places=2)
# A visit is listed as due from this many days before its mark.
DUE_SOON_DAYS = 30
DELIVERED_STATUSES = (Grant.Status.DELIVERED, Grant.Status.CLOSED)


def can_read(user) -> bool:
    return has_role(user, roles.GRANT_READERS)


def _scoped(qs: QuerySet, user, *, prefix: str = "", personal: bool = True) -> QuerySet:
    """Records of the user's countries (and, for personal records, of people they may see)."""
    if not can_read(user):
        return qs.none()
    if user.role in account_roles.GLOBAL_READERS:
        return qs
    countries = user.countries.values("pk")
    qs = qs.filter(**{f"{prefix}country__in": countries})
    if personal:
        people = person_list_for_user(user=user).values("pk")
        qs = qs.filter(**{f"{prefix}person__in": people})
    return qs


def _first_or_404(qs):
    obj = qs.first()
    if obj is None:
        raise Http404
    return obj


# Calls


def call_list_for_user(*, user) -> QuerySet[Call]:
    approved = Q(applications__decision=Application.Decision.APPROVED)
    qs = Call.objects.select_related("cycle", "country").annotate(
        approved_total=Coalesce(
            Sum("applications__approved_eur", filter=approved), Value(ZERO), output_field=MONEY
        ),
        application_count=Count("applications"),
    )
    return _scoped(qs, user, personal=False)


def call_get_for_user(*, user, code: str) -> Call:
    return _first_or_404(call_list_for_user(user=user).filter(code=code))


def call_approved_total(call: Call, *, exclude=None) -> Decimal:
    """The EUR approved so far in the call (all its applications, whoever may see them)."""
    qs = Application.objects.filter(call=call, decision=Application.Decision.APPROVED)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.aggregate(total=Sum("approved_eur"))["total"] or ZERO


def calls_writable_by(user) -> QuerySet[Call]:
    """The calls a writer may add applications to: those of their countries."""
    qs = Call.objects.select_related("cycle", "country").order_by("-opens_on", "code")
    if not has_role(user, roles.GRANT_WRITERS):
        return qs.none()
    if user.role in roles.GRANT_WRITERS_EVERYWHERE:
        return qs
    return qs.filter(country__in=user.countries.values("pk"))


# Applications


def application_list_for_user(*, user) -> QuerySet[Application]:
    qs = Application.objects.select_related("person", "call", "cycle", "country")
    return _scoped(qs, user)


def application_get_for_user(*, user, code: str) -> Application:
    return _first_or_404(application_list_for_user(user=user).filter(code=code))


def with_scores(qs: QuerySet[Application], *, user=None) -> QuerySet[Application]:
    """Each application's average weighted score over the complete evaluations, their count,
    and (given a user) whether that user has evaluated it."""
    complete = Q(evaluations__declared_no_conflict=True, evaluations__weighted_score__isnull=False)
    qs = qs.annotate(
        average_score=Avg("evaluations__weighted_score", filter=complete),
        evaluation_count=Count("evaluations", filter=complete),
    )
    if user is not None:
        mine = Evaluation.objects.filter(application=OuterRef("pk"), evaluator=user)
        qs = qs.annotate(evaluated_by_me=Exists(mine))
    return qs


def call_ranking(*, user, call: Call) -> list[Application]:
    """The call's applications (in the user's scope), best average weighted score first."""
    qs = with_scores(application_list_for_user(user=user).filter(call=call), user=user)
    return list(
        qs.order_by(F("average_score").desc(nulls_last=True), "applied_on", "code").select_related(
            "grant"
        )
    )


def awaiting_my_evaluation(*, user) -> list[Application]:
    """Pending applications of calls whose committee the user sits on, not yet evaluated."""
    if not has_role(user, roles.EVALUATOR_ROLES):
        return []
    mine = Evaluation.objects.filter(application=OuterRef("pk"), evaluator=user)
    qs = (
        application_list_for_user(user=user)
        .filter(
            call__in=user.grant_committees.values("pk"),
            decision__in=(Application.Decision.PENDING, Application.Decision.WAITLISTED),
        )
        .exclude(Exists(mine))
        .order_by("call__code", "applied_on", "code")
    )
    return list(qs[:200])


def evaluations_of(application: Application) -> list[Evaluation]:
    return list(
        application.evaluations.select_related("evaluator").prefetch_related("scores__criterion")
    )


# Grants and visits


def grant_list_for_user(*, user) -> QuerySet[Grant]:
    qs = Grant.objects.select_related(
        "application",
        "application__person",
        "application__call",
        "application__cycle",
        "application__country",
    )
    return _scoped(qs, user, prefix="application__")


def grant_get_for_user(*, user, code: str) -> Grant:
    return _first_or_404(grant_list_for_user(user=user).filter(code=code))


def visit_list_for_user(*, user) -> QuerySet[Visit]:
    qs = Visit.objects.select_related("grant", "grant__application__person")
    return _scoped(qs, user, prefix="grant__application__")


def visit_get_for_user(*, user, pk: int) -> Visit:
    return _first_or_404(visit_list_for_user(user=user).filter(pk=pk))


def with_last_visit(qs: QuerySet[Grant]) -> QuerySet[Grant]:
    return qs.annotate(last_visit=Max("visits__visited_on"), visit_count=Count("visits"))


@dataclass
class DueVisit:
    grant: Grant
    months: int
    due_on: datetime.date
    last_visit: datetime.date | None

    def overdue(self, today: datetime.date) -> bool:
        return today > self.due_on


def due_mark(delivered_on, last_visit, today) -> tuple[int, datetime.date] | None:
    """The latest monitoring mark that is due (from DUE_SOON_DAYS before it) and has no visit
    on or after it; None when the grant needs no visit now."""
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    due = [(m, mark_date(delivered_on, m)) for m in MARKS if mark_date(delivered_on, m) <= soon]
    if not due:
        return None
    months, on = due[-1]
    if last_visit is not None and last_visit >= on:
        return None
    return months, on


def visits_due(*, user, today: datetime.date) -> list[DueVisit]:
    """The delivered grants (not closed) that need a monitoring visit: due within
    DUE_SOON_DAYS days or overdue, the longest overdue first. Two queries whatever their number."""
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    qs = grant_list_for_user(user=user).filter(
        status=Grant.Status.DELIVERED, delivered_on__lte=delivered_by(soon, MARKS[0])
    )
    rows = qs.annotate(last_visit=Max("visits__visited_on")).values_list(
        "pk", "delivered_on", "last_visit"
    )
    wanted = {}
    for pk, delivered_on, last_visit in rows:
        mark = due_mark(delivered_on, last_visit, today)
        if mark is not None:
            wanted[pk] = (*mark, last_visit)
    grants = grant_list_for_user(user=user).in_bulk(list(wanted))
    items = [DueVisit(grants[pk], months, on, last) for pk, (months, on, last) in wanted.items()]
    return sorted(items, key=lambda d: (d.due_on, d.grant.code))


# Business survival


def _latest_visit_at_or_after_mark(as_of: datetime.date, months: int) -> Subquery:
    visits = (
        Visit.objects.filter(grant=OuterRef("pk"), visited_on__lte=as_of)
        .annotate(months_after=months_between_sql("grant__delivered_on", "visited_on"))
        .filter(months_after__gte=months)
        .order_by("-visited_on", "-pk")
    )
    return Subquery(visits.values("business_active")[:1])


def _survival_qs(qs: QuerySet[Grant], as_of: datetime.date, months: int) -> QuerySet[Grant]:
    """The grants delivered at least `months` whole months before `as_of`, each with what its
    latest visit at or after that mark (up to `as_of`) says: active, closed, or NULL (none)."""
    return (
        qs.filter(status__in=DELIVERED_STATUSES, delivered_on__lte=delivered_by(as_of, months))
        .order_by()
        .annotate(late_active=_latest_visit_at_or_after_mark(as_of, months))
    )


def _counts():
    return {
        "delivered": Count("pk"),
        "eligible": Count("pk", filter=Q(late_active__isnull=False)),
        "active": Count("pk", filter=Q(late_active=True)),
    }


def _rate(active: int, eligible: int) -> Decimal | None:
    if not eligible:
        return None
    return (Decimal(active) / Decimal(eligible)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _late_visits(as_of: datetime.date, months: int) -> Q:
    """A grant's visits (joined) at or after its `months` mark, by `as_of`."""
    since = months_between_sql("delivered_on", "visits__visited_on")
    return Q(visits__visited_on__lte=as_of) & Q(GreaterThanOrEqual(since, months))


def grant_survival(*, qs: QuerySet[Grant], as_of: datetime.date, months: int) -> dict:
    """Business survival `months` after delivery, counted in the database.

    Of the grants in `qs` delivered at least `months` whole months before `as_of` that have a
    visit at or after that mark (and by `as_of`), `eligible` is their number, `active` the number
    whose latest such visit found the business active, `rate` = active / eligible as a fraction
    (4 places), or None without eligible grants.

    One grouped pass over the grants joined to their visits, no subquery per grant: a grant has
    one visit a day at most, so its latest late visit was active exactly when the latest late
    visit that found the business active is on the same day.
    """
    late = _late_visits(as_of, months)
    grants = (
        qs.filter(status__in=DELIVERED_STATUSES, delivered_on__lte=delivered_by(as_of, months))
        .order_by()
        .values("pk")
        .annotate(
            last=Max("visits__visited_on", filter=late),
            last_active=Max("visits__visited_on", filter=late & Q(visits__business_active=True)),
        )
    )
    counts = grants.aggregate(
        eligible=Count("pk", filter=Q(last__isnull=False)),
        active=Count("pk", filter=Q(last_active=F("last"))),
    )
    return {
        "eligible": counts["eligible"],
        "active": counts["active"],
        "rate": _rate(counts["active"], counts["eligible"]),
    }


SURVIVAL_GROUPS = {
    "call": ("application__call__code", "application__call__title"),
    "sector": ("application__sector", None),
    "country": ("application__country__code", "application__country__name"),
}


def grant_survival_by(
    *, qs: QuerySet[Grant], as_of: datetime.date, months: int, group: str
) -> list[dict]:
    """`grant_survival` per call, sector or country: [{"key", "name", "delivered", "eligible",
    "active", "rate"}], in one query. Grants delivered long enough ago count in `delivered`."""
    key, name = SURVIVAL_GROUPS[group]
    fields = [key] + ([name] if name else [])
    rows = _survival_qs(qs, as_of, months).values(*fields).annotate(**_counts()).order_by(key)
    return [
        {
            "key": row[key],
            "name": row[name] if name else row[key],
            "delivered": row["delivered"],
            "eligible": row["eligible"],
            "active": row["active"],
            "rate": _rate(row["active"], row["eligible"]),
        }
        for row in rows
    ]
