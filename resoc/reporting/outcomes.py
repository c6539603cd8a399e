"""Outcomes after release in aggregate, with the definitions of `resoc.reentry.outcomes` (the
release that counts is the latest on or before `as_of`; only people followed at least once are
eligible; windows are calendar months), counted from each person's release episode.

The re-entry area's `outcomes_aggregate` annotates every person with their release as a
subquery, which the database then evaluates again for each window and each count: seconds at a
few thousand people. Here the release is a column of the episode row, so each window is one
indexed EXISTS per followed person. A test keeps both in agreement.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear

from resoc.people.models import CustodyEpisode
from resoc.reentry.dates import release_cutoff
from resoc.reentry.models import EMPLOYED, FollowUp, OutcomeEvent
from resoc.reporting.selectors import rate


def _month_index(field: str):
    return ExtractYear(field) * 12 + ExtractMonth(field)


def _within(model, months: int, **filters) -> Exists:
    """A record dated in (release, release + months] (same rule as the re-entry area's)."""
    limit = OuterRef("release_month") + months
    records = (
        model.objects.filter(
            person=OuterRef("person_id"), date__gt=OuterRef("released_on"), **filters
        )
        .annotate(month_index=_month_index("date"), day=ExtractDay("date"))
        .filter(Q(month_index__lt=limit) | Q(month_index=limit, day__lte=OuterRef("release_day")))
    )
    return Exists(records)


def release_episodes(
    *, as_of: datetime.date, persons_qs: QuerySet | None = None, country=None
) -> QuerySet[CustodyEpisode]:
    """Each followed person's latest release on or before `as_of` (one episode row each)."""
    released = Q(released_on__isnull=False, released_on__lte=as_of)
    later = CustodyEpisode.objects.filter(released, person=OuterRef("person_id")).filter(
        Q(released_on__gt=OuterRef("released_on"))
        | Q(released_on=OuterRef("released_on"), pk__gt=OuterRef("pk"))
    )
    qs = CustodyEpisode.objects.filter(
        released,
        ~Exists(later),
        person_id__in=FollowUp.objects.values("person_id"),
    )
    if persons_qs is not None:
        qs = qs.filter(person_id__in=persons_qs.values("pk"))
    if country:
        code = getattr(country, "code", country).upper()
        qs = qs.filter(
            Exists(
                CustodyEpisode.objects.filter(
                    person=OuterRef("person_id"),
                    released_on=OuterRef("released_on"),
                    institution__country__code=code,
                )
            )
        )
    return qs


def outcomes_aggregate(
    *, persons_qs: QuerySet | None = None, as_of: datetime.date, country=None
) -> dict:
    """Employed within 6 months, reoffended within 12 and 24 months of release: {eligible,
    count, rate} each, over the followed people released by `as_of`, in one query."""
    cut = {months: release_cutoff(as_of, months) for months in (6, 12, 24)}
    qs = (
        release_episodes(as_of=as_of, persons_qs=persons_qs, country=country)
        .filter(released_on__lte=cut[6])
        .annotate(release_month=_month_index("released_on"), release_day=ExtractDay("released_on"))
        .annotate(
            employed=_within(FollowUp, 6, employment__in=EMPLOYED),
            reoffended_12=_within(OutcomeEvent, 12),
            reoffended_24=_within(OutcomeEvent, 24),
        )
    )
    in_12, in_24 = Q(released_on__lte=cut[12]), Q(released_on__lte=cut[24])
    totals = qs.aggregate(
        eligible_6=Count("pk"),
        employed_6=Count("pk", filter=Q(employed=True)),
        eligible_12=Count("pk", filter=in_12),
        reoffended_12m=Count("pk", filter=in_12 & Q(reoffended_12=True)),
        eligible_24=Count("pk", filter=in_24),
        reoffended_24m=Count("pk", filter=in_24 & Q(reoffended_24=True)),
    )

    def window(eligible: str, count: str, name: str) -> dict:
        e, n = totals[eligible], totals[count]
        return {"eligible": e, name: n, "rate": rate(n, e)}

    return {
        "employed_6m_after_release": window("eligible_6", "employed_6", "employed"),
        "recidivism_12m": window("eligible_12", "reoffended_12m", "reoffended"),
        "recidivism_24m": window("eligible_24", "reoffended_24m", "reoffended"),
    }
