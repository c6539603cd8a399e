"""Reading release-and-after records through the user's scope of people. An object outside the
scope is a 404; a role that does not read these records sees none."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from resoc.accounts import roles
from resoc.accounts.models import Role, User
from resoc.people.models import Consent, CustodyEpisode, Person
from resoc.people.selectors import OPEN_CUSTODY, person_list_for_user
from resoc.reentry.dates import add_months, follow_up_months, plan_days
from resoc.reentry.models import (
    Domain,
    FollowUp,
    NeedsAssessment,
    OutcomeEvent,
    PlanAction,
    Referral,
    ReleasePlan,
)
from resoc.reentry.rules import COMMISSIONER_ASSIGNERS, REENTRY_READERS

# Worklists: actions this close to their due date show; a scheduled contact shows this many days
# ahead, and a contact up to EARLY days before a scheduled one counts for it.
ACTIONS_AHEAD = datetime.timedelta(days=14)
FOLLOW_UP_AHEAD = datetime.timedelta(days=30)
EARLY = datetime.timedelta(days=14)
LAST_CONTACT_GRACE = datetime.timedelta(days=90)
WORKLIST_LIMIT = 100


def can_read(user) -> bool:
    return roles.has_role(user, REENTRY_READERS)


def _scoped(qs: QuerySet, user, field: str = "person") -> QuerySet:
    if not can_read(user):
        return qs.none()
    if user.role in roles.GLOBAL_READERS:
        return qs
    return qs.filter(**{f"{field}__in": person_list_for_user(user=user).values("pk")})


def _get(qs: QuerySet, pk):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def persons_for_user(*, user) -> QuerySet[Person]:
    """The people whose release-and-after records the user reads."""
    return person_list_for_user(user=user) if can_read(user) else Person.objects.none()


def person_get_for_user(*, user, ref: str) -> Person:
    person = persons_for_user(user=user).filter(ref=ref.upper()).first()
    if person is None:
        raise Http404("No such person in your scope.")
    return person


# Plans


def current_plans() -> QuerySet[ReleasePlan]:
    """The plans of people's latest custody episodes: a later custody (a new sentence) leaves
    the earlier plan behind. A transfer carries the plan to the new episode."""
    later = CustodyEpisode.objects.filter(
        person=OuterRef("person"), admitted_on__gt=OuterRef("episode__admitted_on")
    )
    return ReleasePlan.objects.filter(~Exists(later))


def plan_list_for_user(*, user) -> QuerySet[ReleasePlan]:
    qs = ReleasePlan.objects.select_related(
        "person", "episode", "episode__institution", "commissioner"
    )
    return _scoped(qs, user)


def plan_get_for_user(*, user, pk) -> ReleasePlan:
    return _get(plan_list_for_user(user=user), pk)


def action_list_for_user(*, user) -> QuerySet[PlanAction]:
    qs = PlanAction.objects.select_related("plan", "plan__person", "agency")
    return _scoped(qs, user, "plan__person")


def action_get_for_user(*, user, pk) -> PlanAction:
    return _get(action_list_for_user(user=user), pk)


def commissioner_list() -> QuerySet[User]:
    return User.objects.filter(role=Role.COMMISSIONER, is_active=True).order_by("username")


def commissioner_for(municipality: str, *, commissioners=None) -> User | None:
    """The commissioner of the municipality: the first by username whose municipalities hold it."""
    wanted = (municipality or "").strip().casefold()
    if not wanted:
        return None
    for user in commissioners if commissioners is not None else commissioner_list():
        if wanted in {m.strip().casefold() for m in user.municipalities}:
            return user
    return None


def person_custody_for_plan(*, person: Person) -> CustodyEpisode | None:
    """The custody episode a new plan is for: the current one."""
    return person.custody_episodes.filter(OPEN_CUSTODY).select_related("institution").first()


# Assessments


def assessment_list_for_user(*, user) -> QuerySet[NeedsAssessment]:
    qs = NeedsAssessment.objects.select_related("person", "assessor").prefetch_related("items")
    return _scoped(qs, user)


def assessment_get_for_user(*, user, pk) -> NeedsAssessment:
    return _get(assessment_list_for_user(user=user), pk)


def assessment_matrix(assessments) -> list[dict]:
    """Rows per domain of the person's assessments (oldest first), with the change of level."""
    from resoc.reentry.models import LEVEL_ORDER

    ordered = sorted(assessments, key=lambda a: a.date)
    by_id = {a.pk: {i.domain: i for i in a.items.all()} for a in ordered}
    rows = []
    for value, label in Domain.choices:
        cells, previous = [], None
        for assessment in ordered:
            item = by_id[assessment.pk].get(value)
            change = ""
            if item and previous:
                diff = LEVEL_ORDER[item.level] - LEVEL_ORDER[previous.level]
                change = "up" if diff > 0 else "down" if diff < 0 else "same"
            cells.append({"item": item, "change": change})
            previous = item or previous
        rows.append({"domain": label, "cells": cells})
    return rows


# Referrals


def referral_list_for_user(*, user) -> QuerySet[Referral]:
    qs = Referral.objects.select_related("person", "agency", "plan", "created_by")
    return _scoped(qs, user)


def referral_get_for_user(*, user, pk) -> Referral:
    return _get(referral_list_for_user(user=user), pk)


def referral_consent(*, person: Person, on: datetime.date) -> Consent | None:
    """The person's consent to referrals that holds on the day, if any."""
    consents = Consent.objects.filter(person=person, purpose=Consent.Purpose.REFERRAL)
    return next((c for c in consents.order_by("-given_on") if c.is_active_on(on)), None)


def referral_agencies():
    from resoc.registry.models import Organisation

    kinds = (Organisation.Kind.AGENCY, Organisation.Kind.PARTNER, Organisation.Kind.GOVERNMENT)
    return Organisation.objects.filter(kind__in=kinds)


def referral_shared_data(*, referral: Referral, on: datetime.date | None = None):
    """[(label, value)] of what the referral passes on, while the person's consent holds on the
    day (today by default); None without it: a withdrawn consent stops the sharing."""
    on = on or timezone.localdate()
    person = referral.person
    if referral_consent(person=person, on=on) is None:
        return None
    D = Referral.Data
    values = {}
    if D.NAME in referral.shared:
        values[D.NAME] = person.full_name
    if D.BIRTH_YEAR in referral.shared:
        values[D.BIRTH_YEAR] = person.birth_year or ""
    if D.CONTACT in referral.shared:
        values[D.CONTACT] = ", ".join(v for v in (person.phone, person.email, person.address) if v)
    if D.HOME in referral.shared:
        values[D.HOME] = person.home_municipality
    if D.RELEASE in referral.shared:
        episode = person.custody_episodes.order_by("-admitted_on").first()
        day = episode and (episode.released_on or episode.expected_release_on)
        values[D.RELEASE] = day.isoformat() if day else ""
    if D.NEEDS in referral.shared:
        latest = person.needs_assessments.order_by("-date").prefetch_related("items").first()
        values[D.NEEDS] = (
            "; ".join(
                f"{i.get_domain_display()}: {i.get_level_display()}" for i in latest.items.all()
            )
            if latest
            else ""
        )
    if D.GOALS in referral.shared:
        plan = referral.plan or current_plans().filter(person=person).first()
        values[D.GOALS] = "; ".join(f"{d}: {g}" for d, g in plan.goal_rows()) if plan else ""
    labels = dict(D.choices)
    return [(labels[key], values[key]) for key in D.values if key in values]


# Follow-up


def follow_up_list_for_user(*, user) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.select_related("person", "contacted_by").prefetch_related("events")
    return _scoped(qs, user)


def follow_up_get_for_user(*, user, pk) -> FollowUp:
    return _get(follow_up_list_for_user(user=user), pk)


def event_list_for_user(*, user) -> QuerySet[OutcomeEvent]:
    return _scoped(OutcomeEvent.objects.select_related("person", "follow_up"), user)


def event_get_for_user(*, user, pk) -> OutcomeEvent:
    return _get(event_list_for_user(user=user), pk)


def latest_release(*, person: Person, on: datetime.date | None = None) -> datetime.date | None:
    qs = person.custody_episodes.filter(released_on__isnull=False)
    if on is not None:
        qs = qs.filter(released_on__lte=on)
    return qs.order_by("-released_on").values_list("released_on", flat=True).first()


@dataclass
class ScheduledContact:
    months: int
    due_on: datetime.date
    overdue: bool


def scheduled_contact(
    released_on: datetime.date, contacts: list[datetime.date], today: datetime.date
) -> ScheduledContact | None:
    """The scheduled contact due now (or within FOLLOW_UP_AHEAD), or None.

    Each point of the schedule has a window from EARLY days before it to EARLY days before the
    next (the first from the release on, the last until LAST_CONTACT_GRACE after it); a contact
    in the window covers the point, and a window that passes uncovered is a missed contact.
    """
    points = [(m, add_months(released_on, m)) for m in follow_up_months()]
    for index, (months, due) in enumerate(points):
        start = released_on if index == 0 else due - EARLY
        last = index + 1 == len(points)
        end = due + LAST_CONTACT_GRACE if last else points[index + 1][1] - EARLY
        if today < due - FOLLOW_UP_AHEAD:
            return None
        if today >= end:
            continue
        if any(start <= day < end for day in contacts):
            continue
        return ScheduledContact(months=months, due_on=due, overdue=today > due)
    return None


# Worklists


@dataclass
class FollowUpDue:
    person: Person
    released_on: datetime.date
    contact: ScheduledContact
    last_contact: datetime.date | None


@dataclass
class Worklists:
    today: datetime.date
    releases_30: list = field(default_factory=list)
    releases_90: list = field(default_factory=list)
    plans_overdue: list = field(default_factory=list)
    plans_due_soon: list = field(default_factory=list)
    to_sign: list = field(default_factory=list)
    unassigned: list = field(default_factory=list)
    actions_due: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)

    def persons(self) -> list[Person]:
        seen = {}
        for episode in (
            self.releases_30 + self.releases_90 + self.plans_overdue + self.plans_due_soon
        ):
            seen[episode.person.ref] = episode.person
        for plan in self.to_sign + self.unassigned:
            seen[plan.person.ref] = plan.person
        for action in self.actions_due:
            seen[action.plan.person.ref] = action.plan.person
        for due in self.follow_ups:
            seen[due.person.ref] = due.person
        return list(seen.values())

    @property
    def attention(self) -> int:
        """How many things need doing now: overdue plans, due actions and contacts, signatures."""
        return (
            len(self.plans_overdue)
            + len(self.to_sign)
            + len(self.unassigned)
            + len(self.actions_due)
            + len(self.follow_ups)
        )


def _open_episodes(user) -> QuerySet[CustodyEpisode]:
    qs = CustodyEpisode.objects.filter(OPEN_CUSTODY).select_related(
        "person", "institution", "release_plan", "release_plan__commissioner"
    )
    return _scoped(qs, user).order_by("expected_release_on", "person__ref")


def _not_agreed() -> Q:
    return Q(release_plan__isnull=True) | ~Q(release_plan__state=ReleasePlan.State.AGREED)


def _follow_ups_due(user, today) -> list[FollowUpDue]:
    schedule = follow_up_months()
    if not schedule:
        return []
    horizon = add_months(today, -max(schedule)) - LAST_CONTACT_GRACE
    in_custody = CustodyEpisode.objects.filter(OPEN_CUSTODY, person=OuterRef("pk"))
    released = (
        persons_for_user(user=user)
        .filter(kind=Person.Kind.FORMER_PRISONER)
        .filter(~Exists(in_custody))
        .filter(
            Exists(CustodyEpisode.objects.filter(person=OuterRef("pk"), released_on__gte=horizon))
        )
    )
    people = {p.pk: p for p in released.order_by()}
    if not people:
        return []
    releases, contacts = {}, {}
    episodes = CustodyEpisode.objects.filter(
        person__in=released.values("pk"), released_on__isnull=False
    )
    for person_id, day in episodes.values_list("person_id", "released_on").order_by():
        releases[person_id] = max(day, releases.get(person_id, day))
    follow_ups = FollowUp.objects.filter(person__in=released.values("pk"), date__gte=horizon)
    for person_id, day in follow_ups.values_list("person_id", "date").order_by():
        contacts.setdefault(person_id, []).append(day)
    due = []
    for person_id, person in people.items():
        released_on = releases[person_id]
        mine = [d for d in contacts.get(person_id, ()) if d >= released_on]
        contact = scheduled_contact(released_on, mine, today)
        if contact is not None:
            due.append(FollowUpDue(person, released_on, contact, max(mine, default=None)))
    due.sort(key=lambda d: (d.contact.due_on, d.person.ref))
    return due


def worklists_for_user(*, user, today: datetime.date | None = None) -> Worklists:
    """What needs doing in the user's scope; a constant number of queries."""
    today = today or timezone.localdate()
    lists = Worklists(today=today)
    if not can_read(user):
        return lists
    limit = WORKLIST_LIMIT
    episodes = _open_episodes(user)
    upcoming = list(
        episodes.filter(
            expected_release_on__gte=today,
            expected_release_on__lte=today + datetime.timedelta(days=90),
        )[: limit * 2]
    )
    soon = today + datetime.timedelta(days=30)
    lists.releases_30 = [e for e in upcoming if e.expected_release_on <= soon][:limit]
    lists.releases_90 = [e for e in upcoming if e.expected_release_on > soon][:limit]
    due_by = today + datetime.timedelta(days=plan_days())
    lists.plans_overdue = list(
        episodes.filter(_not_agreed(), expected_release_on__lte=due_by)[:limit]
    )
    lists.plans_due_soon = list(
        episodes.filter(
            _not_agreed(),
            expected_release_on__gt=due_by,
            expected_release_on__lte=due_by + datetime.timedelta(days=90),
        )[:limit]
    )
    plans = plan_list_for_user(user=user).filter(pk__in=current_plans().values("pk"))
    if user.role == Role.COMMISSIONER:
        lists.to_sign = list(
            plans.filter(commissioner=user, state=ReleasePlan.State.SIGNED_BY_OFFICER)[:limit]
        )
    if user.role in COMMISSIONER_ASSIGNERS:
        horizon = add_months(today, -max(follow_up_months(), default=24))
        lists.unassigned = list(
            plans.filter(commissioner__isnull=True)
            .filter(
                Q(episode__released_on__isnull=True, episode__transferred_out_on__isnull=True)
                | Q(episode__released_on__gte=horizon)
            )
            .order_by("episode__expected_release_on", "person__ref")[:limit]
        )
    lists.actions_due = list(
        action_list_for_user(user=user)
        .filter(
            status=PlanAction.Status.OPEN,
            due_on__lte=today + ACTIONS_AHEAD,
            plan__in=current_plans().values("pk"),
        )
        .order_by("due_on", "pk")[:limit]
    )
    lists.follow_ups = _follow_ups_due(user, today)[:limit]
    return lists


# The person's page


def person_reentry(*, user, person: Person) -> dict:
    """Everything about one person's release and after that the user may read."""
    assessments = list(assessment_list_for_user(user=user).filter(person=person))
    plans = list(
        plan_list_for_user(user=user)
        .filter(person=person)
        .prefetch_related(Prefetch("actions", PlanAction.objects.select_related("agency")))
        .order_by("-episode__admitted_on")
    )
    return {
        "assessments": sorted(assessments, key=lambda a: a.date, reverse=True),
        "matrix": assessment_matrix(assessments),
        "matrix_dates": sorted(a.date for a in assessments),
        "plans": plans,
        "referrals": list(referral_list_for_user(user=user).filter(person=person)),
        "follow_ups": list(follow_up_list_for_user(user=user).filter(person=person)),
        "events": list(event_list_for_user(user=user).filter(person=person)),
        "custody": person.custody_episodes.filter(OPEN_CUSTODY).first(),
        "released_on": latest_release(person=person),
    }
