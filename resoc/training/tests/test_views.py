"""The training pages: who may see and do what, within which scope."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from resoc.audit.models import AuditEntry
from resoc.core.testing import queries_of
from resoc.training.models import Attendance, Cohort, Course, Enrollment, Session
from resoc.training.tests.conftest import in_custody
from resoc.training.tests.factories import (
    AttendanceFactory,
    CohortFactory,
    EnrollmentFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
S = Enrollment.Status
A = Attendance.Status
DAY = datetime.timedelta(days=1)


def url(name, *args):
    return reverse(f"training:{name}", args=args)


def status(client, name, *args, method="get", data=None):
    return getattr(client, method)(url(name, *args), data or {}).status_code


@pytest.fixture
def today_session(cohort_a):
    """A session today of a cohort running now."""
    today = timezone.localdate()
    Cohort.objects.filter(pk=cohort_a.pk).update(start=today - 10 * DAY, end=today + 10 * DAY)
    cohort_a.refresh_from_db()
    return SessionFactory(cohort=cohort_a, date=today)


def enroll(cohort, ref, status=S.ENROLLED, **kwargs):
    return EnrollmentFactory(
        cohort=cohort, person=in_custody(cohort.institution, ref), status=status, **kwargs
    )


# The index and the navigation


def test_a_trainer_lists_only_their_cohorts(client_for, trainer, cohort_a, cohort_b, prison_a):
    CohortFactory(code="NIS-OTHER", institution=prison_a)
    html = client_for(trainer).get(url("index")).content.decode()
    assert "NIS-WELD-1" in html
    assert "NIS-OTHER" not in html and "SM-WELD-1" not in html
    assert f'href="{url("index")}"' in html  # the navigation's link


def test_an_officer_lists_the_cohorts_of_their_institution_and_the_online_ones(
    client_for, officer_a, cohort_a, cohort_b, welding
):
    CohortFactory(code="ONLINE-1", course=welding, institution=None)
    html = client_for(officer_a).get(url("index")).content.decode()
    assert "NIS-WELD-1" in html and "ONLINE-1" in html and "SM-WELD-1" not in html


def test_the_index_filters_by_institution_and_time(client_for, manager, cohort_a, cohort_b):
    client = client_for(manager)
    html = client.get(url("index"), {"institution": "RS-SM"}).content.decode()
    assert "SM-WELD-1" in html and "NIS-WELD-1" not in html
    assert "NIS-WELD-1" not in client.get(url("index"), {"when": "upcoming"}).content.decode()


@pytest.mark.parametrize("persona", ["donor", "procurement", "commissioner_nis"])
def test_roles_without_training_get_403_and_no_link(client_for, request, persona, cohort_a):
    client = client_for(request.getfixturevalue(persona))
    assert status(client, "index") == 403
    assert status(client, "cohort", "NIS-WELD-1") == 403
    assert status(client, "course_list") == 403
    assert url("index") not in client.get(reverse("home")).content.decode()


# The catalogue


def test_readers_see_the_catalogue_and_only_managers_keep_it(
    client_for, manager, trainer, coordinator_rs, welding
):
    assert status(client_for(trainer), "course_list") == 200
    assert status(client_for(trainer), "course", "WELD") == 200
    assert status(client_for(coordinator_rs), "course_create") == 403
    assert status(client_for(trainer), "course_edit", "WELD") == 403
    assert status(client_for(manager), "course", "NOPE") == 404


def test_a_manager_creates_a_course_with_modules(client_for, manager):
    data = {
        "code": "BAKE",
        "title": "Bakery",
        "category": "vocational",
        "hours": "180",
        "certified": "on",
        "modules-TOTAL_FORMS": "3",
        "modules-INITIAL_FORMS": "0",
        "modules-0-number": "1",
        "modules-0-title": "Hygiene",
        "modules-0-hours": "20",
        "modules-1-number": "2",
        "modules-1-title": "Bread",
    }
    response = client_for(manager).post(url("course_create"), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    course = Course.objects.get(code="BAKE")
    assert course.certified
    assert list(course.modules.values_list("number", "title")) == [(1, "Hygiene"), (2, "Bread")]
    assert AuditEntry.objects.filter(action="training.module.created").count() == 2


# Cohorts


def test_a_trainer_sees_their_cohort_with_its_participants_and_the_view_is_audited(
    client_for, trainer, cohort_a
):
    enroll(cohort_a, "A-1")
    enroll(cohort_a, "A-2", status=S.APPLIED)

    response = client_for(trainer).get(url("cohort", "NIS-WELD-1"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "A-1" in html and "A-2" not in html  # applicants are not the trainer's business
    entry = AuditEntry.objects.get(action="training.enrollment.listed")
    assert entry.detail["refs"] == ["A-1"]


def test_a_trainer_gets_404_for_another_trainers_cohort(
    client_for, other_trainer, cohort_a, today_session
):
    client = client_for(other_trainer)
    assert status(client, "cohort", "NIS-WELD-1") == 404
    assert status(client, "attendance", today_session.pk) == 404
    assert status(client, "session_create", "NIS-WELD-1") == 404


def test_an_officer_of_another_prison_gets_404_for_the_cohort(client_for, officer_b, cohort_a):
    assert status(client_for(officer_b), "cohort", "NIS-WELD-1") == 404


def test_the_cohort_page_runs_the_same_queries_for_2_or_20_participants(
    client_for, trainer, cohort_a
):
    Cohort.objects.filter(pk=cohort_a.pk).update(capacity=30)
    for n in range(3):
        SessionFactory(cohort=cohort_a, date=cohort_a.start + n * DAY)
    client = client_for(trainer)

    def add(count, prefix):
        for n in range(count):
            e = enroll(cohort_a, f"{prefix}{n}")
            for session in cohort_a.sessions.all():
                AttendanceFactory(session=session, enrollment=e)

    add(2, "F-")
    few = queries_of(lambda: client.get(url("cohort", "NIS-WELD-1")))
    add(18, "M-")
    assert queries_of(lambda: client.get(url("cohort", "NIS-WELD-1"))) == few


def test_the_cohort_page_leaves_a_place_for_certificates(client_for, manager, cohort_a):
    from django.template.loader import get_template

    assert get_template("training/_cohort_certificates.html")
    assert status(client_for(manager), "cohort", "NIS-WELD-1") == 200


def test_a_coordinator_creates_a_cohort_in_their_country_with_trainers_and_peers(
    client_for, coordinator_rs, prison_a, welding, trainer
):
    from resoc.registry.tests.factories import CycleFactory

    cycle = CycleFactory(code="CYC")
    peer = in_custody(prison_a, "PEER-1")
    data = {
        "code": "NIS-NEW",
        "course": welding.pk,
        "institution": prison_a.pk,
        "cycle": cycle.pk,
        "trainers": [trainer.pk],
        "peer_trainer_refs": "peer-1",
        "start": "2025-01-10",
        "end": "2025-03-10",
        "mode": "in_person",
        "capacity": "12",
        "currency": "EUR",
        "cost": "1500",
    }
    response = client_for(coordinator_rs).post(url("cohort_create"), data)

    assert response.status_code == 302, response.content.decode()[-3000:]
    cohort = Cohort.objects.get(code="NIS-NEW")
    assert list(cohort.trainers.all()) == [trainer]
    assert list(cohort.peer_trainers.all()) == [peer]
    assert cohort.cost_eur == 1500


def test_a_coordinator_cannot_create_a_cohort_in_another_country(
    client_for, coordinator_ba, prison_a, welding
):
    from resoc.registry.tests.factories import CycleFactory

    data = {
        "code": "NIS-X",
        "course": welding.pk,
        "institution": prison_a.pk,
        "cycle": CycleFactory().pk,
        "start": "2025-01-10",
        "mode": "in_person",
        "currency": "EUR",
    }
    response = client_for(coordinator_ba).post(url("cohort_create"), data)
    assert response.status_code == 200
    assert not Cohort.objects.filter(code="NIS-X").exists()


@pytest.mark.parametrize("persona", ["officer_a", "trainer", "auditor"])
def test_who_cannot_create_or_edit_cohorts_gets_403(client_for, request, persona, cohort_a):
    client = client_for(request.getfixturevalue(persona))
    assert status(client, "cohort_create") == 403
    assert status(client, "cohort_edit", "NIS-WELD-1") == 403


def test_a_coordinator_edits_a_cohort_of_their_country_only(
    client_for, coordinator_rs, coordinator_ba, cohort_a
):
    assert status(client_for(coordinator_rs), "cohort_edit", "NIS-WELD-1") == 200
    assert status(client_for(coordinator_ba), "cohort_edit", "NIS-WELD-1") == 404


# Sessions


def test_a_trainer_adds_a_session_to_their_cohort(client_for, trainer, cohort_a):
    response = client_for(trainer).post(
        url("session_create", "NIS-WELD-1"),
        {"date": "2024-03-11", "starts_at": "09:00", "ends_at": "13:00", "mode": "in_person"},
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert (session.date, session.cohort) == (D(2024, 3, 11), cohort_a)
    assert status(client_for(trainer), "session_edit", session.pk) == 200


def test_a_session_outside_the_cohort_is_refused_in_the_form(client_for, trainer, cohort_a):
    response = client_for(trainer).post(
        url("session_create", "NIS-WELD-1"), {"date": "2025-03-11", "mode": "in_person"}
    )
    assert response.status_code == 200
    assert b"within the cohort" in response.content
    assert not Session.objects.exists()


def test_an_officer_cannot_add_sessions(client_for, officer_a, cohort_a):
    assert status(client_for(officer_a), "session_create", "NIS-WELD-1") == 403


# The attendance screen


def test_a_trainer_finds_todays_sessions_on_the_training_page(client_for, trainer, today_session):
    html = client_for(trainer).get(url("index")).content.decode()
    assert url("attendance", today_session.pk) in html


def test_a_trainer_records_attendance_with_the_plain_form(client_for, trainer, today_session):
    cohort = today_session.cohort
    absent, present = enroll(cohort, "A-1"), enroll(cohort, "A-2")
    client = client_for(trainer)
    page = client.get(url("attendance", today_session.pk)).content.decode()
    assert f'name="a-{absent.pk}"' in page and "All present" in page

    response = client.post(
        url("attendance", today_session.pk), {f"a-{absent.pk}": "absent", "all_present": "1"}
    )

    assert response.status_code == 302
    stored = dict(today_session.attendance.values_list("enrollment_id", "status"))
    assert stored == {absent.pk: A.ABSENT, present.pk: A.PRESENT}
    assert AuditEntry.objects.filter(action="training.attendance.listed").exists()


def test_one_tap_saves_one_mark_and_answers_the_row(client_for, trainer, today_session):
    enrollment = enroll(today_session.cohort, "A-1")
    response = client_for(trainer).post(
        url("attendance_mark", today_session.pk, enrollment.pk),
        {f"a-{enrollment.pk}": "excused"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="att-{enrollment.pk}"' in html and "saved" in html
    assert today_session.attendance.get().status == A.EXCUSED


def test_one_tap_for_someone_not_on_the_list_is_404(client_for, trainer, today_session):
    applicant = enroll(today_session.cohort, "A-1", status=S.APPLIED)
    response = client_for(trainer).post(
        url("attendance_mark", today_session.pk, applicant.pk), {f"a-{applicant.pk}": "present"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["officer_a", "auditor"])
def test_who_does_not_run_the_cohort_gets_403_on_the_attendance_screen(
    client_for, request, persona, today_session
):
    client = client_for(request.getfixturevalue(persona))
    assert status(client, "attendance", today_session.pk) == 403
    assert status(client, "attendance", today_session.pk, method="post") == 403


def test_the_attendance_screen_runs_the_same_queries_for_2_or_20_people(
    client_for, trainer, today_session
):
    Cohort.objects.filter(pk=today_session.cohort_id).update(capacity=30)
    client = client_for(trainer)

    def add(count, prefix):
        for n in range(count):
            e = enroll(today_session.cohort, f"{prefix}{n}")
            if n % 2:
                AttendanceFactory(session=today_session, enrollment=e)

    add(2, "F-")
    few = queries_of(lambda: client.get(url("attendance", today_session.pk)))
    add(18, "M-")
    assert queries_of(lambda: client.get(url("attendance", today_session.pk))) == few


# Applications and decisions


@pytest.fixture
def upcoming(cohort_a):
    today = timezone.localdate()
    Cohort.objects.filter(pk=cohort_a.pk).update(start=today + 20 * DAY, end=today + 80 * DAY)
    cohort_a.refresh_from_db()
    return cohort_a


def test_an_officer_applies_for_a_prisoner_and_sees_the_time_left(
    client_for, officer_a, upcoming, person_a
):
    client = client_for(officer_a)
    response = client.post(
        url("apply", "NIS-WELD-1"),
        {"person_ref": "a-1", "motivation": "A trade", "education": "primary", "security": "low"},
    )
    assert response.status_code == 302
    enrollment = Enrollment.objects.get()
    assert (enrollment.person, enrollment.status, enrollment.education) == (
        person_a,
        S.APPLIED,
        "primary",
    )
    page = client.get(url("applications", "NIS-WELD-1")).content.decode()
    days = (D(2027, 3, 1) - upcoming.end).days
    assert "A-1" in page and f"{days} days" in page
    assert AuditEntry.objects.filter(action="training.application.listed").exists()


def test_an_officer_cannot_apply_for_someone_outside_their_scope(
    client_for, officer_a, upcoming, person_b
):
    response = client_for(officer_a).post(url("apply", "NIS-WELD-1"), {"person_ref": "B-1"})
    assert b"nobody with this reference in your scope" in response.content
    assert not Enrollment.objects.exists()


def test_trainers_see_no_applications(client_for, trainer, upcoming):
    assert status(client_for(trainer), "applications", "NIS-WELD-1") == 403
    assert status(client_for(trainer), "apply", "NIS-WELD-1") == 403


def test_an_officer_of_another_prison_gets_404_on_the_applications(client_for, officer_b, upcoming):
    assert status(client_for(officer_b), "applications", "NIS-WELD-1") == 404


def test_an_officer_decides_and_a_rejection_without_reason_is_refused(
    client_for, officer_a, upcoming
):
    enrollment = enroll(upcoming, "A-1", status=S.APPLIED)
    client = client_for(officer_a)

    response = client.post(url("enrollment_decide", enrollment.pk), {"decision": "rejected"})
    assert response.status_code == 200 and b"Give the reason" in response.content
    response = client.post(url("enrollment_decide", enrollment.pk), {"decision": "selected"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == S.SELECTED


def test_a_trainer_cannot_decide_but_records_outcomes(client_for, trainer, officer_a, cohort_a):
    enrollment = enroll(cohort_a, "A-1")
    client = client_for(trainer)
    assert status(client, "enrollment", enrollment.pk) == 200
    assert (
        status(
            client, "enrollment_decide", enrollment.pk, method="post", data={"decision": "selected"}
        )
        == 403
    )

    response = client.post(
        url("enrollment_outcome", enrollment.pk), {"status": "completed", "on": "2024-06-30"}
    )

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.completed_on) == (S.COMPLETED, D(2024, 6, 30))
    assert status(client_for(officer_a), "enrollment_outcome", enrollment.pk, method="post") == 403


def test_enrollment_pages_are_404_outside_the_scope(client_for, officer_b, trainer, cohort_a):
    enrollment = enroll(cohort_a, "A-1")
    applicant = enroll(cohort_a, "A-2", status=S.APPLIED)
    assert status(client_for(officer_b), "enrollment", enrollment.pk) == 404
    assert status(client_for(trainer), "enrollment", applicant.pk) == 404
    assert status(client_for(officer_b), "person", "A-1") == 404


def test_the_completion_rule_button_completes_the_due(client_for, trainer, cohort_a):
    enrollment = enroll(cohort_a, "A-1")
    AttendanceFactory(session__cohort=cohort_a, session__date=cohort_a.start, enrollment=enrollment)

    response = client_for(trainer).post(url("cohort_complete", "NIS-WELD-1"))

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == S.COMPLETED


def test_a_persons_training_page_lists_their_courses(client_for, officer_a, cohort_a):
    enroll(cohort_a, "A-1", status=S.COMPLETED)
    response = client_for(officer_a).get(url("person", "A-1"))
    assert response.status_code == 200 and b"NIS-WELD-1" in response.content
    assert AuditEntry.objects.get(action="training.person.viewed").person_ref == "A-1"
    people = client_for(officer_a).get(reverse("people:detail", args=["A-1"])).content.decode()
    assert url("person", "A-1") in people


def test_every_action_on_a_cohort_out_of_scope_is_404(
    client_for, officer_b, other_trainer, today_session
):
    cohort = today_session.cohort
    enrollment = enroll(cohort, "A-1")
    officer = client_for(officer_b)
    for name, args in (
        ("enrollment_assess", [enrollment.pk]),
        ("enrollment_decide", [enrollment.pk]),
        ("enrollment_outcome", [enrollment.pk]),
        ("apply", [cohort.code]),
        ("cohort_complete", [cohort.code]),
    ):
        assert status(officer, name, *args, method="post") == 404, name
    trainer = client_for(other_trainer)
    for name, args in (
        ("session_edit", [today_session.pk]),
        ("attendance_mark", [today_session.pk, enrollment.pk]),
        ("enrollment", [enrollment.pk]),
        ("cohort_complete", [cohort.code]),
    ):
        assert status(trainer, name, *args, method="post") == 404, name


def test_an_officer_records_the_assessment_and_a_trainer_cannot(
    client_for, officer_a, trainer, upcoming
):
    enrollment = enroll(upcoming, "A-1", status=S.APPLIED)
    data = {"officer_assessment": "Two years left; primary school", "security": "medium"}

    assert status(client_for(trainer), "enrollment_assess", enrollment.pk, method="post") == 404
    response = client_for(officer_a).post(url("enrollment_assess", enrollment.pk), data)

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.security, enrollment.status) == ("medium", S.APPLIED)
    assert AuditEntry.objects.get(action="training.enrollment.updated").person_ref == "A-1"
