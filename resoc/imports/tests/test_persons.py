import datetime

import pytest

from resoc.audit.models import AuditEntry
from resoc.imports.tests.helpers import errors_of, has_error, run
from resoc.people.models import CustodyEpisode, Person, StaffPosition
from resoc.people.tests.factories import CustodyFactory, PersonFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "ref",
    "given_name",
    "family_name",
    "sex",
    "birth_year",
    "kind",
    "institution",
    "admitted_on",
    "expected_release_on",
    "released_on",
    "home_municipality",
]


def person(ref, kind="prisoner", institution="RS-NIS", admitted="2023-03-01", **extra):
    values = {
        "ref": ref,
        "given_name": "Marko",
        "family_name": "Đorđević",
        "sex": "M",
        "birth_year": "1990",
        "kind": kind,
        "institution": institution,
        "admitted_on": admitted,
        "expected_release_on": "",
        "released_on": "",
        "home_municipality": "Niš",
        **extra,
    }
    return [values[name] for name in HEADER]


def test_persons_with_custody_and_staff_position_are_created(make_csv, prison_a, prison_b):
    path = make_csv(
        [
            HEADER,
            person("p-1", expected_release_on="2026-03-01"),
            person("P-2", kind="former_prisoner", admitted="01.01.2020", released_on="01.06.2022"),
            person("P-3", kind="staff", institution="RS-SM", admitted=""),
            person("P-4", kind="family_member", institution="", admitted=""),
        ]
    )

    result = run("persons", path)

    assert result.counts == {"created": 4, "updated": 0, "unchanged": 0}
    p1 = Person.objects.get(ref="P-1")
    assert (p1.family_key, p1.birth_year) == ("djordjevic", 1990)
    episode = CustodyEpisode.objects.get(person=p1)
    assert (episode.institution, episode.admitted_on, episode.expected_release_on) == (
        prison_a,
        datetime.date(2023, 3, 1),
        datetime.date(2026, 3, 1),
    )
    assert CustodyEpisode.objects.get(person__ref="P-2").released_on == datetime.date(2022, 6, 1)
    assert StaffPosition.objects.get().institution == prison_b
    assert not CustodyEpisode.objects.filter(person__ref__in=["P-3", "P-4"]).exists()
    created = AuditEntry.objects.filter(action="people.person.created", person_ref="P-1").get()
    assert created.detail["changes"]["family_name"] == [None, "Đorđević"]
    assert AuditEntry.objects.filter(
        action="people.custodyepisode.created", person_ref="P-1"
    ).exists()
    assert AuditEntry.objects.filter(
        action="people.staffposition.created", person_ref="P-3"
    ).exists()


def test_reimporting_persons_changes_nothing(make_csv, prison_a, prison_b):
    path = make_csv(
        [
            HEADER,
            person("P-1"),
            person("P-2", kind="former_prisoner", admitted="2020-01-01", released_on="2022-06-01"),
            person("P-3", kind="staff", institution="RS-SM", admitted=""),
        ]
    )
    run("persons", path)
    entries = AuditEntry.objects.count()

    result = run("persons", path)

    assert result.counts == {"created": 0, "updated": 0, "unchanged": 3}
    assert AuditEntry.objects.count() == entries + 1  # import.applied only
    assert (Person.objects.count(), CustodyEpisode.objects.count()) == (3, 2)


def test_a_release_updates_the_episode_and_the_person(make_csv, prison_a):
    stored = CustodyFactory(
        person=PersonFactory(ref="P-1", given_name="Marko", family_name="Đorđević"),
        institution=prison_a,
        admitted_on=datetime.date(2023, 3, 1),
        expected_release_on=None,
    )
    path = make_csv([HEADER, person("P-1", kind="former_prisoner", released_on="2024-01-31")])

    result = run("persons", path)

    assert result.counts["updated"] == 1
    assert result.rows[0].fields == ["kind", "released_on"]
    stored.refresh_from_db()
    assert stored.released_on == datetime.date(2024, 1, 31)
    assert Person.objects.get().kind == "former_prisoner"
    update = AuditEntry.objects.get(action="people.custodyepisode.updated")
    assert update.person_ref == "P-1"
    assert update.detail["changes"] == {"released_on": [None, "2024-01-31"]}


def test_person_rules_on_institution_admission_and_release(make_csv, prison_a):
    path = make_csv(
        [
            HEADER,
            person("P-1", institution=""),
            person("P-2", admitted=""),
            person("P-3", kind="former_prisoner"),
            person("P-4", released_on="2024-01-01"),
            person("P-5", kind="staff", institution="", admitted=""),
            person("P-6", kind="former_prisoner", admitted="2023-03-01", released_on="2023-02-28"),
            person("P-7", expected_release_on="2023-01-01"),
            person("P-8", kind="family_member", admitted=""),
        ]
    )

    errors = errors_of("persons", path)

    assert has_error(errors, 2, "institution", "Required for prisoners, former prisoners and staff")
    assert has_error(errors, 3, "admitted_on", "Required for prisoners and former prisoners")
    assert has_error(errors, 4, "released_on", "Required for former prisoners")
    assert has_error(errors, 5, "released_on", "A prisoner has no release date")
    assert has_error(errors, 6, "institution", "Required for prisoners, former prisoners and staff")
    assert has_error(errors, 7, "released_on", "Cannot precede the admission (2023-03-01)")
    assert has_error(errors, 8, "expected_release_on", "Cannot precede the admission")
    assert has_error(errors, 9, "institution", "Family members have no institution")
    assert len(errors) == 8
    assert Person.objects.count() == 0


def test_person_field_validators_and_choices(make_csv, prison_a):
    path = make_csv([HEADER, person("P-1", sex="Q", birth_year="1850"), person("p-1")])

    errors = errors_of("persons", path)

    assert has_error(errors, 2, "sex", "“Q” is not allowed")
    assert has_error(errors, 2, "birth_year", "greater than or equal to 1900")
    assert has_error(errors, 3, "ref", "The same ref as row 2") is False  # row 2 failed already
    assert Person.objects.count() == 0


def test_duplicate_refs_differing_in_case_are_an_error(make_csv, prison_a):
    errors = errors_of("persons", make_csv([HEADER, person("p-1"), person("P-1 ")]))

    assert errors == [(3, "ref", "The same ref as row 2.")]


def test_a_second_open_custody_is_refused(make_csv, prison_a, prison_b):
    CustodyFactory(person=PersonFactory(ref="P-1"), institution=prison_b)

    errors = errors_of("persons", make_csv([HEADER, person("P-1")]))

    assert has_error(errors, 2, "admitted_on", "in custody at RS-SM since 2022-03-01")
