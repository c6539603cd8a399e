"""Reading training records through the user's scope. An object outside it is a 404.

Cohorts: global readers see all; coordinators and grants officers those of their countries,
officers those of their institutions (both also the online cohorts without an institution,
which take people from anywhere); trainers only the cohorts they teach. Enrollments and
attendance are personal data: a cohort in scope and a person in scope, and for trainers only
the participants (not the applicants).
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from resoc.accounts import roles
from resoc.accounts.models import Role
from resoc.people.models import CustodyEpisode
from resoc.people.selectors import OPEN_CUSTODY, person_list_for_user
from resoc.training.models import (
    ENDINGS,
    PARTICIPANTS,
    TAKING_A_PLACE,
    Attendance,
    Cohort,
    Course,
    Enrollment,
    Session,
)
from resoc.training.rules import TRAINING_READERS

PRESENT = Attendance.Status.PRESENT
ABSENT = Attendance.Status.ABSENT
EXCUSED = Attendance.Status.EXCUSED


def _reads(user) -> bool:
    return roles.has_role(user, TRAINING_READERS)


def course_list_for_user(*, user) -> QuerySet[Course]:
    """The catalogue holds no personal data: every training reader sees all of it."""
    qs = Course.objects.select_related("certifying_organisation")
    return qs if _reads(user) else qs.none()


def course_get_for_user(*, user, code: str) -> Course:
    obj = course_list_for_user(user=user).filter(code=code).first()
    if obj is None:
        raise Http404
    return obj


def trainer_cohort_ids(user) -> QuerySet:
    return Cohort.trainers.through.objects.filter(user_id=user.pk).values("cohort_id")


def cohort_list_for_user(*, user) -> QuerySet[Cohort]:
    qs = Cohort.objects.select_related("course", "institution", "cycle", "provider")
    if not _reads(user):
        return qs.none()
    if user.role in roles.GLOBAL_READERS:
        return qs
    if user.role == Role.TRAINER:
        return qs.filter(pk__in=trainer_cohort_ids(user))
    online = Q(institution__isnull=True)
    if user.role in (Role.COORDINATOR, Role.GRANTS):
        return qs.filter(online | Q(institution__country__in=user.countries.values("pk")))
    if user.role == Role.OFFICER:
        return qs.filter(online | Q(institution__in=user.institutions.values("pk")))
    return qs.none()


def cohort_get_for_user(*, user, code: str) -> Cohort:
    obj = cohort_list_for_user(user=user).filter(code=code).first()
    if obj is None:
        raise Http404
    return obj


def enrollment_list_for_user(*, user) -> QuerySet[Enrollment]:
    qs = Enrollment.objects.select_related("person", "cohort", "cohort__course")
    if not _reads(user):
        return qs.none()
    if user.role in roles.GLOBAL_READERS:
        return qs
    qs = qs.filter(
        cohort__in=cohort_list_for_user(user=user).values("pk"),
        person__in=person_list_for_user(user=user).values("pk"),
    )
    if user.role == Role.TRAINER:
        qs = qs.filter(status__in=PARTICIPANTS)
    return qs


def enrollment_get_for_user(*, user, pk: int) -> Enrollment:
    obj = enrollment_list_for_user(user=user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def session_list_for_user(*, user) -> QuerySet[Session]:
    qs = Session.objects.select_related("cohort", "cohort__course", "module")
    if not _reads(user):
        return qs.none()
    if user.role in roles.GLOBAL_READERS:
        return qs
    return qs.filter(cohort__in=cohort_list_for_user(user=user).values("pk"))


def session_get_for_user(*, user, pk: int) -> Session:
    obj = session_list_for_user(user=user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def attendance_list_for_user(*, user) -> QuerySet[Attendance]:
    qs = Attendance.objects.select_related(
        "session", "enrollment", "enrollment__person", "enrollment__cohort"
    )
    if not _reads(user):
        return qs.none()
    if user.role in roles.GLOBAL_READERS:
        return qs
    return qs.filter(enrollment__in=enrollment_list_for_user(user=user).values("pk"))


# Counts and rates


def taken_places(cohort: Cohort) -> int:
    return Enrollment.objects.filter(cohort=cohort, status__in=TAKING_A_PLACE).count()


def with_attendance(qs: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Each enrollment with n_present, n_absent and n_excused, counted in the same query."""
    return qs.annotate(
        n_present=Count("attendance", filter=Q(attendance__status=PRESENT)),
        n_absent=Count("attendance", filter=Q(attendance__status=ABSENT)),
        n_excused=Count("attendance", filter=Q(attendance__status=EXCUSED)),
    )


def attendance_rate(present: int, absent: int) -> Decimal | None:
    """Present sessions in % of the recorded ones, excused sessions left out; None if none.

    A session without a record for the person does not count: they were not on its list yet
    (moved up from the waitlist later) or the trainer has not recorded it.
    """
    held = present + absent
    if not held:
        return None
    return (Decimal(present) * 100 / held).quantize(Decimal("0.1"), ROUND_HALF_UP)


def with_expected_release(qs: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Each enrollment with the expected release of the person's current custody."""
    current = CustodyEpisode.objects.filter(OPEN_CUSTODY, person=OuterRef("person_id")).order_by(
        "-admitted_on"
    )
    return qs.annotate(expected_release=Subquery(current.values("expected_release_on")[:1]))


@dataclass(frozen=True)
class TimeLeft:
    """Time left to serve after the cohort's end: expected release minus the cohort's end."""

    days: int

    @property
    def months(self) -> int:
        return int(self.days / 30.44)

    @property
    def before_the_end(self) -> bool:
        return self.days < 0

    @property
    def days_short(self) -> int:
        """How many days before the cohort's end the person is due to be released."""
        return -self.days


def time_left(expected_release: datetime.date | None, cohort: Cohort) -> TimeLeft | None:
    if expected_release is None:
        return None
    return TimeLeft((expected_release - (cohort.end or cohort.start)).days)


def roster_q(session: Session) -> Q:
    """Who is on a session's list: the people holding a place, and those whose enrollment
    ended after the session's day; anyone with a record for the session stays listed."""
    recorded = Attendance.objects.filter(session=session, enrollment=OuterRef("pk"))
    return (
        Q(status__in=TAKING_A_PLACE)
        | Q(status__in=ENDINGS, ended_on__isnull=True)
        | Q(status__in=ENDINGS, ended_on__gt=session.date)
        | Q(Exists(recorded))
    )


def session_roster(*, session: Session, user=None) -> QuerySet[Enrollment]:
    """The enrollments on the session's list, in name order; within the user's scope if given."""
    qs = (
        Enrollment.objects.select_related("person")
        if user is None
        else enrollment_list_for_user(user=user)
    )
    return (
        qs.filter(roster_q(session), cohort_id=session.cohort_id, status__in=PARTICIPANTS)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "person__ref")
    )
