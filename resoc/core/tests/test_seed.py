from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q, Sum

from resoc.audit.models import AuditEntry
from resoc.core.seeding import seed_run
from resoc.core.seeding.names import MUNICIPALITIES
from resoc.people.models import CustodyEpisode, Person, StaffPosition
from resoc.registry.models import (
    CycleFunder,
    ExchangeRate,
    Institution,
    Organisation,
    PrisonAdministration,
    ProjectCycle,
    Workshop,
)

pytestmark = pytest.mark.django_db

OPEN = Q(released_on__isnull=True, transferred_out_on__isnull=True)


def _snapshot():
    persons = list(
        Person.objects.order_by("ref").values_list(
            "ref", "given_name", "family_name", "sex", "birth_year", "kind", "home_municipality"
        )
    )
    episodes = list(
        CustodyEpisode.objects.order_by("person__ref", "admitted_on").values_list(
            "person__ref",
            "institution__code",
            "admitted_on",
            "expected_release_on",
            "released_on",
            "transferred_out_on",
            "transferred_to__code",
        )
    )
    positions = list(
        StaffPosition.objects.order_by("person__ref", "started_on").values_list(
            "person__ref", "institution__code", "role", "started_on", "ended_on"
        )
    )
    return persons, episodes, positions


def test_the_same_seed_gives_the_same_people():
    seed_run(persons=120, seed=7)
    first = _snapshot()
    Person.objects.all().delete()
    seed_run(persons=120, seed=7)
    assert _snapshot() == first


def test_another_seed_gives_other_people():
    seed_run(persons=60, seed=1)
    names_1 = [p[1:3] for p in _snapshot()[0]]
    Person.objects.all().delete()
    seed_run(persons=60, seed=2)
    assert [p[1:3] for p in _snapshot()[0]] != names_1


def test_seed_creates_the_requested_number_of_persons_with_their_histories():
    counts = seed_run(persons=300, seed=3)
    assert Person.objects.count() == counts["person"] == 300
    by_kind = dict(Person.objects.values_list("kind").annotate(n=Count("pk")))
    assert by_kind[Person.Kind.PRISONER] > by_kind[Person.Kind.STAFF]
    assert by_kind[Person.Kind.FORMER_PRISONER] > by_kind[Person.Kind.FAMILY_MEMBER]
    prisoners = Person.objects.filter(kind=Person.Kind.PRISONER)
    assert all(p.custody_episodes.filter(OPEN).count() == 1 for p in prisoners)
    former = Person.objects.filter(kind=Person.Kind.FORMER_PRISONER)
    assert not CustodyEpisode.objects.filter(OPEN, person__in=former).exists()
    assert all(p.custody_episodes.filter(released_on__isnull=False).count() == 1 for p in former)
    staff = Person.objects.filter(kind=Person.Kind.STAFF)
    assert all(p.staff_positions.exists() for p in staff)
    assert CustodyEpisode.objects.count() == counts["custodyepisode"]


def test_transfers_keep_the_history_within_one_country():
    seed_run(persons=600, seed=4)
    transferred = CustodyEpisode.objects.filter(transferred_out_on__isnull=False)
    assert transferred.exists()
    for episode in transferred.select_related("institution", "transferred_to"):
        assert episode.transferred_to.country_id == episode.institution.country_id
        assert CustodyEpisode.objects.filter(
            person=episode.person_id,
            institution=episode.transferred_to,
            admitted_on=episode.transferred_out_on,
        ).exists()


def test_seeded_people_live_in_their_country_and_are_searchable_by_folded_names():
    seed_run(persons=200, seed=5)
    for episode in CustodyEpisode.objects.filter(OPEN).select_related("person", "institution"):
        country = episode.institution.country.code
        assert episode.person.home_municipality in MUNICIPALITIES[country]
        if episode.institution.kind == Institution.Kind.WOMEN:
            assert episode.person.sex == Person.Sex.FEMALE
    for person in Person.objects.all():
        assert person.given_key and person.family_key
    assert Person.objects.filter(family_name__contains="ć").exists()
    person = Person.objects.filter(family_name__contains="ć").first()
    assert "c" in person.family_key and person.family_key.isascii()


def test_seeding_again_adds_new_references_and_keeps_the_registry():
    seed_run(persons=30, seed=9)
    registry_counts = [
        m.objects.count() for m in (Institution, Workshop, Organisation, ProjectCycle)
    ]
    seed_run(persons=30, seed=9)
    assert Person.objects.count() == 60
    assert Person.objects.values("ref").distinct().count() == 60
    assert Person.objects.order_by("-ref").first().ref == "S9-0000060"
    assert [
        m.objects.count() for m in (Institution, Workshop, Organisation, ProjectCycle)
    ] == registry_counts


def test_the_registry_looks_like_the_programme():
    seed_run(persons=0, seed=1)
    assert PrisonAdministration.objects.filter(code="RS-UIKS").exists()
    assert Institution.objects.get(code="RS-NIS").name == "CI Niš"
    assert Institution.objects.get(code="RS-VA").kind == Institution.Kind.JUVENILE
    assert Institution.objects.get(code="RS-PZW").kind == Institution.Kind.WOMEN
    assert set(Institution.objects.values_list("country__code", flat=True)) == {
        "RS",
        "BA",
        "XK",
        "ME",
        "AL",
    }
    assert Organisation.objects.get(code="HELP").kind == Organisation.Kind.PARTNER
    assert set(ExchangeRate.objects.values_list("currency", flat=True)) == {"RSD", "BAM", "ALL"}


def test_every_cycle_is_funded_to_exactly_100_percent():
    seed_run(persons=0, seed=1)
    cycles = ProjectCycle.objects.annotate(total=Sum("funders__share_percent"))
    assert cycles.count() == 7
    assert {c.total for c in cycles} == {Decimal("100")}
    assert min(c.start.year for c in cycles) == 2014
    assert max(c.end.year for c in cycles) == 2025
    assert CycleFunder.objects.filter(organisation__code="DE-AA").count() == 7


def test_seed_writes_one_audit_entry_with_the_counts():
    seed_run(persons=25, seed=11)
    entries = AuditEntry.objects.filter(action="seed.applied")
    assert entries.count() == 1
    assert entries.get().detail["counts"]["person"] == 25
    assert entries.get().detail["seed"] == 11
    assert AuditEntry.objects.count() == 1


def test_seed_command_reports_the_counts():
    out = StringIO()
    call_command("seed", persons=40, seed=2, stdout=out)
    assert Person.objects.count() == 40
    assert "person: 40" in out.getvalue()


def test_seed_command_refuses_a_negative_count():
    with pytest.raises(CommandError, match="--persons"):
        call_command("seed", persons=-1, stdout=StringIO())
