"""Reading people, always through the user's scope. An object outside it is a 404."""

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Upper
from django.db.models.lookups import Exact
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
        # EXISTS per person, not IN: a country holds most people, and SQLite would list all of
        # them for every search instead of checking the few people the search finds.
        countries = user.countries.values("pk")
        in_country = Q(person=OuterRef("pk"), institution__country__in=countries)
        return Q(Exists(CustodyEpisode.objects.filter(in_country))) | Q(
            Exists(StaffPosition.objects.filter(in_country))
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
        return _commissioner_cases_q(user)
    if user.role == Role.TRAINER:
        # The participants (not the applicants) and peer trainers of the cohorts they teach.
        from resoc.training.models import PARTICIPANTS, Cohort, Enrollment

        cohorts = Cohort.trainers.through.objects.filter(user_id=user.pk).values("cohort_id")
        return Q(
            pk__in=Enrollment.objects.filter(cohort__in=cohorts, status__in=PARTICIPANTS).values(
                "person_id"
            )
        ) | Q(
            pk__in=Cohort.peer_trainers.through.objects.filter(cohort__in=cohorts).values(
                "person_id"
            )
        )
    return Q(pk__in=[])


def _commissioner_cases_q(user, *, union: bool | None = None) -> Q:
    """A commissioner's cases: the people whose current release plan (of their latest custody)
    is assigned to them, in custody or not, and the released people returning to one of their
    municipalities, by their current plan's destination or, without one, by their home.

    The home municipality is matched on the `person_home_kind` index of
    (UPPER(home_municipality), kind): UPPER on both sides is the comparison `iexact` makes
    (Unicode on PostgreSQL; on SQLite ASCII only, as its LIKE). The same three parts are put
    together for each planner (`union` defaults to the database's):
    - PostgreSQL: one list of ids, a UNION ALL of the three (it plans an OR of subqueries as a
      scan of every person);
    - SQLite: an OR whose terms each have an index (a MULTI-INDEX OR), the homes as a condition
      so that a search checks only the people it finds instead of listing every home."""
    from resoc.reentry.selectors import current_plans  # reentry builds on people

    if union is None:
        union = connection.vendor == "postgresql"
    plans = current_plans()
    assigned = plans.filter(commissioner=user).values("person_id").order_by()
    if not user.municipalities:
        return Q(pk__in=assigned)
    in_custody = CustodyEpisode.objects.filter(OPEN_CUSTODY).values("person_id")
    names = Q(pk__in=[])
    homes = Q(pk__in=[])
    for name in user.municipalities:
        names |= Q(destination__iexact=name)
        homes |= Q(Exact(Upper("home_municipality"), Upper(Value(name))))
    released = Q(kind=Person.Kind.FORMER_PRISONER) & ~Q(pk__in=in_custody)
    without_plan = ~Q(Exists(plans.filter(person=OuterRef("pk"))))
    if union:
        by_destination = (
            plans.filter(names, person__kind=Person.Kind.FORMER_PRISONER)
            .exclude(person__in=in_custody)
            .values("person_id")
            .order_by()
        )
        at_home = Person.objects.filter(homes, released, without_plan).values("pk").order_by()
        return Q(pk__in=assigned.union(by_destination, at_home, all=True))
    by_destination = Person.objects.filter(released, pk__in=plans.filter(names).values("person_id"))
    cases = Q(pk__in=assigned) | Q(pk__in=by_destination.values("pk"))
    for name in user.municipalities:
        cases |= Q(Exact(Upper("home_municipality"), Upper(Value(name)))) & released & without_plan
    return cases


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
    # The longest word leads: it is looked up in the name indexes and the other words filter its
    # rows. Written as ref OR (given AND rest) OR (family AND rest), each branch of the OR can use
    # an index; the plain AND of ORs would make SQLite scan the whole table.
    lead = max(words, key=len)
    others = list(words)
    others.remove(lead)
    rest = Q()
    for word in others:
        rest &= _prefix("given_key", word) | _prefix("family_key", word)
    return by_ref | (_prefix("given_key", lead) & rest) | (_prefix("family_key", lead) & rest)


# The list's order, with NULLS FIRST (the columns hold none) so that no index provides it: the
# matches get sorted. Otherwise PostgreSQL walks the name-ordered index until 50 matches turn up,
# expecting them spread evenly along it, while a name prefix puts them all in one place.
SEARCH_ORDER = [F(name).asc(nulls_first=True) for name in ("family_name", "given_name", "ref")]


def person_search(*, user, query: str = "", kind: str = "") -> QuerySet[Person]:
    qs = person_list_for_user(user=user)
    if query.strip():
        matches = person_search_q(query)
        if connection.vendor == "sqlite":
            # SQLite plans without statistics and may start from the scope (e.g. every released
            # person for a commissioner), testing names row by row; given the matches as a list of
            # keys it starts from the name indexes. PostgreSQL weighs both with its statistics.
            matches = Q(pk__in=Person.objects.filter(matches).values("pk"))
        qs = qs.filter(matches).order_by(*SEARCH_ORDER)
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
