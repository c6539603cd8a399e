"""Synthetic training: the programme's course catalogue, cohorts per institution and cycle
(and online ones since 2020), their sessions, applications, participants and attendance.

Statuses follow the rules: participants were in custody at the cohort's institution (staff held a
position there), places stay within capacity, a transfer or release during a course ends the
place with that status, and whoever completed attended at least 80% (and passed the assessment
where the course has one). The demo's trainers get their cohorts with `seed_trainers`.
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from resoc.accounts.models import Role, User
from resoc.core.money import MissingExchangeRate, Rates
from resoc.people.models import CustodyEpisode, StaffPosition
from resoc.registry.models import Institution, ProjectCycle
from resoc.training.models import Attendance, Cohort, Course, Enrollment, Module, Session

BATCH = 1000
DAY = datetime.timedelta(days=1)
S = Enrollment.Status
A = Attendance.Status
C = Course.Category
MAX_SESSIONS = 16
PEOPLE_PER_COHORT = 30  # candidates in custody per extra cohort of an institution and cycle
MAX_COHORTS = 5  # per institution and cycle
CURRENCY = {"RS": "RSD", "BA": "BAM", "AL": "ALL", "XK": "EUR", "ME": "EUR"}
ONLINE_FROM = datetime.date(2020, 7, 1)  # online sessions with remote trainers since 2020

# (code, title, category, hours, certified, assessment, target group, certifier, trade, modules)
COURSES = [
    ("WELD", "Welding (MAG and TIG)", C.VOCATIONAL, 240, True, True, "prisoners",
     "TP-RPK-NIS", "welding", ["Safety at work", "MAG welding", "TIG welding", "Final exam"]),
    ("TAIL", "Tailoring", C.VOCATIONAL, 200, True, True, "prisoners", "TP-RPK-NIS",
     "tailoring", ["Materials and tools", "Cutting", "Sewing machines", "Finishing"]),
    ("CNC", "CNC plasma cutting operator", C.VOCATIONAL, 160, True, True, "prisoners",
     "TP-RPK-NIS", "metalwork (CNC plasma cutting)",
     ["Technical drawing", "Machine operation", "Programming", "Quality control"]),
    ("BAKE", "Bakery", C.VOCATIONAL, 180, True, True, "prisoners", "TP-RPK-NIS", "bakery",
     ["Hygiene (HACCP)", "Bread", "Pastry", "Final exam"]),
    ("ACAD", "AutoCAD for technical drawing", C.VOCATIONAL, 80, True, True, "prisoners",
     "TP-RPK-NIS", "", ["2D drawing", "Dimensions and layers", "Printing plans"]),
    ("HAIR", "Hairdressing", C.VOCATIONAL, 240, True, True, "prisoners", "TP-RPK-NIS",
     "hairdressing", ["Hygiene", "Cutting", "Colouring", "Final exam"]),
    ("HORSE", "Horsemanship", C.SPECIALISED, 60, False, False, "prisoners", "", "",
     ["Care of horses", "Riding"]),
    ("DOG", "Dog training", C.SPECIALISED, 80, True, False, "prisoners", "CRI", "",
     ["Dog behaviour", "Obedience training"]),
    ("BIBLIO", "Bibliotherapy", C.SPECIALISED, 30, False, False, "prisoners", "", "",
     ["Reading together", "Writing"]),
    ("ANGER", "Anger management", C.PSYCHOSOCIAL, 24, False, False, "prisoners", "", "",
     ["Recognising anger", "Coping"]),
    ("SUICIDE", "Suicide prevention for prison staff", C.STAFF, 16, True, False,
     "prison staff", "CHR-NIS", "", ["Risk factors", "Intervention"]),
    ("FAMILY", "Motivational workshops with families", C.PSYCHOSOCIAL, 12, False, False,
     "prisoners and their families", "", "", ["Family ties", "Plans after release"]),
    ("PEER", "Training of peer educators", C.TRAINING_OF_TRAINERS, 40, True, True,
     "prisoners", "CHR-NIS", "", ["Health education", "Teaching peers"]),
]  # fmt: skip
GENERAL = ("ACAD", "HORSE", "DOG", "BIBLIO", "ANGER", "FAMILY", "PEER")
ONLINE = ("ANGER", "PEER", "ACAD")
REJECTIONS = (
    "Not enough time left to serve to finish the course.",
    "A higher security assessment than the course allows.",
    "Enrolled in another course at the same time.",
)


def seed_courses(ctx) -> dict[str, Course]:
    stored = {c.code: c for c in Course.objects.filter(code__in=[c[0] for c in COURSES])}
    new, modules = [], []
    for code, title, category, hours, certified, assessed, group, certifier, _t, parts in COURSES:
        if code in stored:
            continue
        course = Course(
            code=code,
            title=title,
            category=category,
            hours=hours,
            certified=certified,
            has_assessment=assessed,
            target_group=group,
            certifying_organisation=ctx.organisations.get(certifier),
            description=f"{title}: {', '.join(parts).lower()}.",
        )
        new.append(course)
        share = hours // len(parts)
        modules += [
            Module(course=course, number=n, title=t, hours=share)
            for n, t in enumerate(parts, start=1)
        ]
    Course.objects.bulk_create(new)
    Module.objects.bulk_create(modules)
    ctx.counts["course"] += len(new)
    ctx.counts["module"] += len(modules)
    stored.update({c.code: c for c in new})
    return stored


def _people_by_institution():
    """{institution id: [(person id, from, to, end kind)]} of custody; to is None when open."""
    episodes = defaultdict(list)
    rows = CustodyEpisode.objects.values_list(
        "person_id", "institution_id", "admitted_on", "released_on", "transferred_out_on"
    ).order_by("institution_id", "person_id", "admitted_on")
    for person, institution, admitted, released, moved in rows.iterator(chunk_size=5000):
        ended = released or moved
        kind = S.RELEASED if released else (S.TRANSFERRED if moved else "")
        episodes[institution].append((person, admitted, ended, kind))
    staff = defaultdict(list)
    rows = StaffPosition.objects.values_list(
        "person_id", "institution_id", "started_on", "ended_on"
    ).order_by("institution_id", "person_id")
    for person, institution, started, ended in rows.iterator(chunk_size=5000):
        staff[institution].append((person, started, ended, ""))
    return episodes, staff


def _within(stays, start, end) -> list:
    return [s for s in stays if (s[1] is None or s[1] <= end) and (s[2] is None or s[2] >= start)]


def _course_choice(r, courses, trades) -> Course:
    matching = [c for c in COURSES if c[8] and c[8] in trades and c[2] == C.VOCATIONAL]
    if matching and r.random() < 0.6:
        return courses[r.choice(matching)[0]]
    return courses[r.choice(GENERAL + ("WELD", "TAIL", "SUICIDE"))]


def _cost(rates, r, course, cohort, currency) -> tuple:
    eur = Decimal(course.hours * (cohort.capacity or 12) * r.randint(2, 5))
    try:
        units = rates.to_eur(Decimal(1), currency, cohort.start).units_per_eur
    except MissingExchangeRate:
        units, currency = Decimal(1), "EUR"
    amount = (eur * units).quantize(Decimal("0.01"), ROUND_HALF_UP)
    try:
        converted = rates.to_eur(amount, currency, cohort.start).amount_eur
    except MissingExchangeRate:
        converted = None
    return amount, currency, converted


def _session_days(r, start, end, count) -> list[datetime.date]:
    span = (end - start).days
    if count <= 1 or span <= 0:
        return [start]
    return sorted(
        {start + datetime.timedelta(days=round(i * span / (count - 1))) for i in range(count)}
    )


def seed_training(ctx) -> None:
    """Courses, then cohorts of each cycle in its countries' institutions and their people."""
    if not ctx.counts.get("person"):
        return
    r = ctx.stream("training")
    courses = seed_courses(ctx)
    existing = set(Cohort.objects.values_list("code", flat=True))
    rates = Rates(set(CURRENCY.values()))
    episodes, staff = _people_by_institution()
    trades = defaultdict(set)
    for workshop in ctx.workshops:
        trades[workshop.institution_id].add(workshop.trade)
    providers = [
        o for o in ctx.organisations.values() if o.kind in ("training_provider", "partner")
    ]
    countries = {i.pk: i.country.code for i in ctx.institutions}
    plans = []
    cycles = sorted(ctx.cycles, key=lambda c: c.start)
    cycle_countries = defaultdict(set)
    for cycle_id, code in ProjectCycle.countries.through.objects.filter(
        projectcycle__in=cycles
    ).values_list("projectcycle_id", "country__code"):
        cycle_countries[cycle_id].add(code)
    for cycle in cycles:
        for institution in ctx.institutions:
            if countries[institution.pk] not in cycle_countries[cycle.pk]:
                continue
            stays = _within(episodes.get(institution.pk, ()), cycle.start, cycle.end)
            count = min(
                MAX_COHORTS, len(stays) // PEOPLE_PER_COHORT + (1 if len(stays) >= 4 else 0)
            )
            for n in range(1, count + 1):
                course = _course_choice(r, courses, trades[institution.pk])
                plans.append((cycle, institution, course, n))
        if cycle.start >= ONLINE_FROM:
            plans.append((cycle, None, courses[r.choice(ONLINE)], 1))
    cohorts, people = [], []
    for cycle, institution, course, n in plans:
        place = institution.code if institution else "ONLINE"
        code = f"{place}-{course.code}-{cycle.code}-{n}"
        days = max(7, course.hours // 4)
        latest = max(cycle.start, cycle.end - datetime.timedelta(days=days))
        start = cycle.start + datetime.timedelta(days=r.randint(0, (latest - cycle.start).days))
        end = start + datetime.timedelta(days=days)
        cohort = Cohort(
            code=code,
            course=course,
            institution=institution,
            cycle=cycle,
            provider=r.choice(providers) if providers else None,
            start=start,
            end=end,
            mode=Cohort.Mode.IN_PERSON if institution else Cohort.Mode.ONLINE,
            platform="" if institution else r.choice(("Zoom", "Microsoft Teams")),
            capacity=r.randint(10, 16),
        )
        country = countries[institution.pk] if institution else "XK"  # online: billed in EUR
        cohort.cost, cohort.currency, cohort.cost_eur = _cost(
            rates, r, course, cohort, CURRENCY.get(country, "EUR")
        )
        if code in existing:
            continue
        if course.category == C.STAFF:
            pool = staff.get(institution.pk, ()) if institution else ()
        elif institution is None:
            pool = [s for stays in episodes.values() for s in stays]
        else:
            pool = episodes.get(institution.pk, ())
        cohorts.append(cohort)
        people.append(_within(pool, start, end))
    Cohort.objects.bulk_create(cohorts, batch_size=BATCH)
    ctx.counts["cohort"] += len(cohorts)
    _seed_people(ctx, r, cohorts, people)


def _seed_people(ctx, r, cohorts, candidates) -> None:
    today = ctx.reference_day
    sessions, enrollments, marks = [], [], []
    for cohort, pool in zip(cohorts, candidates, strict=True):
        count = max(2, min(MAX_SESSIONS, cohort.course.hours // 8))
        days = _session_days(r, cohort.start, cohort.end, count)
        mine = [
            Session(cohort=cohort, date=d, mode=cohort.mode, starts_at=datetime.time(9, 0))
            for d in days
        ]
        sessions += mine
        chosen = r.sample(list(pool), min(len(pool), cohort.capacity + r.randint(0, 5)))
        seen = set()
        for index, (person, _from, stay_to, stay_end) in enumerate(chosen):
            if person in seen:
                continue
            seen.add(person)
            e = _enrollment(r, cohort, person, index, stay_to, stay_end, today)
            enrollments.append(e)
            marks.append((e, mine))
    Session.objects.bulk_create(sessions, batch_size=BATCH)
    Enrollment.objects.bulk_create(enrollments, batch_size=BATCH)
    attendance = [a for e, mine in marks for a in _attendance(r, e, mine, today)]
    Attendance.objects.bulk_create(attendance, batch_size=BATCH)
    ctx.counts["session"] += len(sessions)
    ctx.counts["enrollment"] += len(enrollments)
    ctx.counts["attendance"] += len(attendance)


def _enrollment(r, cohort, person, index, stay_to, stay_end, today) -> Enrollment:
    applied = cohort.start - datetime.timedelta(days=r.randint(14, 45))
    e = Enrollment(
        cohort=cohort,
        person_id=person,
        applied_on=applied,
        motivation=r.choice(("To learn a trade for work after release.", "To use my time well.",
                             "A relative works in this trade.", "")),
        education=r.choice(Enrollment.Education.values),
        security=r.choice(Enrollment.Security.values),
        officer_assessment="Recommended." if r.random() < 0.7 else "",
    )  # fmt: skip
    if index >= cohort.capacity:  # beyond the places: waitlisted, or rejected
        if cohort.start > today and r.random() < 0.6:
            e.status, e.waitlist_position = S.WAITLISTED, index - cohort.capacity + 1
            e.decision_reason = "All places taken; first to move up when one frees."
        else:
            e.status, e.decision_reason = S.REJECTED, r.choice(REJECTIONS)
        e.decided_on = applied + 7 * DAY
        return e
    e.decided_on = applied + 7 * DAY
    if cohort.start > today:
        e.status = S.SELECTED if r.random() < 0.7 else S.APPLIED
        if e.status == S.APPLIED:
            e.decided_on = None
        return e
    if cohort.institution_id is None and stay_end == S.TRANSFERRED:
        stay_to = None  # a transfer does not end an online course
    if stay_to is not None and stay_to <= cohort.end:  # left custody during the course
        e.status, e.ended_on = stay_end or S.DROPPED_OUT, stay_to
        return e
    if cohort.end > today:
        e.status = S.ENROLLED
        return e
    if r.random() < 0.1:
        e.status = S.DROPPED_OUT
        e.ended_on = cohort.start + datetime.timedelta(
            days=r.randint(1, (cohort.end - cohort.start).days)
        )
        return e
    e.status, e.completed_on = S.COMPLETED, cohort.end
    if cohort.course.has_assessment:
        e.assessment_passed = True
        e.assessment_score = Decimal(r.randint(60, 100))
    return e


def _attendance(r, e, sessions, today) -> list[Attendance]:
    if e.status in (S.APPLIED, S.WAITLISTED, S.REJECTED, S.SELECTED):
        return []
    last = e.ended_on or today
    held = [s for s in sessions if s.date <= min(last, today)]
    if e.status in (S.TRANSFERRED, S.RELEASED, S.DROPPED_OUT):
        held = [s for s in held if s.date < last]
    share = 0.93 if e.status == S.COMPLETED else (0.6 if e.status == S.DROPPED_OUT else 0.85)
    statuses = []
    for _session in held:
        roll = r.random()
        statuses.append(
            A.PRESENT if roll < share else (A.EXCUSED if roll < share + 0.03 else A.ABSENT)
        )
    if e.status == S.COMPLETED:  # completion needs 80%: late arrivals become presences
        for i in range(len(statuses)):
            present = statuses.count(A.PRESENT)
            if present * 100 >= 80 * (present + statuses.count(A.ABSENT)):
                break
            if statuses[i] == A.ABSENT:
                statuses[i] = A.PRESENT
    return [
        Attendance(session=s, enrollment=e, status=status)
        for s, status in zip(held, statuses, strict=True)
    ]


# The demo's trainers


def seed_trainers(*, seed: int, today: datetime.date | None = None) -> int:
    """Make each trainer (a user of that role) trainer of the recent cohorts of their
    institutions, and give each of those institutions a cohort running today, with a session
    today, so the attendance screen has people to mark. Returns the cohorts assigned."""
    import random

    today = today or timezone.localdate()
    r = random.Random(f"{seed}:training-demo")
    trainers = User.objects.filter(role=Role.TRAINER, is_active=True).prefetch_related(
        "institutions"
    )
    assigned = 0
    for trainer in trainers.order_by("username"):
        for institution in trainer.institutions.order_by("code"):
            cohort = _current_cohort(r, institution, today)
            recent = list(
                Cohort.objects.filter(institution=institution).order_by("-start", "code")[:6]
            )
            mine = set(trainer.cohorts.values_list("pk", flat=True))
            for c in {cohort, *recent}:
                if c.pk not in mine:
                    c.trainers.add(trainer)
                    assigned += 1
    return assigned


def _current_cohort(r, institution: Institution, today) -> Cohort:
    code = f"{institution.code}-NOW-{today:%Y%m}"
    cohort = Cohort.objects.filter(code=code).first()
    if cohort is not None:
        return cohort
    trades = set(institution.workshops.values_list("trade", flat=True))
    matching = [c[0] for c in COURSES if c[8] and c[8] in trades] or ["WELD"]
    course = Course.objects.filter(code__in=matching).order_by("code").first()
    if course is None:
        course = Course.objects.order_by("code").first()
    cycle = ProjectCycle.objects.order_by("-start").first()
    cohort = Cohort.objects.create(
        code=code,
        course=course,
        institution=institution,
        cycle=cycle,
        start=today - 21 * DAY,
        end=today + 35 * DAY,
        mode=Cohort.Mode.IN_PERSON,
        capacity=12,
        cost=None,
    )
    days = [cohort.start + n * DAY for n in range(0, 57, 2)]
    if today not in days:
        days.append(today)
    sessions = Session.objects.bulk_create(
        [
            Session(
                cohort=cohort, date=d, starts_at=datetime.time(9, 0), ends_at=datetime.time(13, 0)
            )
            for d in sorted(days)
        ]
    )
    held = sorted(
        CustodyEpisode.objects.filter(
            institution=institution, released_on__isnull=True, transferred_out_on__isnull=True,
            admitted_on__lte=cohort.start,
        ).values_list("person_id", flat=True)
    )  # fmt: skip
    chosen = r.sample(held, min(len(held), 16))
    enrollments = []
    for index, person in enumerate(chosen):
        e = Enrollment(
            cohort=cohort,
            person_id=person,
            applied_on=cohort.start - 20 * DAY,
            motivation="To learn a trade for work after release.",
            education=r.choice(Enrollment.Education.values),
            security=r.choice(Enrollment.Security.values),
        )
        if index < 12:
            e.status, e.decided_on = S.ENROLLED, cohort.start - 10 * DAY
        elif index < 14:
            e.status, e.waitlist_position = S.WAITLISTED, index - 11
            e.decision_reason, e.decided_on = "All places taken.", cohort.start - 10 * DAY
        else:
            e.status = S.APPLIED
        enrollments.append(e)
    Enrollment.objects.bulk_create(enrollments)
    Attendance.objects.bulk_create(
        [
            Attendance(
                session=s,
                enrollment=e,
                status=A.PRESENT if r.random() < 0.9 else A.ABSENT,
            )
            for e in enrollments
            if e.status == S.ENROLLED
            for s in sessions
            if s.date < today
        ]
    )
    return cohort
