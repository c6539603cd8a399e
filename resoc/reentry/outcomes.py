"""What happens after release, per person and in aggregate, counted in the database.

Definitions (shared with the results reports):

- The release that counts, as of a day `as_of`, is the person's latest custody episode with a
  release on or before `as_of` (`released_on`); earlier releases of the same person do not count.
- A released person is *followed* with at least one follow-up contact, at any time.
- A person is *eligible* for a window of N months once release + N months <= as_of and they are
  followed; people never followed, or released too recently, are left out of the rates.
- *employed_6m*: a contact in (release, release + 6 months] says employed or self-employed.
- *reoffended_12m / 24m*: a reoffending event (reoffended or reimprisoned) dated in
  (release, release + N months].

Months are calendar months: a release on 31 August reaches six months on the last day of February.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear

from resoc.people.models import CustodyEpisode, Person
from resoc.reentry.dates import release_cutoff
from resoc.reentry.models import EMPLOYED, FollowUp, OutcomeEvent
from resoc.registry.models import Country

WINDOWS = {"employed_6m": 6, "reoffended_12m": 12, "reoffended_24m": 24}


def _month_index(field: str):
    return ExtractYear(field) * 12 + ExtractMonth(field)


def _within(model, months: int, **filters) -> Exists:
    """A record of the person dated in (release, release + months], in the database: a day is
    within N months of the release when its month comes earlier than the release's month + N,
    or is that month and its day is not later than the release's."""
    limit = OuterRef("release_month") + months
    records = (
        model.objects.filter(person=OuterRef("pk"), date__gt=OuterRef("release"), **filters)
        .annotate(month_index=_month_index("date"), day=ExtractDay("date"))
        .filter(Q(month_index__lt=limit) | Q(month_index=limit, day__lte=OuterRef("release_day")))
    )
    return Exists(records)


def released_persons(
    *, as_of: datetime.date, persons_qs: QuerySet | None = None, country=None
) -> QuerySet[Person]:
    """The people released on or before `as_of`, annotated with the release that counts and
    whether they were followed, employed within 6 and reoffended within 12 and 24 months (the
    windows are not checked against `as_of`: see the eligibility cut-offs)."""
    qs = Person.objects.all() if persons_qs is None else persons_qs
    release = (
        CustodyEpisode.objects.filter(
            person=OuterRef("pk"), released_on__isnull=False, released_on__lte=as_of
        )
        .order_by("-released_on")
        .values("released_on")[:1]
    )
    qs = qs.annotate(release=Subquery(release)).filter(release__isnull=False)
    if country is not None:
        code = country.code if isinstance(country, Country) else str(country).upper()
        qs = qs.filter(
            Exists(
                CustodyEpisode.objects.filter(
                    person=OuterRef("pk"),
                    released_on=OuterRef("release"),
                    institution__country__code=code,
                )
            )
        )
    return qs.annotate(
        release_month=_month_index("release"),
        release_day=ExtractDay("release"),
        followed=Exists(FollowUp.objects.filter(person=OuterRef("pk"))),
        employed_6m=_within(FollowUp, 6, employment__in=EMPLOYED),
        reoffended_12m=_within(OutcomeEvent, 12),
        reoffended_24m=_within(OutcomeEvent, 24),
    )


def _rate(count: int, eligible: int) -> Decimal | None:
    if not eligible:
        return None
    return (Decimal(count) / Decimal(eligible)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def outcomes_aggregate(
    *, persons_qs: QuerySet | None = None, as_of: datetime.date, country=None
) -> dict:
    """The outcome figures over the released people (of `persons_qs`, of `country`'s
    institutions), in one query."""
    qs = released_persons(as_of=as_of, persons_qs=persons_qs, country=country)
    followed = Q(followed=True)
    cut = {months: release_cutoff(as_of, months) for months in (6, 12, 24)}
    totals = qs.aggregate(
        n_released=Count("pk"),
        n_followed=Count("pk", filter=followed),
        eligible_6=Count("pk", filter=followed & Q(release__lte=cut[6])),
        employed_6=Count("pk", filter=followed & Q(release__lte=cut[6], employed_6m=True)),
        eligible_12=Count("pk", filter=followed & Q(release__lte=cut[12])),
        reoffended_12=Count("pk", filter=followed & Q(release__lte=cut[12], reoffended_12m=True)),
        eligible_24=Count("pk", filter=followed & Q(release__lte=cut[24])),
        reoffended_24=Count("pk", filter=followed & Q(release__lte=cut[24], reoffended_24m=True)),
    )

    def window(eligible, count, name):
        return {"eligible": eligible, name: count, "rate": _rate(count, eligible)}

    return {
        "employed_6m_after_release": window(totals["eligible_6"], totals["employed_6"], "employed"),
        "recidivism_12m": window(totals["eligible_12"], totals["reoffended_12"], "reoffended"),
        "recidivism_24m": window(totals["eligible_24"], totals["reoffended_24"], "reoffended"),
        "followed": {"released": totals["n_released"], "followed": totals["n_followed"]},
    }


def person_outcomes(*, person: Person, as_of: datetime.date) -> dict | None:
    """The person's outcomes as of the day: None when not released by then; each window True or
    False once eligible, None before (or when never followed)."""
    row = (
        released_persons(as_of=as_of, persons_qs=Person.objects.filter(pk=person.pk))
        .values("release", "followed", *WINDOWS)
        .first()
    )
    if row is None:
        return None
    result = {"released_on": row["release"], "followed": row["followed"]}
    for name, months in WINDOWS.items():
        eligible = row["followed"] and row["release"] <= release_cutoff(as_of, months)
        result[name] = bool(row[name]) if eligible else None
    return result
