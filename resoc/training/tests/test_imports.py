import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from resoc.audit.models import AuditEntry
from resoc.core.testing import queries_of
from resoc.imports.tests.helpers import errors_of, has_error, run
from resoc.imports.tests.test_persons import HEADER, person
from resoc.registry.tests.factories import CycleFactory, ExchangeRateFactory, OrganisationFactory
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
COURSES = ["code", "title", "category", "hours", "certified"]
COHORTS = [
    "code",
    "course",
    "institution",
    "cycle",
    "start",
    "end",
    "mode",
    "provider",
    "cost",
    "currency",
]
ENROLLMENTS = ["cohort", "person", "status", "completed_on"]
ATTENDANCE = ["cohort", "person", "date", "status"]


# courses


def test_courses_are_created_then_updated_by_code(make_csv):
    path = make_csv(
        [
            COURSES,
            ["WELD", "Welding", "vocational", "240", "yes"],
            ["ANGER", "Anger management", "psychosocial", "", ""],
        ]
    )
    assert run("courses", path).counts["created"] == 2
    weld = Course.objects.get(code="WELD")
    assert (weld.hours, weld.certified) == (240, True)
    assert not Course.objects.get(code="ANGER").certified

    again = make_csv([COURSES, ["WELD", "Welding", "vocational", "200", "no"]], name="b.csv")
    assert run("courses", again).counts["updated"] == 1
    weld.refresh_from_db()
    assert (weld.hours, weld.certified) == (200, False)


def test_course_cells_are_checked(make_csv):
    path = make_csv(
        [COURSES, ["WELD", "Welding", "cooking", "-3", "maybe"], ["", "No code", "staff", "", ""]]
    )
    errors = errors_of("courses", path)
    assert has_error(errors, 2, "category", "vocational")
    assert has_error(errors, 2, "hours", "")
    assert has_error(errors, 2, "certified", "not yes or no")
    assert has_error(errors, 3, "code", "required")


# cohorts


@pytest.fixture
def cycle(db):
    return CycleFactory(code="RESOC-7")


def test_cohorts_are_imported_with_the_cost_in_eur_at_the_start(make_csv, prison_a, welding, cycle):
    ExchangeRateFactory(currency="RSD", valid_from=D(2024, 1, 1), units_per_eur=Decimal("117.2"))
    OrganisationFactory(code="TP-1", kind="training_provider")
    path = make_csv(
        [
            COHORTS,
            ["NIS-1", "WELD", "RS-NIS", "RESOC-7", "2024-03-01", "2024-06-30", "", "TP-1",
             "117200", "rsd"],
            ["ONLINE-1", "WELD", "", "RESOC-7", "01.09.2024", "", "online", "", "", ""],
        ]
    )  # fmt: skip

    assert run("cohorts", path).counts["created"] == 2

    nis = Cohort.objects.get(code="NIS-1")
    assert (nis.institution, nis.currency, nis.cost_eur) == (prison_a, "RSD", Decimal("1000.00"))
    assert nis.mode == "in_person" and nis.provider.code == "TP-1"
    online = Cohort.objects.get(code="ONLINE-1")
    assert (online.institution, online.mode, online.currency) == (None, "online", "EUR")


def test_cohort_rules_are_row_errors(make_csv, prison_a, welding, cycle):
    cohort = CohortFactory(code="NIS-1", course=welding, institution=prison_a, cycle=cycle)
    SessionFactory(cohort=cohort, date=D(2024, 3, 4))
    path = make_csv(
        [
            COHORTS,
            ["NIS-1", "WELD", "RS-NIS", "RESOC-7", "2024-03-10", "", "", "", "", ""],
            ["NIS-3", "WELD", "RS-NIS", "RESOC-7", "2024-03-10", "", "", "", "100", "ALL"],
        ]
    )

    errors = errors_of("cohorts", path)

    assert has_error(errors, 2, "start", "sessions from 2024-03-04")
    assert has_error(errors, 3, "currency", "No exchange rate for ALL")


def test_cohort_cells_are_checked_first(make_csv, welding, cycle):
    path = make_csv(
        [
            COHORTS,
            ["NIS-2", "WELD", "", "RESOC-7", "2024-03-10", "2024-03-01", "", "", "", ""],
            ["NIS-4", "NOPE", "RS-XX", "RESOC-7", "2024-03-10", "", "boat", "", "", ""],
        ]
    )

    errors = errors_of("cohorts", path)

    assert has_error(errors, 2, "end", "cannot precede the start")
    assert has_error(errors, 3, "course", "NOPE")
    assert has_error(errors, 3, "institution", "RS-XX")
    assert has_error(errors, 3, "mode", "boat")


# enrollments


def test_enrollments_are_imported_with_their_statuses(make_csv, cohort_a, prison_a):
    in_custody(prison_a, "A-1")
    in_custody(prison_a, "A-2")
    in_custody(prison_a, "A-3")
    in_custody(prison_a, "A-4")
    path = make_csv(
        [
            ENROLLMENTS,
            ["NIS-WELD-1", "a-1", "completed", "2024-06-30"],
            ["NIS-WELD-1", "A-2", "dropped_out", ""],
            ["NIS-WELD-1", "A-3", "waitlisted", ""],
            ["NIS-WELD-1", "A-4", "rejected", ""],
        ]
    )

    assert run("enrollments", path).counts["created"] == 4

    stored = {e.person.ref: e for e in Enrollment.objects.select_related("person")}
    assert (stored["A-1"].status, stored["A-1"].completed_on) == (S.COMPLETED, D(2024, 6, 30))
    assert stored["A-3"].waitlist_position == 1
    assert stored["A-4"].decision_reason
    entry = AuditEntry.objects.filter(action="training.enrollment.created").first()
    assert entry.person_ref and entry.detail["import"] == "enrollments"


def test_enrollment_rules_are_row_errors(make_csv, cohort_a, prison_a, prison_b):
    for ref in ("A-1", "A-2", "A-3"):
        in_custody(prison_a, ref)
    in_custody(prison_b, "B-1")
    in_custody(prison_a, "A-LATE", admitted_on=D(2024, 7, 1))
    path = make_csv(
        [
            ENROLLMENTS,
            ["NIS-WELD-1", "B-1", "enrolled", ""],  # custody elsewhere
            ["NIS-WELD-1", "A-LATE", "applied", ""],  # admitted after the cohort
            ["NIS-WELD-1", "A-1", "completed", "2020-01-01"],  # before the start
            ["NIS-WELD-1", "A-3", "selected", ""],
        ]
    )

    errors = errors_of("enrollments", path)

    assert has_error(errors, 2, "person", "not in custody at CI Niš during the cohort")
    assert has_error(errors, 3, "person", "not in custody")
    assert has_error(errors, 4, "completed_on", "cannot precede the cohort's start")
    assert not has_error(errors, 5, "", "")


def test_enrollment_cells_are_checked_first(make_csv, cohort_a, prison_a):
    for ref in ("A-1", "A-2"):
        in_custody(prison_a, ref)
    path = make_csv(
        [
            ENROLLMENTS,
            ["NIS-WELD-1", "A-1", "completed", ""],  # no day of completion
            ["NIS-WELD-1", "A-2", "enrolled", "2024-06-30"],  # a day for a non-completion
            ["NIS-WELD-1", "A-9", "graduated", ""],
            ["NIS-WELD-1", "A-2", "enrolled", ""],  # the same key twice
        ]
    )

    errors = errors_of("enrollments", path)

    assert has_error(errors, 2, "completed_on", "needs the day of completion")
    assert has_error(errors, 3, "completed_on", "Only a completed enrollment")
    assert has_error(errors, 4, "person", "A-9")
    assert has_error(errors, 4, "status", "graduated")


def test_enrollments_stay_within_the_capacity(make_csv, cohort_a, prison_a):
    EnrollmentFactory(cohort=cohort_a, person=in_custody(prison_a, "A-0"), status=S.ENROLLED)
    for ref in ("A-1", "A-2"):
        in_custody(prison_a, ref)
    path = make_csv(
        [ENROLLMENTS, ["NIS-WELD-1", "A-1", "selected", ""], ["NIS-WELD-1", "A-2", "enrolled", ""]]
    )

    errors = errors_of("enrollments", path)

    assert has_error(errors, 3, "status", "has 2 places; with this row 3 people")
    assert not has_error(errors, 2, "status", "")


# attendance


@pytest.fixture
def participants(cohort_a, prison_a):
    Cohort.objects.filter(pk=cohort_a.pk).update(capacity=10)
    return [
        EnrollmentFactory(cohort=cohort_a, person=in_custody(prison_a, f"A-{n}"), status=status)
        for n, status in ((1, S.ENROLLED), (2, S.SELECTED), (3, S.APPLIED))
    ]


def test_attendance_is_imported_and_days_without_a_session_get_one(
    make_csv, cohort_a, participants
):
    SessionFactory(cohort=cohort_a, date=D(2024, 3, 4))
    path = make_csv(
        [
            ATTENDANCE,
            ["NIS-WELD-1", "A-1", "2024-03-04", "present"],
            ["NIS-WELD-1", "A-2", "2024-03-04", "E"],
            ["NIS-WELD-1", "A-1", "06.03.2024", "absent"],
        ]
    )

    result = run("attendance", path)

    assert result.counts["created"] == 3
    assert sorted(Session.objects.values_list("date", flat=True)) == [D(2024, 3, 4), D(2024, 3, 6)]
    stored = set(
        Attendance.objects.values_list("enrollment__person__ref", "session__date", "status")
    )
    assert stored == {
        ("A-1", D(2024, 3, 4), A.PRESENT),
        ("A-2", D(2024, 3, 4), A.EXCUSED),
        ("A-1", D(2024, 3, 6), A.ABSENT),
    }
    participants[1].refresh_from_db()
    assert participants[1].status == S.ENROLLED  # a selected person who attends is enrolled


def test_attendance_rules_are_row_errors(make_csv, cohort_a, participants, prison_a):
    Session.objects.bulk_create(
        [
            Session(cohort=cohort_a, date=D(2024, 3, 5), starts_at=datetime.time(9)),
            Session(cohort=cohort_a, date=D(2024, 3, 5), starts_at=datetime.time(14)),
        ]
    )
    in_custody(prison_a, "A-9")
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    path = make_csv(
        [
            ATTENDANCE,
            ["NIS-WELD-1", "A-3", "2024-03-04", "P"],  # an applicant
            ["NIS-WELD-1", "A-9", "2024-03-04", "P"],  # not in the cohort
            ["NIS-WELD-1", "A-1", "2024-03-05", "P"],  # two sessions that day
            ["NIS-WELD-1", "A-1", "2024-08-01", "P"],  # outside the cohort
            ["NIS-WELD-1", "A-1", future, "P"],
        ]
    )

    errors = errors_of("attendance", path)

    assert has_error(errors, 2, "person", "A-3 does not take part in NIS-WELD-1")
    assert has_error(errors, 3, "person", "A-9 does not take part")
    assert has_error(errors, 4, "date", "2 sessions on this day")
    assert has_error(errors, 5, "date", "outside the cohort")
    assert has_error(errors, 6, "date", "a day to come")


def test_the_trainers_sheet_with_one_column_per_date_is_imported(make_xlsx, cohort_a, participants):
    SessionFactory(cohort=cohort_a, date=D(2024, 3, 4))
    path = make_xlsx(
        [
            ["cohort", "person", "name", "2024-03-04", "06.03.2024", datetime.datetime(2024, 3, 8)],
            ["NIS-WELD-1", "A-1", "Marko", "P", "A", "E"],
            ["NIS-WELD-1", "A-2", "Jelena", "p", "", None],
        ]
    )

    result = run("attendance", path)

    assert result.counts["created"] == 4
    assert [r.number for r in result.rows] == [2, 2, 2, 3]  # the sheet's rows
    stored = set(
        Attendance.objects.values_list("enrollment__person__ref", "session__date", "status")
    )
    assert stored == {
        ("A-1", D(2024, 3, 4), A.PRESENT),
        ("A-1", D(2024, 3, 6), A.ABSENT),
        ("A-1", D(2024, 3, 8), A.EXCUSED),
        ("A-2", D(2024, 3, 4), A.PRESENT),
    }


def test_errors_of_the_trainers_sheet_name_its_row_and_date_column(
    make_csv, cohort_a, participants
):
    path = make_csv(
        [
            ["cohort", "person", "2024-03-04", "2024-03-06"],
            ["NIS-WELD-1", "A-1", "P", "Y"],
            ["NIS-WELD-1", "A-9", "P", ""],
        ]
    )
    assert has_error(errors_of("attendance", path), 2, "2024-03-06", "P (present)")
    assert has_error(errors_of("attendance", path), 3, "person", "A-9")

    path = make_csv(
        [
            ["cohort", "person", "2024-03-04", "2024-03-06"],
            ["NIS-WELD-1", "A-1", "P", "P"],
            ["NIS-WELD-1", "A-3", "", "A"],
        ],
        name="rules.csv",
    )
    assert has_error(errors_of("attendance", path), 3, "person", "A-3 does not take part")


def test_the_trainers_sheet_header_is_checked(make_csv, cohort_a):
    path = make_csv([["person", "2024-03-04", "2024-03-04", "remarks"], ["A-1", "P", "P", ""]])

    errors = errors_of("attendance", path)

    assert has_error(errors, 1, "2024-03-04", "appears twice")
    assert has_error(errors, 1, "remarks", "Unknown column")
    assert has_error(errors, 1, "cohort", "required column is missing")


def test_an_attendance_import_runs_a_constant_number_of_queries(make_csv, cohort_a, prison_a):
    Cohort.objects.filter(pk=cohort_a.pk).update(capacity=100)

    def sheet(count, name):
        rows = [["cohort", "person", "2024-03-04", "2024-03-05"]]
        for n in range(count):
            ref = f"{name}-{n}"
            EnrollmentFactory(cohort=cohort_a, person=in_custody(prison_a, ref))
            rows.append(["NIS-WELD-1", ref, "P", "A"])
        return make_csv(rows, name=f"{name}.csv")

    few, many = sheet(2, "F"), sheet(30, "M")
    assert queries_of(lambda: run("attendance", few, dry_run=True)) == queries_of(
        lambda: run("attendance", many, dry_run=True)
    )


# The persons import releases people: their running places end.


def test_a_release_by_the_persons_import_ends_running_places(make_csv, welding, prison_a):
    today = timezone.localdate()
    person_ = in_custody(prison_a, "A-1", admitted_on=D(2022, 3, 1))
    running = CohortFactory(
        code="RUN",
        course=welding,
        institution=prison_a,
        start=today - datetime.timedelta(days=20),
        end=today + datetime.timedelta(days=20),
    )
    later = CohortFactory(
        code="LATER",
        course=welding,
        institution=prison_a,
        start=today + datetime.timedelta(days=40),
        end=today + datetime.timedelta(days=60),
    )
    place = EnrollmentFactory(cohort=running, person=person_, status=S.ENROLLED)
    AttendanceFactory(session__cohort=running, session__date=running.start, enrollment=place)
    selection = EnrollmentFactory(cohort=later, person=person_, status=S.SELECTED)
    released = today.isoformat()
    path = make_csv(
        [
            HEADER,
            person("A-1", kind="former_prisoner", institution="RS-NIS", admitted="2022-03-01",
                   released_on=released),
        ]
    )  # fmt: skip

    run("persons", path)

    place.refresh_from_db()
    selection.refresh_from_db()
    assert (place.status, place.ended_on) == (S.RELEASED, today)
    assert place.attendance.count() == 1
    assert selection.status == S.SELECTED  # a later cohort is left alone
