"""The scopes are written for speed (lists of ids from indexes): they must still pick exactly the
people of their plain definition, and the lists without a search must not read every person."""

import datetime
import re

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.core.seeding import seed_run
from resoc.people.models import CustodyEpisode, Person, StaffPosition
from resoc.people.selectors import (
    OPEN_CUSTODY,
    _commissioner_cases_q,
    person_list_for_user,
    person_search,
)
from resoc.people.tests.factories import CustodyFactory, PersonFactory, StaffPositionFactory
from resoc.people.tests.test_search_index import PERSON_INDEX, count_sql, plan_of
from resoc.reentry.models import ReleasePlan
from resoc.reentry.selectors import current_plans
from resoc.reentry.tests.conftest import plan_for, released
from resoc.registry.models import Country
from resoc.registry.tests.factories import InstitutionFactory, country

pytestmark = pytest.mark.django_db

D = datetime.date


def refs(qs) -> set[str]:
    return set(qs.values_list("ref", flat=True))


def commissioner_definition(user) -> Q:
    """The commissioner's cases as first written: an OR of conditions on every person."""
    plans = current_plans()
    names, homes = Q(pk__in=[]), Q(pk__in=[])
    for name in user.municipalities:
        names |= Q(destination__iexact=name)
        homes |= Q(home_municipality__iexact=name)
    assigned = Q(pk__in=plans.filter(commissioner=user).values("person_id"))
    in_custody = CustodyEpisode.objects.filter(OPEN_CUSTODY).values("person_id")
    gone = Q(kind=Person.Kind.FORMER_PRISONER) & ~Q(pk__in=in_custody)
    returning = Q(pk__in=plans.filter(names).values("person_id")) | (
        homes & ~Q(Exists(plans.filter(person=OuterRef("pk"))))
    )
    return assigned | (gone & returning)


def coordinator_definition(user) -> Q:
    """The coordinator's people: anyone with a custody episode or a staff position, past or
    present, in an institution of one of their countries."""
    countries = user.countries.values("pk")
    return Q(
        pk__in=CustodyEpisode.objects.filter(institution__country__in=countries).values("person_id")
    ) | Q(
        pk__in=StaffPosition.objects.filter(institution__country__in=countries).values("person_id")
    )


@pytest.fixture
def seeded(db):
    seed_run(persons=600, seed=3)


def test_commissioners_see_exactly_the_cases_of_the_definition(seeded):
    municipalities = set(
        ReleasePlan.objects.values_list("destination", flat=True).order_by()[:6]
    ) | set(Person.objects.values_list("home_municipality", flat=True).order_by()[:6])
    users = [UserFactory(role=Role.COMMISSIONER, municipalities=[name]) for name in municipalities]
    users.append(UserFactory(role=Role.COMMISSIONER, municipalities=sorted(municipalities)[:3]))
    users.append(UserFactory(role=Role.COMMISSIONER, municipalities=[]))
    # Plans assigned to some of them.
    for user, plan in zip(users, ReleasePlan.objects.order_by("pk")[:40:5], strict=False):
        ReleasePlan.objects.filter(pk=plan.pk).update(commissioner=user)
    seen = 0
    for user in users:
        expected = refs(Person.objects.filter(commissioner_definition(user)))
        assert refs(person_list_for_user(user=user)) == expected, user.municipalities
        assert person_search(user=user).count() == len(expected)
        # The form written for the other database too.
        for union in (True, False):
            assert refs(Person.objects.filter(_commissioner_cases_q(user, union=union))) == expected
        seen += len(expected)
    assert seen > 50


def test_coordinators_see_exactly_the_people_of_the_definition(seeded):
    users = [
        UserFactory(role=Role.COORDINATOR, countries=[c])
        for c in Country.objects.filter(institutions__isnull=False).distinct()
    ]
    users.append(UserFactory(role=Role.COORDINATOR, countries=Country.objects.all()[:3]))
    users.append(UserFactory(role=Role.GRANTS, countries=[country("RS")]))
    users.append(UserFactory(role=Role.COORDINATOR, countries=[]))
    for user in users:
        expected = refs(Person.objects.filter(coordinator_definition(user)))
        assert refs(person_list_for_user(user=user)) == expected
        assert person_search(user=user).count() == len(expected)
    assert len(users) > 3


def test_commissioner_matches_the_home_municipality_in_any_case_but_whole(prison_a):
    for ref, home in [
        ("R-NIS", "Niš"),
        ("R-LOWER", "niš"),
        ("R-UPPER", "NIš"),  # SQLite folds ASCII letters only, as its LIKE did
        ("R-NISAVA", "Nišava"),
        ("R-NIS-ASCII", "Nis"),
        ("R-PIROT", "Pirot"),
        ("R-EMPTY", ""),
    ]:
        released(prison_a, ref, home=home)
    CustodyFactory(person=PersonFactory(ref="C-NIS", home_municipality="Niš"), institution=prison_a)
    # Released, then back in custody for a new sentence.
    back = released(prison_a, "C-BACK", on=D(2023, 1, 1))
    CustodyFactory(person=back.person, institution=prison_a, admitted_on=D(2024, 1, 1))
    # Returning elsewhere by their plan, though their home is Niš.
    plan_for(released(prison_a, "R-TO-PIROT"), destination="Pirot")
    commissioner = UserFactory(role=Role.COMMISSIONER, municipalities=["nIš"])
    assert refs(person_list_for_user(user=commissioner)) == {"R-NIS", "R-LOWER", "R-UPPER"}
    for union in (True, False):
        found = Person.objects.filter(_commissioner_cases_q(commissioner, union=union))
        assert refs(found) == {"R-NIS", "R-LOWER", "R-UPPER"}
    two = UserFactory(role=Role.COMMISSIONER, municipalities=["pirot", "Niš"])
    assert refs(person_list_for_user(user=two)) == {
        "R-NIS",
        "R-LOWER",
        "R-UPPER",
        "R-PIROT",
        "R-TO-PIROT",
    }


def test_coordinator_sees_past_custody_and_staff_of_their_country_only(prison_a, prison_ba):
    elsewhere = InstitutionFactory(code="ME-SP", country=country("ME"))
    CustodyFactory(person=PersonFactory(ref="RS-NOW"), institution=prison_a)
    moved = CustodyFactory(
        person=PersonFactory(ref="RS-THEN-BA"),
        institution=prison_a,
        transferred_out_on=D(2023, 1, 1),
        transferred_to=prison_ba,
    )
    CustodyFactory(person=moved.person, institution=prison_ba, admitted_on=D(2023, 1, 1))
    StaffPositionFactory(
        person=PersonFactory(ref="RS-STAFF-OLD"), institution=prison_a, ended_on=D(2020, 1, 1)
    )
    StaffPositionFactory(person=PersonFactory(ref="BA-STAFF"), institution=prison_ba)
    CustodyFactory(person=PersonFactory(ref="ME-NOW"), institution=elsewhere)
    PersonFactory(ref="NOWHERE")
    rs = UserFactory(role=Role.COORDINATOR, countries=[country("RS")])
    ba = UserFactory(role=Role.COORDINATOR, countries=[country("BA")])
    both = UserFactory(role=Role.GRANTS, countries=[country("RS"), country("BA")])
    assert refs(person_list_for_user(user=rs)) == {"RS-NOW", "RS-THEN-BA", "RS-STAFF-OLD"}
    assert refs(person_list_for_user(user=ba)) == {"RS-THEN-BA", "BA-STAFF"}
    assert refs(person_list_for_user(user=both)) == {
        "RS-NOW",
        "RS-THEN-BA",
        "RS-STAFF-OLD",
        "BA-STAFF",
    }
    assert person_search(user=both).count() == 4


def test_commissioner_list_without_a_query_reads_people_by_index(seeded, commissioner_nis):
    qs = person_search(user=commissioner_nis)
    for sql, params in (qs[:50].query.sql_with_params(), (count_sql(qs), None)):
        plan = plan_of(sql, params)
        text = "\n".join(plan)
        if connection.vendor == "sqlite":
            assert not any(line.startswith("SCAN ") and "people_person" in line for line in plan), (
                text
            )
            assert not any(
                re.match(rf"SCAN \w+ USING (COVERING )?INDEX {PERSON_INDEX}$", line)
                and "person_order" not in line
                for line in plan
            ), text
            assert "person_home_kind" in text, text
        else:
            assert "Seq Scan on people_person" not in text, text
