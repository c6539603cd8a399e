from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.core.seeding import seed_run
from resoc.core.seeding.training import COURSES, seed_trainers
from resoc.people.models import CustodyEpisode, Person, StaffPosition
from resoc.people.selectors import person_list_for_user
from resoc.registry.models import Institution
from resoc.training.models import TAKING_A_PLACE, Attendance, Cohort, Course, Enrollment
from resoc.training.selectors import attendance_rate, session_roster, with_attendance
from resoc.training.services import check_eligibility, meets_completion_rule

pytestmark = pytest.mark.django_db

S = Enrollment.Status


def test_seed_builds_training_that_keeps_the_rules():
    counts = seed_run(persons=400, seed=5)

    assert Course.objects.count() == len(COURSES) == 13
    assert Cohort.objects.count() == counts["cohort"] > 40
    assert Cohort.objects.filter(institution__isnull=True, mode="online").exists()
    assert Enrollment.objects.count() == counts["enrollment"] > 200
    assert Attendance.objects.count() == counts["attendance"] > 1000
    statuses = Counter(Enrollment.objects.values_list("status", flat=True))
    assert {S.COMPLETED, S.DROPPED_OUT, S.REJECTED, S.RELEASED} <= set(statuses)
    episodes, positions = defaultdict(list), defaultdict(list)
    for e in CustodyEpisode.objects.all():
        episodes[e.person_id].append(e)
    for p in StaffPosition.objects.all():
        positions[p.person_id].append(p)
    places = Counter()
    for e in Enrollment.objects.select_related("person", "cohort__course", "cohort__institution"):
        if e.status != S.REJECTED:
            message = check_eligibility(
                cohort=e.cohort,
                person=e.person,
                episodes=episodes[e.person_id],
                positions=positions[e.person_id],
            )
            assert message is None, (e.cohort.code, e.person.ref, message)
        if e.status in TAKING_A_PLACE:
            places[e.cohort_id] += 1
    capacities = dict(Cohort.objects.values_list("pk", "capacity"))
    assert all(n <= capacities[pk] for pk, n in places.items())
    completed = with_attendance(
        Enrollment.objects.filter(status=S.COMPLETED).select_related("cohort__course")
    )
    for e in completed:
        rate = attendance_rate(e.n_present, e.n_absent)
        course = e.cohort.course
        assert meets_completion_rule(course=course, rate=rate, passed=e.assessment_passed)
    assert not Cohort.objects.filter(cost__isnull=False, cost_eur__isnull=True).exists()


def test_seeding_training_is_deterministic():
    def snapshot():
        return list(
            Enrollment.objects.order_by("cohort__code", "person__ref").values_list(
                "cohort__code", "person__ref", "status", "ended_on"
            )
        )

    seed_run(persons=150, seed=7)
    first = snapshot()
    Person.objects.all().delete()
    Cohort.objects.all().delete()
    seed_run(persons=150, seed=7)
    assert snapshot() == first


def test_the_demo_trainer_gets_a_cohort_running_today_with_people_to_mark():
    seed_run(persons=300, seed=3)
    nis = Institution.objects.get(code="RS-NIS")
    trainer = UserFactory(username="trainer.nis", role=Role.TRAINER, institutions=[nis])

    assert seed_trainers(seed=3) > 1

    today = timezone.localdate()
    current = Cohort.objects.get(trainers=trainer, start__lte=today, end__gte=today)
    session = current.sessions.get(date=today)
    roster = list(session_roster(session=session, user=trainer))
    assert len(roster) >= 5
    assert person_list_for_user(user=trainer).filter(pk=roster[0].person_id).exists()
    assert seed_trainers(seed=3) == 0  # once
