"""The rules of selection, attendance and completion, as the services apply them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.audit.models import AuditEntry
from resoc.people.models import Person
from resoc.people.services import custody_release, custody_transfer
from resoc.people.tests.factories import PersonFactory, StaffPositionFactory
from resoc.registry.tests.factories import CycleFactory, ExchangeRateFactory
from resoc.training import services
from resoc.training.models import Attendance, Course, Enrollment, Session
from resoc.training.selectors import attendance_rate, time_left, with_expected_release
from resoc.training.tests.conftest import in_custody
from resoc.training.tests.factories import (
    AttendanceFactory,
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    ModuleFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
S = Enrollment.Status
A = Attendance.Status
DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


@pytest.fixture
def upcoming(prison_a, welding, trainer):
    """A cohort of two places at prison A starting in a month."""
    start = today() + 30 * DAY
    return CohortFactory(
        code="NIS-NEXT",
        course=welding,
        institution=prison_a,
        start=start,
        end=start + 60 * DAY,
        capacity=2,
        trainers=[trainer],
    )


def applicant(cohort, ref, **kwargs):
    person = in_custody(cohort.institution, ref)
    kwargs.setdefault("status", S.APPLIED)
    return EnrollmentFactory(cohort=cohort, person=person, **kwargs)


def decide(enrollment, decision, reason="", actor=None):
    return services.enrollment_decide(
        actor=actor, enrollment=enrollment, decision=decision, reason=reason
    )


# Who may apply


def test_a_prisoner_in_custody_at_the_institution_applies(manager, upcoming, person_a):
    enrollment = services.enrollment_apply(
        actor=manager, enrollment=Enrollment(cohort=upcoming, person=person_a, motivation="Work")
    )

    assert (enrollment.status, enrollment.applied_on) == (S.APPLIED, today())
    entry = AuditEntry.objects.get(action="training.enrollment.created")
    assert entry.person_ref == "A-1"


def test_a_prisoner_of_another_institution_cannot_apply(manager, upcoming, person_b):
    with pytest.raises(ValidationError, match="not in custody at CI Niš during the cohort"):
        services.enrollment_apply(
            actor=manager, enrollment=Enrollment(cohort=upcoming, person=person_b)
        )


def test_a_prisoner_released_before_the_start_cannot_apply(manager, upcoming, prison_a):
    person = in_custody(prison_a, "A-9", released_on=today() - DAY)
    with pytest.raises(ValidationError, match="not in custody"):
        services.enrollment_apply(
            actor=manager, enrollment=Enrollment(cohort=upcoming, person=person)
        )


def test_applying_twice_or_to_an_ended_cohort_is_refused(manager, upcoming, cohort_a, person_a):
    services.enrollment_apply(
        actor=manager, enrollment=Enrollment(cohort=upcoming, person=person_a)
    )
    with pytest.raises(ValidationError, match="applied to this cohort already"):
        services.enrollment_apply(
            actor=manager, enrollment=Enrollment(cohort=upcoming, person=person_a)
        )
    with pytest.raises(ValidationError, match="has ended"):
        services.enrollment_apply(
            actor=manager, enrollment=Enrollment(cohort=cohort_a, person=person_a)
        )


def test_an_online_cohort_without_institution_takes_prisoners_of_any_institution(
    manager, welding, person_a, person_b
):
    online = CohortFactory(
        code="ONLINE-1", course=welding, institution=None, start=today() + DAY, end=None
    )
    for person in (person_a, person_b):
        services.enrollment_apply(
            actor=manager, enrollment=Enrollment(cohort=online, person=person)
        )
    assert online.enrollments.count() == 2
    released = PersonFactory(ref="FREE-1", kind=Person.Kind.FORMER_PRISONER)
    with pytest.raises(ValidationError, match="not in custody during the cohort"):
        services.enrollment_apply(
            actor=manager, enrollment=Enrollment(cohort=online, person=released)
        )


def test_a_staff_course_enrolls_staff_of_the_institution_only(
    manager, prison_a, prison_b, person_a
):
    course = CourseFactory(code="SUICIDE", category=Course.Category.STAFF)
    start = today() + 10 * DAY
    cohort = CohortFactory(course=course, institution=prison_a, start=start, end=start)
    guard = StaffPositionFactory(institution=prison_a, person__ref="ST-1").person
    elsewhere = StaffPositionFactory(institution=prison_b, person__ref="ST-2").person

    services.enrollment_apply(actor=manager, enrollment=Enrollment(cohort=cohort, person=guard))
    with pytest.raises(ValidationError, match="no staff position at CI Niš"):
        services.enrollment_apply(
            actor=manager, enrollment=Enrollment(cohort=cohort, person=elsewhere)
        )
    with pytest.raises(ValidationError, match="Only prison staff"):
        services.enrollment_apply(
            actor=manager, enrollment=Enrollment(cohort=cohort, person=person_a)
        )


def test_staff_cannot_take_a_prisoners_course_and_family_members_psychosocial_ones_only(
    manager, upcoming, prison_a
):
    guard = StaffPositionFactory(institution=prison_a, person__ref="ST-1").person
    with pytest.raises(ValidationError, match="Prison staff take staff courses"):
        services.enrollment_apply(
            actor=manager, enrollment=Enrollment(cohort=upcoming, person=guard)
        )
    relative = PersonFactory(ref="FAM-1", kind=Person.Kind.FAMILY_MEMBER)
    with pytest.raises(ValidationError, match="Family members can take psychosocial courses only"):
        services.enrollment_apply(
            actor=manager, enrollment=Enrollment(cohort=upcoming, person=relative)
        )
    workshop = CohortFactory(
        course=CourseFactory(code="FAMILY", category=Course.Category.PSYCHOSOCIAL),
        institution=prison_a,
        start=today() + DAY,
        end=today() + 2 * DAY,
    )
    services.enrollment_apply(
        actor=manager, enrollment=Enrollment(cohort=workshop, person=relative)
    )


# Decisions and capacity


def test_selection_respects_the_capacity(manager, upcoming):
    first, second, third = (applicant(upcoming, f"A-{n}") for n in (1, 2, 3))
    decide(first, S.SELECTED)
    decide(second, S.SELECTED)

    with pytest.raises(ValidationError, match="The cohort is full: 2 of 2 places"):
        decide(third, S.SELECTED)

    third.refresh_from_db()
    assert third.status == S.APPLIED


def test_completed_and_enrolled_people_hold_places_too(manager, upcoming):
    applicant(upcoming, "A-1", status=S.COMPLETED, completed_on=upcoming.end)
    applicant(upcoming, "A-2", status=S.ENROLLED)
    applicant(upcoming, "A-3", status=S.DROPPED_OUT)  # no longer holds one
    with pytest.raises(ValidationError, match="full"):
        decide(applicant(upcoming, "A-4"), S.SELECTED)


def test_rejecting_and_waitlisting_need_a_reason(manager, upcoming):
    enrollment = applicant(upcoming, "A-1")
    for decision in (S.REJECTED, S.WAITLISTED):
        with pytest.raises(ValidationError) as failed:
            decide(enrollment, decision, reason="  ")
        assert "decision_reason" in failed.value.message_dict
    decide(enrollment, S.REJECTED, reason="Too little time left to serve.")
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.decided_on) == (S.REJECTED, today())


def test_a_waitlisted_person_moves_up_first_by_position_when_a_place_frees(manager, upcoming):
    first, second = applicant(upcoming, "A-1"), applicant(upcoming, "A-2")
    decide(first, S.SELECTED)
    decide(second, S.SELECTED)
    later, earlier = applicant(upcoming, "A-3"), applicant(upcoming, "A-4")
    decide(earlier, S.WAITLISTED, reason="Full")
    decide(later, S.WAITLISTED, reason="Full")
    assert (earlier.waitlist_position, later.waitlist_position) == (1, 2)

    decide(first, S.REJECTED, reason="Moved to the open ward")

    earlier.refresh_from_db()
    later.refresh_from_db()
    assert (earlier.status, earlier.waitlist_position) == (S.SELECTED, None)
    assert "Moved up from the waitlist" in earlier.decision_reason
    assert later.status == S.WAITLISTED


def test_a_drop_out_frees_a_place_for_the_waitlist(manager, upcoming):
    enrolled = applicant(upcoming, "A-1", status=S.ENROLLED)
    applicant(upcoming, "A-2", status=S.SELECTED)
    waiting = applicant(upcoming, "A-3", status=S.WAITLISTED, waitlist_position=1)

    services.enrollment_end(actor=manager, enrollment=enrolled, status=S.DROPPED_OUT, on=today())

    enrolled.refresh_from_db()
    waiting.refresh_from_db()
    assert (enrolled.status, enrolled.ended_on) == (S.DROPPED_OUT, today())
    assert waiting.status == S.SELECTED


def test_a_place_freed_once_the_cohort_has_ended_moves_nobody(manager, cohort_a, prison_a):
    enrolled = applicant(cohort_a, "A-1", status=S.ENROLLED)
    waiting = applicant(cohort_a, "A-2", status=S.WAITLISTED, waitlist_position=1)

    services.enrollment_end(
        actor=manager, enrollment=enrolled, status=S.DROPPED_OUT, on=cohort_a.end
    )

    waiting.refresh_from_db()
    assert waiting.status == S.WAITLISTED


def test_the_waitlist_passes_over_someone_no_longer_in_custody_there(
    manager, upcoming, prison_a, prison_b
):
    selected = applicant(upcoming, "A-1", status=S.SELECTED)
    applicant(upcoming, "A-2", status=S.SELECTED)
    gone = applicant(upcoming, "A-3", status=S.WAITLISTED, waitlist_position=1)
    custody_transfer(actor=manager, person=gone.person, to_institution=prison_b, on=today())
    next_ = applicant(upcoming, "A-4", status=S.WAITLISTED, waitlist_position=2)

    decide(selected, S.REJECTED, reason="Changed their mind")

    gone.refresh_from_db()
    next_.refresh_from_db()
    assert (gone.status, next_.status) == (S.WAITLISTED, S.SELECTED)


def test_raising_the_capacity_moves_the_waitlist_up_and_lowering_it_below_the_places_fails(
    manager, upcoming
):
    applicant(upcoming, "A-1", status=S.SELECTED)
    applicant(upcoming, "A-2", status=S.SELECTED)
    waiting = applicant(upcoming, "A-3", status=S.WAITLISTED, waitlist_position=1)

    upcoming.capacity = 1
    with pytest.raises(ValidationError, match="2 people hold places"):
        services.cohort_save(actor=manager, cohort=upcoming)
    upcoming.capacity = 3
    services.cohort_save(actor=manager, cohort=upcoming)

    waiting.refresh_from_db()
    assert waiting.status == S.SELECTED


# Time left to serve


def test_time_left_to_serve_is_the_expected_release_minus_the_cohort_end(cohort_a, person_a):
    EnrollmentFactory(cohort=cohort_a, person=person_a, status=S.APPLIED)
    expected = with_expected_release(Enrollment.objects.all()).get().expected_release

    left = time_left(expected, cohort_a)

    assert expected == D(2027, 3, 1)
    assert left.days == (D(2027, 3, 1) - D(2024, 6, 30)).days
    assert time_left(D(2024, 6, 20), cohort_a).before_the_end
    assert time_left(None, cohort_a) is None


# Cohorts and sessions


def test_cohort_cost_is_converted_at_the_rate_of_its_start(manager, prison_a, welding):
    ExchangeRateFactory(currency="RSD", valid_from=D(2020, 1, 1), units_per_eur=Decimal("117"))
    ExchangeRateFactory(currency="RSD", valid_from=D(2024, 1, 1), units_per_eur=Decimal("117.2"))
    cohort = CohortFactory.build(
        code="C-RSD",
        course=welding,
        institution=prison_a,
        cycle=CycleFactory(),
        start=D(2024, 3, 1),
        end=None,
    )
    cohort.cost, cohort.currency = Decimal("117200"), "rsd"

    services.cohort_save(actor=manager, cohort=cohort)

    assert (cohort.currency, cohort.cost_eur) == ("RSD", Decimal("1000.00"))
    cohort.currency, cohort.start = "ALL", D(2024, 3, 2)
    with pytest.raises(ValidationError) as failed:
        services.cohort_save(actor=manager, cohort=cohort)
    assert "No exchange rate for ALL" in str(failed.value.message_dict["currency"])


def test_only_users_with_the_trainer_role_train_a_cohort(manager, cohort_a, officer_a, trainer):
    with pytest.raises(ValidationError, match="officer_a"):
        services.cohort_save(actor=manager, cohort=cohort_a, trainers=[officer_a])
    other = UserFactory(role=Role.TRAINER, username="t2")
    services.cohort_save(actor=manager, cohort=cohort_a, trainers=[trainer, other])
    assert set(cohort_a.trainers.values_list("username", flat=True)) == {"trainer", "t2"}
    assert AuditEntry.objects.filter(action="training.cohort.trainers_changed").exists()


def test_a_session_lies_within_the_cohort_and_takes_a_module_of_its_course(manager, cohort_a):
    with pytest.raises(ValidationError, match="within the cohort"):
        services.session_save(actor=manager, session=Session(cohort=cohort_a, date=D(2024, 7, 1)))
    alien = ModuleFactory(course=CourseFactory(code="OTHER"), number=1)
    with pytest.raises(ValidationError, match="another course"):
        services.session_save(
            actor=manager, session=Session(cohort=cohort_a, date=D(2024, 3, 5), module=alien)
        )
    own = ModuleFactory(course=cohort_a.course, number=1)
    session = services.session_save(
        actor=manager, session=Session(cohort=cohort_a, date=D(2024, 3, 5), module=own)
    )
    assert session.pk


# Attendance


def test_attendance_is_recorded_and_all_present_fills_the_unmarked(trainer, cohort_a, prison_a):
    session = SessionFactory(cohort=cohort_a, date=D(2024, 3, 4))
    absent = applicant(cohort_a, "A-1", status=S.ENROLLED)
    excused = applicant(cohort_a, "A-2", status=S.ENROLLED)
    selected = applicant(cohort_a, "A-3", status=S.SELECTED)
    applied = applicant(cohort_a, "A-4", status=S.APPLIED)

    changed = services.attendance_record(
        actor=trainer,
        session=session,
        marks={absent.pk: A.ABSENT, excused.pk: A.EXCUSED},
        all_present=True,
    )

    stored = dict(session.attendance.values_list("enrollment__person__ref", "status"))
    assert stored == {"A-1": A.ABSENT, "A-2": A.EXCUSED, "A-3": A.PRESENT}
    assert changed == 3
    selected.refresh_from_db()
    assert selected.status == S.ENROLLED  # attending starts the course
    assert session.attendance.get(enrollment=absent).recorded_by == trainer
    refs = set(
        AuditEntry.objects.filter(action="training.attendance.created").values_list(
            "person_ref", flat=True
        )
    )
    assert refs == {"A-1", "A-2", "A-3"}
    with pytest.raises(ValidationError, match="Not on this session's list"):
        services.attendance_record(actor=trainer, session=session, marks={applied.pk: A.PRESENT})

    services.attendance_record(actor=trainer, session=session, marks={}, all_present=True)
    assert session.attendance.get(enrollment=absent).status == A.ABSENT  # not overwritten


def test_attendance_of_a_session_to_come_is_refused(trainer, upcoming):
    session = SessionFactory(cohort=upcoming, date=upcoming.start)
    enrolled = applicant(upcoming, "A-1", status=S.SELECTED)
    with pytest.raises(ValidationError, match="recorded on the day or later"):
        services.attendance_record(actor=trainer, session=session, marks={enrolled.pk: A.PRESENT})


# Completion


def attend(enrollment, statuses):
    """One session a day from the cohort's start (shared with the other participants)."""
    for n, status in enumerate(statuses):
        session, _created = Session.objects.get_or_create(
            cohort=enrollment.cohort, date=enrollment.cohort.start + n * DAY
        )
        AttendanceFactory(session=session, enrollment=enrollment, status=status)


def test_attendance_rate_leaves_excused_sessions_out():
    assert attendance_rate(4, 1) == Decimal("80.0")
    assert attendance_rate(2, 1) == Decimal("66.7")
    assert attendance_rate(0, 0) is None


def test_the_completion_rule_completes_the_enrolled_with_80_percent_once_the_cohort_ended(
    trainer, cohort_a
):
    cohort_a.capacity = 5
    cohort_a.save()
    enough = applicant(cohort_a, "A-1", status=S.ENROLLED)
    attend(enough, [A.PRESENT] * 4 + [A.ABSENT] + [A.EXCUSED] * 3)  # 4 / 5 = 80%
    short = applicant(cohort_a, "A-2", status=S.ENROLLED)
    attend(short, [A.PRESENT] * 3 + [A.ABSENT])  # 75%

    done = services.enrollment_complete_due(actor=trainer, cohort=cohort_a)

    assert [e.person.ref for e in done] == ["A-1"]
    enough.refresh_from_db()
    short.refresh_from_db()
    assert (enough.status, enough.completed_on) == (S.COMPLETED, cohort_a.end)
    assert short.status == S.ENROLLED
    assert AuditEntry.objects.get(action="training.enrollment.updated").person_ref == "A-1"
    assert enough.attendance.count() == 8  # completing keeps the attendance


def test_the_completion_rule_asks_for_a_passed_assessment_where_the_course_has_one(
    trainer, cohort_a
):
    Course.objects.filter(pk=cohort_a.course_id).update(has_assessment=True)
    cohort_a.refresh_from_db()
    passed = applicant(cohort_a, "A-1", status=S.ENROLLED, assessment_passed=True)
    unknown = applicant(cohort_a, "A-2", status=S.ENROLLED)
    for enrollment in (passed, unknown):
        attend(enrollment, [A.PRESENT])

    done = services.enrollment_complete_due(actor=trainer, cohort=cohort_a)

    assert [e.person.ref for e in done] == ["A-1"]


def test_the_minimum_attendance_is_a_setting(settings, trainer, cohort_a):
    settings.RESOC_COMPLETION_MIN_ATTENDANCE = 60
    enrollment = applicant(cohort_a, "A-1", status=S.ENROLLED)
    attend(enrollment, [A.PRESENT, A.PRESENT, A.ABSENT])  # 66.7%

    assert len(services.enrollment_complete_due(actor=trainer, cohort=cohort_a)) == 1


def test_the_completion_rule_waits_for_the_cohort_to_end(trainer, upcoming):
    with pytest.raises(ValidationError, match="once the cohort has ended"):
        services.enrollment_complete_due(actor=trainer, cohort=upcoming)


def test_a_trainer_records_a_completion_but_not_with_a_failed_assessment(trainer, cohort_a):
    enrollment = applicant(cohort_a, "A-1", status=S.ENROLLED)
    services.enrollment_complete(actor=trainer, enrollment=enrollment, on=cohort_a.end)
    assert enrollment.status == S.COMPLETED

    Course.objects.filter(pk=cohort_a.course_id).update(has_assessment=True)
    other = applicant(cohort_a, "A-2", status=S.ENROLLED)
    other.cohort.refresh_from_db()
    with pytest.raises(ValidationError, match="must have been passed"):
        services.enrollment_complete(actor=trainer, enrollment=other, on=cohort_a.end, passed=False)
    with pytest.raises(ValidationError, match="cannot precede the cohort's start"):
        services.enrollment_complete(actor=trainer, enrollment=other, on=D(2020, 1, 1), passed=True)


# Custody: transfer and release during a course


def running_cohort(institution, course, code, **kwargs):
    return CohortFactory(
        code=code,
        course=course,
        institution=institution,
        start=today() - 10 * DAY,
        end=today() + 20 * DAY,
        capacity=kwargs.pop("capacity", 10),
        **kwargs,
    )


def test_a_transfer_ends_the_places_at_the_institution_left_keeping_the_attendance(
    manager, prison_a, prison_b, welding, person_a
):
    here = running_cohort(prison_a, welding, "HERE")
    online = running_cohort(None, welding, "ONLINE")
    ended = CohortFactory(code="OLD", course=welding, institution=prison_a, end=today() - 30 * DAY)
    place = EnrollmentFactory(cohort=here, person=person_a, status=S.ENROLLED)
    AttendanceFactory(session__cohort=here, session__date=here.start, enrollment=place)
    remote = EnrollmentFactory(cohort=online, person=person_a, status=S.ENROLLED)
    pending = EnrollmentFactory(cohort=ended, person=person_a, status=S.ENROLLED)

    custody_transfer(actor=manager, person=person_a, to_institution=prison_b, on=today())

    for e in (place, remote, pending):
        e.refresh_from_db()
    assert (place.status, place.ended_on) == (S.TRANSFERRED, today())
    assert place.attendance.count() == 1
    assert remote.status == S.ENROLLED  # an online course goes on from the next institution
    assert pending.status == S.ENROLLED  # ended before: its completion is still to be recorded
    entry = AuditEntry.objects.get(action="training.enrollment.updated")
    assert entry.person_ref == "A-1"
    assert entry.detail["changes"]["status"] == ["enrolled", "transferred"]


def test_a_release_ends_every_running_place_as_released_and_moves_the_waitlist(
    manager, prison_a, welding, person_a
):
    here = running_cohort(prison_a, welding, "HERE", capacity=1)
    online = running_cohort(None, welding, "ONLINE")
    done = CohortFactory(code="DONE", course=welding, institution=prison_a)
    place = EnrollmentFactory(cohort=here, person=person_a, status=S.SELECTED)
    remote = EnrollmentFactory(cohort=online, person=person_a, status=S.ENROLLED)
    completed = EnrollmentFactory(
        cohort=done, person=person_a, status=S.COMPLETED, completed_on=done.end
    )
    waiting = EnrollmentFactory(
        cohort=here,
        person=in_custody(prison_a, "A-2"),
        status=S.WAITLISTED,
        waitlist_position=1,
    )

    custody_release(actor=manager, person=person_a, on=today())

    for e in (place, remote, completed, waiting):
        e.refresh_from_db()
    assert (place.status, remote.status, completed.status) == (S.RELEASED, S.RELEASED, S.COMPLETED)
    assert place.ended_on == today()
    assert waiting.status == S.SELECTED
