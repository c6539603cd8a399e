"""`resoc retention apply`: identities past their retention period are removed, figures stay."""

import datetime
import io
import json
from collections import Counter
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models
from django.db.models import Count, Sum
from pypdf import PdfReader

from resoc.audit.models import AuditEntry
from resoc.audit.selectors import audit_verify
from resoc.audit.services import audit_record
from resoc.certificates.services import certificates_issue_due
from resoc.core.seeding import seed_run
from resoc.grants import services as grants_services
from resoc.grants.models import Application, Evaluation, Grant, Visit, VisitPhoto
from resoc.grants.tests.factories import ApplicationFactory, GrantFactory, VisitFactory
from resoc.jobs.models import Job
from resoc.jobs.services import job_enqueue
from resoc.ops import dump, retention, services
from resoc.ops.audit_scrub import Finder, Identity
from resoc.ops.models import Pseudonymisation
from resoc.people import services as people_services
from resoc.people.models import Consent, CustodyEpisode, Person
from resoc.people.selectors import person_search
from resoc.people.tests.factories import CustodyFactory, StaffPositionFactory
from resoc.reentry.models import AssessmentItem, FollowUp, Referral, ReleasePlan
from resoc.reentry.tests.factories import (
    ActionFactory,
    AssessmentItemFactory,
    EventFactory,
    FollowUpFactory,
    PlanFactory,
    ReferralFactory,
)
from resoc.registry.models import Organisation
from resoc.registry.tests.factories import OrganisationFactory
from resoc.reporting.models import MediaCoverage, Story
from resoc.reporting.selectors import key_results
from resoc.training.models import Attendance, Enrollment
from resoc.training.tests.factories import AttendanceFactory, SessionFactory
from resoc.training.tests.factories import CohortFactory as TrainingCohortFactory
from resoc.training.tests.factories import EnrollmentFactory as TrainingEnrollmentFactory
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
        ({"file": "grants/plans/2013/Zoran_Vukasinovic_plan.pdf"}, True),  # a file's name
        ({"refs": ["RS-2010-777"]}, False),
    ],
)
def test_finder_names_the_entries_that_identify_a_person(detail, named):
    finder = Finder([Identity("RS-2010-77", "Zoran", "Vukašinović")])
    assert finder.mentions(detail) is named


# Every app's records ----------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
# Words that name Zoran, his relatives or the people around him, as the records below hold them.
NAMING = ("vukašinović", "vukasinovic", "zoran", "mira", "petar", "123 4567", "ulica")


@pytest.fixture
def with_records(released_long_ago, manager, prison_a):
    """Zoran's training (with its certificate and a zip of certificates), release plan,
    referrals, follow-ups, grant (business plan, evaluation, handover, visits, photo), story and
    press article, all from before 2016, each naming him somewhere."""
    person = released_long_ago
    episode = CustodyEpisode.objects.get(person=person)
    # Training.
    cohort = TrainingCohortFactory(
        institution=prison_a,
        start=datetime.date(2011, 3, 1),
        end=datetime.date(2011, 6, 30),
    )
    enrollment = TrainingEnrollmentFactory(
        cohort=cohort,
        person=person,
        status=Enrollment.Status.COMPLETED,
        applied_on=datetime.date(2011, 2, 1),
        decided_on=datetime.date(2011, 2, 15),
        completed_on=datetime.date(2011, 6, 30),
        motivation="I, Zoran Vukašinović, want to weld like my father.",
        officer_assessment="Calm; his sister Mira visits every week.",
        decision_reason="Selected: Zoran Vukašinović has the hours left.",
    )
    AttendanceFactory(
        session=SessionFactory(cohort=cohort, date=datetime.date(2011, 3, 4)), enrollment=enrollment
    )
    certificates_issue_due(actor=manager, cohort=cohort, on=datetime.date(2011, 7, 1))
    peer_cohort = TrainingCohortFactory(
        institution=prison_a, start=datetime.date(2012, 3, 1), end=datetime.date(2012, 5, 1)
    )
    peer_cohort.peer_trainers.add(person)
    job_enqueue(
        kind="certificates.cohort_pdfs",
        requested_by=manager,
        params={"cohort": cohort.pk, "language": "en", "issue_due": False},
        title="Certificates",
    )
    # Release and after.
    item = AssessmentItemFactory(
        assessment__person=person,
        assessment__date=datetime.date(2012, 10, 1),
        notes="Will live with his sister Mira Vukašinović.",
    )
    plan = PlanFactory(
        episode=episode,
        goals={"accommodation": "Move in with Mira Vukašinović", "finance": "Open an account"},
        officer_signed_on=datetime.date(2013, 1, 10),
    )
    ActionFactory(
        plan=plan,
        what="Call Zoran's landlord about the flat",
        responsible_person="Petar Petrović",
        due_on=datetime.date(2013, 3, 1),
    )
    ReferralFactory(
        person=person,
        plan=plan,
        reason="Zoran Vukašinović needs a flat in Niš.",
        status=Referral.Status.COMPLETED,
        sent_on=datetime.date(2013, 3, 1),
        answered_on=datetime.date(2013, 3, 10),
        completed_on=datetime.date(2013, 5, 1),
        outcome="Zoran moved in on 1 May.",
    )
    follow_up = FollowUpFactory(
        person=person,
        date=datetime.date(2013, 6, 1),
        employment=FollowUp.Employment.SELF_EMPLOYED,
        housing=FollowUp.Housing.STABLE,
        notes="Zoran Vukašinović runs a bakery with Mira.",
    )
    EventFactory(
        person=person,
        date=datetime.date(2014, 1, 1),
        follow_up=follow_up,
        notes="Zoran was fined for a fight.",
    )
    # A micro-grant.
    application = ApplicationFactory(
        person=person,
        applied_on=datetime.date(2013, 5, 1),
        business_idea="Zoran Vukašinović's bakery in Niš",
        decision=Application.Decision.APPROVED,
        decision_reason="Zoran has a good plan.",
        decided_on=datetime.date(2013, 6, 1),
        approved_eur=Decimal("2000.00"),
    )
    grants_services.application_plan_upload(
        actor=manager,
        application=application,
        upload=SimpleUploadedFile("Zoran_Vukasinovic_plan.pdf", PDF),
    )
    Evaluation.objects.create(
        application=application,
        evaluator=manager,
        declared_no_conflict=True,
        declared_at=datetime.datetime(2013, 5, 20, 10, tzinfo=datetime.UTC),
        declaration_notes="I do not know Zoran Vukašinović.",
        notes="Zoran knows the trade.",
        weighted_score=Decimal("80.00"),
    )
    grant = GrantFactory(
        application=application,
        status=Grant.Status.CLOSED,
        delivered_on=datetime.date(2013, 7, 1),
        closed_on=datetime.date(2015, 7, 1),
        handover=SimpleUploadedFile("handover-zoran.pdf", PDF),
        notes="Closed: Zoran Vukašinović runs it alone.",
    )
    visit = VisitFactory(
        grant=grant,
        visited_on=datetime.date(2014, 1, 1),
        business_active=True,
        jobs_created=1,
        notes="Zoran's bakery is busy; Mira sells.",
    )
    VisitPhoto.objects.create(visit=visit, file=SimpleUploadedFile("zoran-bakery.png", PNG))
    # Told in public.
    Story.objects.create(
        title="Zoran's bread",
        body="Zoran Vukašinović left prison in 2013 and bakes for Niš.",
        person=person,
        published=True,
        published_on=datetime.date(2014, 2, 1),
    )
    MediaCoverage.objects.create(
        title="Zoran Vukašinović bakes again",
        outlet=OrganisationFactory(kind=Organisation.Kind.MEDIA),
        url="https://news.example.org/zoran-vukasinovic-bakes",
        published_on=datetime.date(2014, 3, 1),
        summary="Mira and Zoran's bakery.",
        person=person,
    )
    return {"person": person, "item": item, "grant": grant}


def _stored_files() -> list[str]:
    root = default_storage.location
    return sorted(str(path.relative_to(root)) for path in Path(root).rglob("*") if path.is_file())


def _database_text(*, skip=()) -> str:
    """Every text and JSON value in every table (JSON read back, so not \\u-escaped)."""
    values = []
    for model in dump.tables():
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and (model._meta.db_table, f.attname) not in skip
        ]
        if names:
            values += [list(row) for row in model._base_manager.values_list(*names)]
    return json.dumps(values, ensure_ascii=False, default=str).lower()


def test_retention_removes_the_person_from_every_apps_records(
    with_records, manager, django_capture_on_commit_callbacks
):
    person = with_records["person"]
    old_ref = person.ref
    before = key_results()
    text = _database_text()
    for word in (*NAMING, old_ref.lower()):
        assert word in text, word
    files = _stored_files()
    assert len(files) == 5  # consent, business plan, handover, photo and the certificates' zip
    assert any(name.endswith(".zip") for name in files)

    with django_capture_on_commit_callbacks(execute=True):
        out = StringIO()
        call_command("retention", "apply", stdout=out)

    assert "Pseudonymised 1 people" in out.getvalue()
    assert "jobs cleared: 1" in out.getvalue()
    person.refresh_from_db()
    assert person.ref.startswith("ANON-")
    # Nothing names him any more, in any table; the trail keeps only the old reference in its
    # chained person-reference column (see docs/deployment.md).
    text = _database_text(skip={("audit_auditentry", "person_ref")})
    for word in (*NAMING, old_ref.lower()):
        assert word not in text, word
    assert _stored_files() == []
    # What the figures are made of stays.
    assert key_results() == before
    assert key_results()["certificates_issued"] and key_results()["former_prisoners_granted"]
    enrollment = Enrollment.objects.get(person=person, status=Enrollment.Status.COMPLETED)
    assert enrollment.completed_on == datetime.date(2011, 6, 30)
    assert enrollment.certificate.number and enrollment.certificate.holder_name == ""
    assert Attendance.objects.filter(enrollment=enrollment).count() == 1
    plan = ReleasePlan.objects.get(person=person)
    assert (plan.goals, plan.destination, plan.state) == ({}, "Niš", plan.State.DRAFT)
    assert AssessmentItem.objects.get(pk=with_records["item"].pk).level == "high"
    follow_up = FollowUp.objects.get(person=person)
    assert (follow_up.employment, follow_up.housing) == ("self_employed", "stable")
    grant = Grant.objects.get(pk=with_records["grant"].pk)
    assert (grant.status, grant.value_eur, grant.handover.name) == ("closed", Decimal("2000"), "")
    assert grant.application.business_plan.name == ""
    assert Visit.objects.get(grant=grant).jobs_created == 1
    assert VisitPhoto.objects.get(visit__grant=grant).file.name == ""
    story = Story.objects.get(person=person)
    assert (story.title, story.body, story.published) == ("", "", False)
    job = Job.objects.get()
    assert (job.status, job.params, job.result_info, job.result.name) == ("expired", {}, {}, "")
    assert audit_verify().ok


@pytest.mark.parametrize(
    ("record", "kept"),
    [
        ("open grant", True),  # a grant not closed: its holder is still followed
        ("recent visit", True),
        ("recent follow-up", True),
        ("recent cohort", True),  # in a course that ran lately, whatever the enrollment's dates
        ("recent story", True),
        ("nothing recent", False),
    ],
)
def test_a_current_or_recent_record_of_any_app_keeps_the_identity(
    with_records, manager, record, kept
):
    person, grant = with_records["person"], with_records["grant"]
    recent = datetime.date(2025, 3, 1)
    if record == "open grant":
        Grant.objects.filter(pk=grant.pk).update(status=Grant.Status.DELIVERED, closed_on=None)
    elif record == "recent visit":
        VisitFactory(grant=grant, visited_on=recent, business_active=True)
    elif record == "recent follow-up":
        FollowUpFactory(person=person, date=recent)
    elif record == "recent cohort":
        TrainingEnrollmentFactory(
            person=person,
            applied_on=None,
            cohort__start=datetime.date(2025, 1, 10),
            cohort__end=None,
        )
    elif record == "recent story":
        Story.objects.create(title="Ten years on", body="…", person=person, published_on=recent)

    report = services.retention_apply(actor=manager, today=TODAY)

    assert report.total == (0 if kept else 1)
    assert Person.objects.get(pk=person.pk).family_name == ("Vukašinović" if kept else "")


def test_the_access_export_holds_every_apps_records(client_for, manager, with_records):
    person = with_records["person"]
    client = client_for(manager)

    data = client.get(f"/ops/access-export/{person.ref}/export.json").json()

    records = data["records"]
    expected = {
        "training.enrollment": 1,
        "training.attendance": 1,
        "training.cohort": 1,  # the one he helped to train
        "certificates.certificate": 1,
        "reentry.needsassessment": 1,
        "reentry.assessmentitem": 1,
        "reentry.releaseplan": 1,
        "reentry.planaction": 1,
        "reentry.referral": 1,
        "reentry.followup": 1,
        "reentry.outcomeevent": 1,
        "grants.application": 1,
        "grants.evaluation": 1,
        "grants.grant": 1,
        "grants.visit": 1,
        "grants.visitphoto": 1,
        "reporting.story": 1,
        "reporting.mediacoverage": 1,
    }
    assert {label: len(records[label]) for label in expected} == expected
    assert records["training.enrollment"][0]["motivation"].startswith("I, Zoran")
    assert records["certificates.certificate"][0]["holder_name"] == "Zoran Vukašinović"
    assert records["reentry.releaseplan"][0]["goals"]["accommodation"].startswith("Move in")
    assert records["reentry.planaction"][0]["responsible_person"] == "Petar Petrović"
    assert records["reentry.followup"][0]["notes"].startswith("Zoran Vukašinović runs")
    assert records["grants.application"][0]["business_plan"] == "Zoran_Vukasinovic_plan.pdf"
    assert records["grants.evaluation"][0]["notes"] == "Zoran knows the trade."
    assert records["grants.visit"][0]["notes"].startswith("Zoran's bakery")
    assert "evaluator" not in records["grants.evaluation"][0]  # staff users are not shown

    response = client.get(f"/ops/access-export/{person.ref}/export.pdf")
    pages = PdfReader(io.BytesIO(response.content)).pages
    # Narrow columns wrap long words anywhere: compared without the white space.
    pdf_text = "".join("".join(page.extract_text().split()) for page in pages)
    for text in (
        "want to weld like my father",
        "accommodation: Move in with Mira",
        "needs a flat in Niš",
        "runs a bakery with Mira",
        "Zoran_Vukasinovic_plan.pdf",
        "Zoran knows the trade",
        "bakery is busy",
        "Zoran's bread",
    ):
        assert "".join(text.split()) in pdf_text, text


def test_a_registration_must_name_real_fields_and_a_person():
    with pytest.raises(ImproperlyConfigured, match="is not a person"):
        retention.register(Visit, person_path="grant__application", fields=["notes"])
    with pytest.raises(ImproperlyConfigured, match="no field 'no_such_notes'"):
        retention.register(
            Visit, person_path="grant__application__person", fields=["no_such_notes"]
        )
    with pytest.raises(ImproperlyConfigured, match="cannot be blanked"):
        retention.register(
            Visit, person_path="grant__application__person", fields=["business_active"]
        )
    with pytest.raises(ImproperlyConfigured, match="no field 'grant__no_such_day'"):
        retention.register(
            Visit, person_path="grant__application__person", activity=["grant__no_such_day"]
        )
    with pytest.raises(ImproperlyConfigured, match="cannot be used as an activity date"):
        # A time of day is not an activity date.
        retention.register(Evaluation, person_path="application__person", activity=["declared_at"])
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        retention.register(Visit, person_path="grant__application__person", fields=["notes"])
