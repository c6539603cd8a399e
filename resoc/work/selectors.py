"""Reading work records through the user's scope: people for assignments and months, sites for
production. An object outside the scope is a 404."""

import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from resoc.accounts import roles
from resoc.audit.services import audit_record
from resoc.people.selectors import person_list_for_user
from resoc.registry.models import Organisation, Workshop
from resoc.registry.selectors import workshop_list_for_user
from resoc.work.models import ProductionRecord, WorkAssignment, WorkMonth
from resoc.work.months import add_months, month_end, month_start

ZERO = Decimal("0")


def _in_people_and_sites(qs: QuerySet, user) -> QuerySet:
    """Records of people the user may see, in workshops the user may see."""
    if not roles.has_role(user, roles.PERSON_READERS):
        return qs.none()
    if user.role in roles.GLOBAL_READERS:
        return qs
    return qs.filter(
        person__in=person_list_for_user(user=user).values("pk"),
        workshop__in=workshop_list_for_user(user=user).values("pk"),
    )


def assignment_list_for_user(*, user) -> QuerySet[WorkAssignment]:
    qs = WorkAssignment.objects.select_related("person", "workshop", "workshop__institution")
    return _in_people_and_sites(qs, user)


def assignment_get_for_user(*, user, pk: int) -> WorkAssignment:
    obj = assignment_list_for_user(user=user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def active_in_month_q(month: datetime.date, prefix: str = "") -> Q:
    """Assignments that overlap the month of `month`."""
    return Q(**{f"{prefix}start__lte": month_end(month)}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": month_start(month)})
    )


def work_month_list_for_user(*, user) -> QuerySet[WorkMonth]:
    qs = WorkMonth.objects.select_related("person", "workshop", "workshop__institution")
    return _in_people_and_sites(qs, user)


def work_month_get_for_user(*, user, pk: int) -> WorkMonth:
    obj = work_month_list_for_user(user=user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def production_list_for_user(*, user) -> QuerySet[ProductionRecord]:
    """Production of the workshops the user may see (no personal data: every role)."""
    qs = ProductionRecord.objects.select_related("workshop", "workshop__institution", "buyer")
    if not roles.has_role(user, roles.GLOBAL_READERS):
        qs = qs.filter(workshop__in=workshop_list_for_user(user=user).values("pk"))
    return qs


def production_get_for_user(*, user, pk: int) -> ProductionRecord:
    obj = production_list_for_user(user=user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def buyer_list() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=Organisation.Kind.BUYER)


def workshop_workers(*, user, workshop: Workshop, month: datetime.date) -> list[WorkAssignment]:
    """The assignments active in the month, with their person; audited as a read of people.

    Empty for users who may not see people (donors, procurement) or none of these people.
    """
    workers = list(
        assignment_list_for_user(user=user)
        .filter(active_in_month_q(month), workshop=workshop)
        .order_by("person__family_name", "person__given_name", "person__ref", "start")
    )
    if workers:
        audit_record(
            "work.workers.listed",
            actor=user,
            obj=workshop,
            detail={"month": month_start(month), "refs": [a.person.ref for a in workers]},
        )
    return workers


def production_by_month(
    *, workshop: Workshop, months: int = 12, until: datetime.date | None = None
) -> list[dict]:
    """[{"month", "value_eur", "quantity"}] for the `months` months up to `until`'s month.

    Summed in the database; a month without production is present with zeros. The quantity
    adds up whatever units the records use.
    """
    last = month_start(until or timezone.localdate())
    first = add_months(last, -(months - 1))
    money = DecimalField(max_digits=18, decimal_places=3)
    totals = {
        row["month"]: row
        for row in ProductionRecord.objects.filter(
            workshop=workshop, month__gte=first, month__lte=last
        )
        .values("month")
        .annotate(
            value_eur=Coalesce(Sum("value_eur"), Value(ZERO), output_field=money),
            quantity=Coalesce(Sum("quantity"), Value(ZERO), output_field=money),
        )
        .order_by("month")
    }
    result = []
    for index in range(months):
        month = add_months(first, index)
        row = totals.get(month, {})
        result.append(
            {
                "month": month,
                "value_eur": Decimal(row.get("value_eur") or ZERO),
                "quantity": Decimal(row.get("quantity") or ZERO),
            }
        )
    return result


def sales_by_buyer(
    *, user, first: datetime.date | None = None, last: datetime.date | None = None
) -> list[dict]:
    """What each buyer bought from the user's workshops: records and value in EUR."""
    qs = production_list_for_user(user=user).filter(buyer__isnull=False)
    if first:
        qs = qs.filter(month__gte=month_start(first))
    if last:
        qs = qs.filter(month__lte=month_start(last))
    money = DecimalField(max_digits=18, decimal_places=2)
    return list(
        qs.values("buyer__code", "buyer__name")
        .annotate(
            records=Count("pk"),
            workshops=Count("workshop", distinct=True),
            value_eur=Coalesce(Sum("value_eur"), Value(ZERO), output_field=money),
        )
        .order_by("-value_eur", "buyer__code")
    )
