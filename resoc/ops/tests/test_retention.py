"""`resoc retention apply`: identities past their retention period are removed, figures stay."""

import datetime
import json
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models
from django.db.models import Count, Sum

from resoc.audit.models import AuditEntry
from resoc.audit.selectors import audit_verify
from resoc.audit.services import audit_record
from resoc.core.seeding import seed_run
from resoc.ops import dump, services
from resoc.ops.audit_scrub import Finder, Identity
from resoc.ops.models import Pseudonymisation
from resoc.people import services as people_services
from resoc.people.models import Consent, CustodyEpisode, Person
from resoc.people.selectors import person_search
from resoc.people.tests.factories import CustodyFactory, StaffPositionFactory
from resoc.reporting.selectors import key_results
from resoc.work.models import WorkAssignment, WorkMonth
from resoc.work.tests.factories import AssignmentFactory, WorkMonthFactory

TODAY = datetime.date(2026, 6, 1)
LONG_AGO = datetime.date(2013, 4, 2)


@pytest.fixture
def released_long_ago(manager, prison_a):
    """Released 13 years ago, with contacts, consent evidence, work notes and an audit trail."""
    person = people_services.person_save(
        actor=manager,
        person=Person(
            ref="RS-2010-77",
            given_name="Zoran",
            family_name="Vukašinović",
            sex=Person.Sex.MALE,
            birth_year=1980,
            kind=Person.Kind.PRISONER,
            home_municipality="Niš",
            phone="+381 64 123 4567",
            email="zoran@example.org",
            address="Ulica 1, Niš",
        ),
    )
    people_services.custody_admit(
        actor=manager, person=person, institution=prison_a, admitted_on=datetime.date(2010, 1, 5)
    )
    AssignmentFactory(
        person=person,
        workshop__institution=prison_a,
        start=datetime.date(2011, 1, 1),
        end=datetime.date(2013, 4, 1),
        notes="Zoran is reliable; call his sister Mira Vukašinović.",
    )
    WorkMonthFactory(person=person, workshop__institution=prison_a, month=datetime.date(2012, 5, 1))
    people_services.custody_release(actor=manager, person=person, on=LONG_AGO)
    people_services.consent_save(
        actor=manager,
        consent=Consent(
            person=person,
            purpose=Consent.Purpose.DATA_PROCESSING,
            given_on=datetime.date(2010, 2, 1),
            evidence=SimpleUploadedFile("signed.pdf", b"%PDF-1.4 Zoran's signature\n"),
        ),
    )
    audit_record(
        "person.listed",
        actor=manager,
        detail={"query": "", "kind": "", "refs": ["P-OTHER", person.ref]},
    )
    audit_record("person.listed", actor=manager, detail={"query": "vukas", "kind": "", "refs": []})
    audit_record(
        "person.listed", actor=manager, detail={"query": "Zoran Vuk", "kind": "", "refs": []}
    )
    audit_record("import.applied", actor=manager, detail={"note": "fixed ZORAN VUKAŠINOVIĆ"})
    return Person.objects.get(pk=person.pk)


@pytest.fixture
def kept(prison_a):
    """Released two years ago; in custody now; staff now."""
    recent = CustodyFactory(
        institution=prison_a,
        admitted_on=datetime.date(2020, 1, 1),
        released_on=datetime.date(2024, 5, 1),
        person__kind=Person.Kind.FORMER_PRISONER,
        person__family_name="Vukašinović",
        person__given_name="Marko",
    ).person
    inside = CustodyFactory(institution=prison_a, admitted_on=datetime.date(2001, 1, 1)).person
    staff = StaffPositionFactory(institution=prison_a, started_on=datetime.date(1999, 1, 1)).person
    return [recent, inside, staff]


def _readable_audit_text() -> str:
    """Everything a reader of the trail sees, but the person reference column (see docs)."""
    rows = AuditEntry.objects.values_list("actor_name", "action", "object_id", "detail")
    return json.dumps([list(r) for r in rows], ensure_ascii=False).lower()


def test_retention_removes_the_identity_of_people_released_long_ago(
    released_long_ago, kept, manager, django_capture_on_commit_callbacks
):
    old_ref = released_long_ago.ref
    evidence = Consent.objects.get(person=released_long_ago).evidence.name
    assert default_storage.exists(evidence)
    assert "vukašinović" in _readable_audit_text()

    with django_capture_on_commit_callbacks(execute=True):
        report = services.retention_apply(actor=manager, today=TODAY)

    assert report.persons["released"] == 1
    person = Person.objects.get(pk=released_long_ago.pk)
    assert person.ref.startswith("ANON-") and person.ref != old_ref
    assert (person.given_name, person.family_name, person.given_key, person.family_key) == (
        "",
        "",
        "",
        "",
    )
    assert (person.phone, person.email, person.address) == ("", "", "")
    # What the programme's figures need stays.
    assert (person.sex, person.birth_year, person.kind, person.home_municipality) == (
        "M",
        1980,
        Person.Kind.FORMER_PRISONER,
        "Niš",
    )
    assert WorkAssignment.objects.get(person=person).notes == ""
    assert Consent.objects.get(person=person).evidence.name == ""
    assert not default_storage.exists(evidence)
    # Nobody finds them by name or old reference, in the records or the trail's readable fields.
    for query in ("Vukašinović", "Zoran", old_ref, "vukas"):
        assert person not in person_search(user=manager, query=query)
    text = _readable_audit_text()
    for word in ("vukašinović", "vukasinovic", "zoran", old_ref.lower(), "123 4567", "ulica"):
        assert word not in text, word
    assert audit_verify().ok
    assert Pseudonymisation.objects.get(person=person).rule == "released"
    entry = AuditEntry.objects.get(action="ops.person.pseudonymised")
    assert entry.person_ref == person.ref
    assert AuditEntry.objects.filter(action="ops.retention.applied").exists()
    # The others keep their identity.
    for other in kept:
        refreshed = Person.objects.get(pk=other.pk)
        assert (refreshed.ref, refreshed.family_name) == (other.ref, other.family_name)
        assert not Pseudonymisation.objects.filter(person=other).exists()


def test_retention_leaves_every_count_and_figure_unchanged(manager):
    seed_run(persons=200, seed=3)
    WorkMonth.objects.update(pay_eur=Decimal("12.34"))

    def figures():
        by_table = {m._meta.db_table: m._base_manager.count() for m in dump.tables()}
        by_table.pop("audit_auditentry"), by_table.pop("ops_pseudonymisation")
        return {
            "rows": by_table,
            "people": list(
                Person.objects.values("kind", "sex", "birth_year", "home_municipality")
                .annotate(n=Count("pk"))
                .order_by("kind", "sex", "birth_year", "home_municipality")
            ),
            "custody": list(
                CustodyEpisode.objects.values("institution", "released_on__year")
                .annotate(n=Count("pk"))
                .order_by("institution", "released_on__year")
            ),
            "work": WorkMonth.objects.aggregate(h=Sum("hours"), p=Sum("pay_eur"), n=Count("pk")),
            "workers": WorkMonth.objects.values("person").distinct().count(),
            "key results": key_results(),
        }

    before = figures()
    names = Counter(Person.objects.values_list("given_name", "family_name"))
    identities = {
        pk: Identity("", given, family)
        for pk, given, family in Person.objects.values_list("pk", "given_name", "family_name")
        if names[given, family] == 1
    }
    report = services.retention_apply(actor=manager, today=datetime.date(2045, 1, 1))

    assert report.total > 20
    assert figures() == before
    gone = Pseudonymisation.objects.values_list("person_id", flat=True)
    assert _tables_naming([identities[pk] for pk in gone if pk in identities]) == []
    assert Person.objects.filter(ref__startswith="ANON-").count() == report.total
    assert audit_verify().ok
    again = services.retention_apply(actor=manager, today=datetime.date(2045, 1, 1))
    assert again.total == 0


def _tables_naming(identities) -> list[str]:
    """The text columns, in every table, that still hold one of these names."""
    finder = Finder(identities)
    found = []
    for model in dump.tables():
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for row in model._base_manager.values_list(*names).iterator() if names else []:
            if finder.mentions(list(row)):
                found.append(f"{model._meta.db_table}: {row}")
    return found


def test_a_dry_run_counts_and_changes_nothing(released_long_ago, kept, manager):
    before = list(Person.objects.order_by("pk").values_list("ref", "family_name"))
    out = StringIO()
    call_command("retention", "apply", "--dry-run", stdout=out)
    assert "released" in out.getvalue() and "nothing was changed" in out.getvalue()
    report = services.retention_apply(actor=manager, today=TODAY, dry_run=True)
    assert report.persons["released"] == 1
    assert list(Person.objects.order_by("pk").values_list("ref", "family_name")) == before
    assert not Pseudonymisation.objects.exists()
    assert AuditEntry.objects.filter(action="ops.retention.checked").count() == 2


def test_the_command_applies_the_retention_from_the_settings(released_long_ago, settings):
    settings.RESOC_RETENTION_YEARS = {"released": 0, "staff_left": 10}
    out = StringIO()
    call_command("retention", "apply", stdout=out)
    assert "released: off" in out.getvalue()
    assert Person.objects.get(pk=released_long_ago.pk).family_name == "Vukašinović"

    settings.RESOC_RETENTION_YEARS = {"released": 10, "staff_left": 10}
    call_command("retention", "apply", stdout=out)
    assert "Pseudonymised 1 people" in out.getvalue()
    assert Person.objects.get(pk=released_long_ago.pk).family_name == ""


def test_recent_work_keeps_an_identity(released_long_ago, manager):
    WorkMonthFactory(person=released_long_ago, month=datetime.date(2025, 1, 1))
    assert services.retention_apply(actor=manager, today=TODAY).total == 0


def test_staff_who_left_long_ago_are_pseudonymised(manager, prison_a):
    left = StaffPositionFactory(
        institution=prison_a,
        started_on=datetime.date(2000, 1, 1),
        ended_on=datetime.date(2012, 1, 1),
    ).person
    report = services.retention_apply(actor=manager, today=TODAY)
    assert report.persons["staff_left"] == 1
    assert Person.objects.get(pk=left.pk).ref.startswith("ANON-")


def test_a_failed_batch_keeps_the_records_and_their_files(released_long_ago, manager, monkeypatch):
    evidence = Consent.objects.get(person=released_long_ago).evidence.name

    def fail(**kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(services, "audit_record_many", fail)
    with pytest.raises(RuntimeError):
        services.retention_apply(actor=manager, today=TODAY)
    person = Person.objects.get(pk=released_long_ago.pk)
    assert (person.ref, person.family_name) == ("RS-2010-77", "Vukašinović")
    assert Consent.objects.get(person=person).evidence.name == evidence
    assert default_storage.exists(evidence)
    assert AuditEntry.objects.filter(redacted=True).count() == 0


@pytest.mark.parametrize(
    ("detail", "named"),
    [
        ({"refs": ["X-1", "RS-2010-77"]}, True),
        ({"query": "rs-2010-77"}, True),
        ({"changes": {"given_name": ["", "Zoran"], "family_name": ["", "Vukašinović"]}}, True),
        ({"query": "vuka"}, True),
        ({"query": "Zoran Vukasinovic"}, True),
        ({"query": "Vu"}, False),  # too short to name anyone
        ({"query": "Zoran"}, False),  # a given name alone names nobody
        ({"query": "Vukašinović Ana"}, False),  # would not have found him
        ({"note": "Vukašinović"}, False),  # a family name alone, outside a search
        ({"refs": ["RS-2010-777"]}, False),
    ],
)
def test_finder_names_the_entries_that_identify_a_person(detail, named):
    finder = Finder([Identity("RS-2010-77", "Zoran", "Vukašinović")])
    assert finder.mentions(detail) is named
