"""Reading people, always through the user's scope. An object outside it is a 404."""

from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from resoc.accounts import roles
from resoc.accounts.models import Role
from resoc.core.text import search_key
from resoc.people.models import CustodyEpisode, Person, StaffPosition

OPEN_CUSTODY = Q(released_on__isnull=True, transferred_out_on__isnull=True)


def _scope_q(user) -> Q | None:
    """None means every person; Q() with pk__in=[] means none."""
    if not roles.has_role(user, roles.PERSON_READERS):
        return Q(pk__in=[])
    if user.role in roles.GLOBAL_READERS:
        return None
    if user.role in (Role.COORDINATOR, Role.GRANTS):
        countries = user.countries.values("pk")
        return Q(
            pk__in=CustodyEpisode.objects.filter(institution__country__in=countries).values(
                "person_id"
            )
        ) | Q(
            pk__in=StaffPosition.objects.filter(institution__country__in=countries).values(
                "person_id"
            )
        )
    if user.role == Role.OFFICER:
        institutions = user.institutions.values("pk")
        return Q(
            pk__in=CustodyEpisode.objects.filter(OPEN_CUSTODY, institution__in=institutions).values(
                "person_id"
            )
        ) | Q(
            pk__in=StaffPosition.objects.filter(
                institution__in=institutions, ended_on__isnull=True
            ).values("person_id")
        )
    if user.role == Role.COMMISSIONER:
        # Until release plans assign cases, a commissioner's cases are the released people whose
        # home is in one of their municipalities.
        homes = Q(pk__in=[])
        for name in user.municipalities:
            homes |= Q(home_municipality__iexact=name)
        in_custody = CustodyEpisode.objects.filter(OPEN_CUSTODY).values("person_id")
        return homes & Q(kind=Person.Kind.FORMER_PRISONER) & ~Q(pk__in=in_custody)
    # Trainers see the people of their cohorts, which arrive with training.
    return Q(pk__in=[])


def person_list_for_user(*, user) -> QuerySet[Person]:
    scope = _scope_q(user)
    qs = Person.objects.all()
    return qs if scope is None else qs.filter(scope)


def _prefix(field: str, value: str) -> Q:
    if connection.vendor == "sqlite":
        # SQLite's LIKE is case-insensitive and cannot use a plain index; a range can.
        return Q(**{f"{field}__gte": value, f"{field}__lt": value + "\x7f"})
    return Q(**{f"{field}__startswith": value})


def person_search_q(query: str) -> Q:
    """Every word must begin the given name or the family name; or the query begins a reference."""
    query = query.strip()
    if not query:
        return Q()
    by_ref = _prefix("ref", query.upper())
    words = [search_key(w) for w in query.split()]
    words = [w for w in words if w]
    if not words:
        return by_ref
    by_name = Q()
    for word in words:
        by_name &= _prefix("given_key", word) | _prefix("family_key", word)
    return by_ref | by_name


def person_search(*, user, query: str = "", kind: str = "") -> QuerySet[Person]:
    qs = person_list_for_user(user=user).filter(person_search_q(query))
    if kind:
        qs = qs.filter(kind=kind)
    current = CustodyEpisode.objects.filter(OPEN_CUSTODY, person=OuterRef("pk")).order_by(
        "-admitted_on"
    )
    return qs.annotate(current_institution_name=Subquery(current.values("institution__name")[:1]))


def person_get_for_user(*, user, ref: str) -> Person:
    person = person_list_for_user(user=user).filter(ref=ref.upper()).first()
    if person is None:
        raise Http404("No such person in your scope.")
    return person


def person_current_custody(*, person: Person) -> CustodyEpisode | None:
    return person.custody_episodes.filter(OPEN_CUSTODY).select_related("institution").first()
