"""Synthetic people: persons in chunks, then their custody episodes and staff positions."""

import datetime
import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from resoc.core.seeding.names import MUNICIPALITIES, POOLS_BY_COUNTRY, STAFF_ROLES
from resoc.people.models import CustodyEpisode, Person, StaffPosition
from resoc.registry.models import Institution

BATCH = 1000  # Django lowers it to what the database accepts per statement
DAY = datetime.timedelta(days=1)
P = Person.Kind
P_SEX = Person.Sex
KINDS = (P.PRISONER, P.FORMER_PRISONER, P.STAFF, P.FAMILY_MEMBER)
KIND_WEIGHTS = (50, 35, 8, 7)
IN_CUSTODY_ONCE = {P.PRISONER, P.FORMER_PRISONER}
TRANSFER_SHARE = 0.08
EARLIER_POST_SHARE = 0.08
# Prisons hold about their capacity (a little overcrowded) and employ about a third of it; at
# scale the other people in the programme were released, or have left the service.
OVERCROWDING = 1.1
STAFF_PER_PLACE = 1 / 3


@dataclass(slots=True)
class Planned:
    """A new person and the institution their story is tied to (custody, post or relative)."""

    person: Person
    institution: Institution


def _group(institution: Institution) -> str:
    """Transfers stay within institutions that hold the same people."""
    if institution.kind in (Institution.Kind.WOMEN, Institution.Kind.JUVENILE):
        return institution.kind
    return "adult"


def _prepare(ctx) -> None:
    institutions = ctx.institutions
    ctx.capacity_weights = list(itertools.accumulate(i.capacity or 100 for i in institutions))
    ctx.kind_weights = list(itertools.accumulate(KIND_WEIGHTS))
    ctx.pools = {
        cc: ([pool for pool, _ in pools], list(itertools.accumulate(w for _, w in pools)))
        for cc, pools in POOLS_BY_COUNTRY.items()
    }
    ctx.transfer_options = {
        i.pk: [
            j
            for j in institutions
            if j.pk != i.pk and j.country_id == i.country_id and _group(j) == _group(i)
        ]
        for i in institutions
    }
    ctx.held = Counter()
    ctx.staffed = Counter()
    ctx.room = {i.pk: int((i.capacity or 100) * OVERCROWDING) for i in institutions}
    ctx.posts = {i.pk: max(1, int((i.capacity or 100) * STAFF_PER_PLACE)) for i in institutions}
    ctx.colleague_sites = {
        i.pk: [j for j in institutions if j.pk != i.pk and j.country_id == i.country_id]
        for i in institutions
    }


def next_ref_number(prefix: str) -> int:
    last = (
        Person.objects.filter(ref__gte=prefix, ref__lt=prefix + "\x7f")
        .order_by("-ref")
        .values_list("ref", flat=True)
        .first()
    )
    return int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1


def _plan_person(ctx, r, ref: str) -> Planned:
    kind = r.choices(KINDS, cum_weights=ctx.kind_weights)[0]
    if kind == P.STAFF:
        institution = r.choice(ctx.institutions)
    else:
        institution = r.choices(ctx.institutions, cum_weights=ctx.capacity_weights)[0]
    if kind == P.PRISONER:
        if ctx.held[institution.pk] < ctx.room[institution.pk]:
            ctx.held[institution.pk] += 1
        else:
            kind = P.FORMER_PRISONER
    country = institution.country.code
    year = ctx.reference_day.year
    if kind == P.STAFF:
        sex = P_SEX.FEMALE if r.random() < 0.4 else P_SEX.MALE
        birth_year = year - r.randint(24, 62)
    elif kind == P.FAMILY_MEMBER:
        sex = P_SEX.FEMALE if r.random() < 0.7 else P_SEX.MALE
        birth_year = year - r.randint(18, 80)
    else:
        women_only = institution.kind == Institution.Kind.WOMEN
        sex = P_SEX.FEMALE if women_only else P_SEX.MALE
        if institution.kind == Institution.Kind.JUVENILE:
            birth_year = year - (r.randint(16, 22) if kind == P.PRISONER else r.randint(18, 25))
        else:
            birth_year = year - int(r.triangular(19, 72, 32))
    pools, weights = ctx.pools[country]
    pool = r.choices(pools, cum_weights=weights)[0]
    given = r.choice(pool.female if sex == P_SEX.FEMALE else pool.male)
    family = r.choice(pool.family)
    home = institution.municipality if r.random() < 0.3 else r.choice(MUNICIPALITIES[country])
    person = Person(
        ref=ref,
        given_name=given,
        family_name=family,
        sex=sex,
        birth_year=birth_year,
        kind=kind,
        home_municipality=home,
    )
    person.refresh_search_keys()
    return Planned(person=person, institution=institution)


def seed_persons(ctx, count: int, *, chunk_size: int = 5000) -> Iterator[list[Planned]]:
    """Create `count` persons, yielding them chunk by chunk (saved, with primary keys)."""
    _prepare(ctx)
    r = ctx.stream("persons")
    prefix = ctx.ref_prefix
    first = next_ref_number(prefix)
    for start in range(0, count, chunk_size):
        numbers = range(first + start, first + min(start + chunk_size, count))
        chunk = [_plan_person(ctx, r, f"{prefix}{n:07d}") for n in numbers]
        Person.objects.bulk_create([p.person for p in chunk], batch_size=BATCH)
        if chunk and chunk[0].person.pk is None:  # a database that returns no keys
            ids = dict(
                Person.objects.filter(ref__in=[p.person.ref for p in chunk]).values_list(
                    "ref", "pk"
                )
            )
            for p in chunk:
                p.person.pk = ids[p.person.ref]
        ctx.counts["person"] += len(chunk)
        yield chunk


def _days(r, low: int, high: int) -> datetime.timedelta:
    return datetime.timedelta(days=r.randint(low, max(low, high)))


def _custody(ctx, r, planned: Planned) -> list[CustodyEpisode]:
    person, institution = planned.person, planned.institution
    today = ctx.reference_day
    span = 1400 if institution.kind == Institution.Kind.JUVENILE else 4000
    if person.kind == P.PRISONER:
        admitted = today - _days(r, 20, span)
        released = None
        expected = admitted + _days(r, 180, 4400)
        if expected <= today:
            expected = today + _days(r, 14, 900)
        end = today
    else:
        admitted = today - _days(r, 200, span + 400)
        released = admitted + _days(r, 60, min(2900, (today - admitted).days - 1))
        expected = released + _days(r, 0, 180)
        end = released
    options = ctx.transfer_options[institution.pk]
    stay = (end - admitted).days
    if options and stay > 90 and r.random() < TRANSFER_SHARE:
        earlier = r.choice(options)
        moved = admitted + _days(r, 30, stay - 30)
        return [
            CustodyEpisode(
                person=person,
                institution=earlier,
                admitted_on=admitted,
                expected_release_on=expected,
                transferred_out_on=moved,
                transferred_to=institution,
            ),
            CustodyEpisode(
                person=person,
                institution=institution,
                admitted_on=moved,
                expected_release_on=expected,
                released_on=released,
            ),
        ]
    return [
        CustodyEpisode(
            person=person,
            institution=institution,
            admitted_on=admitted,
            expected_release_on=expected,
            released_on=released,
        )
    ]


def seed_custody(ctx, chunk: list[Planned]) -> None:
    """Prisoners are in custody now; former prisoners were released. Some were transferred."""
    r = ctx.stream("custody")
    episodes = []
    for planned in chunk:
        if planned.person.kind in IN_CUSTODY_ONCE:
            episodes += _custody(ctx, r, planned)
    CustodyEpisode.objects.bulk_create(episodes, batch_size=BATCH)
    ctx.counts["custodyepisode"] += len(episodes)


def _positions(ctx, r, planned: Planned) -> list[StaffPosition]:
    today = ctx.reference_day
    started = datetime.date(r.randint(1995, today.year - 1), r.randint(1, 12), r.randint(1, 28))
    ended = None
    site = planned.institution.pk
    if r.random() < 0.1 or ctx.staffed[site] >= ctx.posts[site]:
        ended = min(started + _days(r, 200, 6000), today - DAY)
    else:
        ctx.staffed[site] += 1
    role = r.choice(STAFF_ROLES)
    positions = [
        StaffPosition(
            person=planned.person,
            institution=planned.institution,
            role=role,
            started_on=started,
            ended_on=ended,
        )
    ]
    sites = ctx.colleague_sites[planned.institution.pk]
    if sites and r.random() < EARLIER_POST_SHARE:
        positions.append(
            StaffPosition(
                person=planned.person,
                institution=r.choice(sites),
                role=r.choice(STAFF_ROLES),
                started_on=started - _days(r, 400, 4000),
                ended_on=started - DAY,
            )
        )
    return positions


def seed_staff_positions(ctx, chunk: list[Planned]) -> None:
    r = ctx.stream("staff")
    positions = []
    for planned in chunk:
        if planned.person.kind == P.STAFF:
            positions += _positions(ctx, r, planned)
    StaffPosition.objects.bulk_create(positions, batch_size=BATCH)
    ctx.counts["staffposition"] += len(positions)
