import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from resoc.audit.models import AuditEntry
from resoc.registry.tests.factories import CycleFactory
from resoc.training.models import Attendance, Cohort, Course, Enrollment, Session
from resoc.training.tests.factories import (
    AttendanceFactory,
    CohortFactory,
    EnrollmentFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
S = Enrollment.Status
DAY = datetime.timedelta(days=1)
COURSES = "/api/v1/courses/"
COHORTS = "/api/v1/cohorts/"
SESSIONS = "/api/v1/sessions/"
ENROLLMENTS = "/api/v1/enrollments/"
ATTENDANCE = "/api/v1/attendance/"


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_training_endpoints_need_credentials(cohort_a):
    for path in (COURSES, COHORTS, SESSIONS, ENROLLMENTS, ATTENDANCE):
        assert APIClient().get(path).status_code == 401


@pytest.mark.parametrize("persona", ["donor", "procurement", "commissioner_nis"])
def test_roles_without_training_get_403(api_for, request, persona, cohort_a):
    client = api_for(request.getfixturevalue(persona))
    for path in (COURSES, COHORTS, f"{COHORTS}NIS-WELD-1/", SESSIONS, ENROLLMENTS, ATTENDANCE):
        assert client.get(path).status_code == 403


# Courses


def test_readers_list_courses_and_only_managers_write_them(api_for, manager, trainer, welding):
    assert [c["code"] for c in results(api_for(trainer).get(COURSES))] == ["WELD"]
    payload = {"code": "BAKE", "title": "Bakery", "category": "vocational", "hours": 180}
    assert api_for(trainer).post(COURSES, payload, format="json").status_code == 403
    response = api_for(manager).post(COURSES, payload, format="json")
    assert response.status_code == 201, response.content
    assert Course.objects.filter(code="BAKE").exists()
    response = api_for(manager).patch(f"{COURSES}BAKE/", {"certified": True}, format="json")
    assert response.status_code == 200 and response.json()["certified"] is True


# Cohorts


def test_a_trainer_lists_their_cohorts_and_gets_404_for_others(
    api_for, trainer, cohort_a, cohort_b, prison_a
):
    CohortFactory(code="NIS-OTHER", institution=prison_a)
    client = api_for(trainer)
    assert [c["code"] for c in results(client.get(COHORTS))] == ["NIS-WELD-1"]
    assert client.get(f"{COHORTS}NIS-OTHER/").status_code == 404
    assert client.get(f"{COHORTS}NIS-WELD-1/").json()["trainers"] == ["trainer"]


def test_an_officer_sees_the_cohorts_of_their_institution_and_online(
    api_for, officer_b, cohort_a, cohort_b, welding
):
    CohortFactory(code="ONLINE-1", course=welding, institution=None)
    codes = {c["code"] for c in results(api_for(officer_b).get(COHORTS))}
    assert codes == {"SM-WELD-1", "ONLINE-1"}
    assert api_for(officer_b).get(f"{COHORTS}NIS-WELD-1/").status_code == 404


def test_a_coordinator_creates_a_cohort_in_their_country_only(
    api_for, coordinator_rs, coordinator_ba, prison_a, welding, trainer
):
    CycleFactory(code="CYC")
    payload = {
        "code": "NIS-API",
        "course": "WELD",
        "institution": "RS-NIS",
        "cycle": "CYC",
        "trainers": ["trainer"],
        "start": "2025-01-10",
        "end": "2025-02-10",
        "capacity": 10,
        "cost": "500",
        "currency": "eur",
    }
    response = api_for(coordinator_rs).post(COHORTS, payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["cost_eur"] == "500.00"
    assert list(Cohort.objects.get(code="NIS-API").trainers.all()) == [trainer]

    payload["code"] = "NIS-BA"
    response = api_for(coordinator_ba).post(COHORTS, payload, format="json")
    assert response.status_code == 400  # RS-NIS is not an institution they may see
    payload["institution"] = None
    assert api_for(coordinator_ba).post(COHORTS, payload, format="json").status_code == 403


def test_officers_and_trainers_cannot_write_cohorts(api_for, officer_a, trainer, cohort_a):
    for user in (officer_a, trainer):
        response = api_for(user).patch(f"{COHORTS}NIS-WELD-1/", {"capacity": 5}, format="json")
        assert response.status_code == 403


def test_a_cohort_rule_answers_400(api_for, manager, cohort_a):
    response = api_for(manager).patch(f"{COHORTS}NIS-WELD-1/", {"end": "2020-01-01"}, format="json")
    assert response.status_code == 400


# Sessions


def test_a_trainer_adds_a_session_and_another_trainer_cannot(
    api_for, trainer, other_trainer, cohort_a
):
    payload = {"cohort": "NIS-WELD-1", "date": "2024-03-05", "starts_at": "09:00"}
    response = api_for(trainer).post(SESSIONS, payload, format="json")
    assert response.status_code == 201, response.content
    assert Session.objects.filter(cohort=cohort_a).count() == 1
    response = api_for(other_trainer).post(
        SESSIONS, payload | {"date": "2024-03-06"}, format="json"
    )
    assert response.status_code == 400  # the cohort is unknown to them
    bad = api_for(trainer).post(SESSIONS, payload | {"date": "2030-01-01"}, format="json")
    assert bad.status_code == 400 and "date" in bad.json()


# Enrollments


@pytest.fixture
def upcoming(cohort_a):
    today = timezone.localdate()
    Cohort.objects.filter(pk=cohort_a.pk).update(start=today + 20 * DAY, end=today + 80 * DAY)
    cohort_a.refresh_from_db()
    return cohort_a


def test_an_officer_applies_decides_and_the_reads_are_audited(
    api_for, officer_a, upcoming, person_a
):
    client = api_for(officer_a)
    response = client.post(
        ENROLLMENTS, {"cohort": "NIS-WELD-1", "person": "a-1", "motivation": "x"}, format="json"
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]

    refused = client.patch(f"{ENROLLMENTS}{pk}/", {"status": "rejected"}, format="json")
    assert refused.status_code == 400 and "decision_reason" in refused.json()
    response = client.patch(
        f"{ENROLLMENTS}{pk}/",
        {"status": "waitlisted", "decision_reason": "Full"},
        format="json",
    )
    assert response.json()["status"] == "waitlisted"
    assert response.json()["waitlist_position"] == 1

    assert [r["person"] for r in results(client.get(ENROLLMENTS))] == ["A-1"]
    assert AuditEntry.objects.get(action="training.enrollment.listed").detail["refs"] == ["A-1"]
    client.get(f"{ENROLLMENTS}{pk}/")
    assert AuditEntry.objects.get(action="training.enrollment.viewed").person_ref == "A-1"


def test_an_officer_cannot_apply_for_someone_outside_their_scope(
    api_for, officer_a, upcoming, person_b
):
    response = api_for(officer_a).post(
        ENROLLMENTS, {"cohort": "NIS-WELD-1", "person": "B-1"}, format="json"
    )
    assert response.status_code == 400 and "person" in response.json()


def test_enrollments_of_another_prison_answer_404(api_for, officer_b, cohort_a, person_a):
    enrollment = EnrollmentFactory(cohort=cohort_a, person=person_a)
    assert api_for(officer_b).get(f"{ENROLLMENTS}{enrollment.pk}/").status_code == 404
    assert results(api_for(officer_b).get(ENROLLMENTS)) == []


def test_a_trainer_records_an_outcome_but_cannot_decide(api_for, trainer, cohort_a, person_a):
    enrollment = EnrollmentFactory(cohort=cohort_a, person=person_a, status=S.ENROLLED)
    client = api_for(trainer)
    path = f"{ENROLLMENTS}{enrollment.pk}/"

    assert client.patch(path, {"status": "selected"}, format="json").status_code == 403
    assert client.patch(path, {"motivation": "x"}, format="json").status_code == 403
    response = client.patch(
        path, {"status": "completed", "on": "2024-06-30", "assessment_score": "88"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    assert response.json()["assessment_score"] == "88.00"


def test_a_trainer_does_not_see_applicants(api_for, trainer, cohort_a, person_a):
    applicant = EnrollmentFactory(cohort=cohort_a, person=person_a, status=S.APPLIED)
    assert api_for(trainer).get(f"{ENROLLMENTS}{applicant.pk}/").status_code == 404


# Attendance


def test_a_trainer_records_attendance_and_reads_it(api_for, trainer, cohort_a, person_a):
    enrollment = EnrollmentFactory(cohort=cohort_a, person=person_a)
    session = SessionFactory(cohort=cohort_a, date=D(2024, 3, 4))
    client = api_for(trainer)

    response = client.post(
        ATTENDANCE, {"session": session.pk, "person": "A-1", "status": "absent"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "absent"
    assert Attendance.objects.get(enrollment=enrollment).status == "absent"
    rows = results(client.get(ATTENDANCE, {"cohort": "NIS-WELD-1"}))
    assert [(r["person"], r["date"]) for r in rows] == [("A-1", "2024-03-04")]
    assert AuditEntry.objects.get(action="training.attendance.listed").detail["refs"] == ["A-1"]


def test_attendance_is_404_or_403_outside_the_cohorts_one_runs(
    api_for, officer_a, officer_b, other_trainer, cohort_a, person_a
):
    enrollment = EnrollmentFactory(cohort=cohort_a, person=person_a)
    record = AttendanceFactory(session__cohort=cohort_a, enrollment=enrollment)
    assert api_for(officer_b).get(f"{ATTENDANCE}{record.pk}/").status_code == 404
    assert api_for(officer_a).get(f"{ATTENDANCE}{record.pk}/").status_code == 200
    payload = {"session": record.session_id, "person": "A-1", "status": "present"}
    assert api_for(officer_a).post(ATTENDANCE, payload, format="json").status_code == 403
    assert api_for(other_trainer).post(ATTENDANCE, payload, format="json").status_code == 400


def test_sessions_of_cohorts_out_of_scope_answer_404(api_for, officer_b, other_trainer, cohort_a):
    session = SessionFactory(cohort=cohort_a, date=D(2024, 3, 4))
    for user in (officer_b, other_trainer):
        assert api_for(user).get(f"{SESSIONS}{session.pk}/").status_code == 404
        path = f"{SESSIONS}{session.pk}/"
        assert api_for(user).patch(path, {"mode": "online"}, format="json").status_code == 404
