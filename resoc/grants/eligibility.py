"""The automatic eligibility check of an application, criterion by criterion, with its reason.

Each criterion is `met`, `not_met` or `unknown` (the records cannot tell). What the checks read:
- release: the person's latest `CustodyEpisode.released_on`; a person still in custody may apply
  when their expected release is close enough;
- training: an `resoc.training.models.Enrollment` with status `completed`;
- reoffending: the re-entry app (see `reoffending_lookup`); when it cannot tell, `unknown`,
  never `met`.

People's records are read for many applications at once (`check_many`), in a constant number of
queries, except where the re-entry app answers one person at a time.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from resoc.grants.dates import add_months
from resoc.grants.models import Call, default_release_within_days, default_released_within_months
from resoc.people.models import CustodyEpisode

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
RELEASE, TRAINING, REOFFENDING = "release", "training", "reoffending"
CHUNK = 500


def labels() -> dict[str, str]:
    return {
        RELEASE: _("Released recently (or close to release)"),
        TRAINING: _("Completed at least one training"),
        REOFFENDING: _("No reoffending since release"),
    }


def status_labels() -> dict[str, str]:
    return {MET: _("met"), NOT_MET: _("not met"), UNKNOWN: _("unknown")}


@dataclass(frozen=True)
class Rules:
    released_within_months: int
    release_within_days: int
    requires_training: bool = True
    requires_no_reoffending: bool = True


def rules_of(call: Call | None) -> Rules:
    """The call's rules; an application without a call is held to the defaults."""
    if call is None:
        return Rules(default_released_within_months(), default_release_within_days())
    return Rules(
        call.released_within_months,
        call.release_within_days,
        call.requires_training,
        call.requires_no_reoffending,
    )


@dataclass
class Facts:
    episodes: list
    trainings: list  # [(course title, completed_on)]


def _day(value) -> str:
    return value.isoformat() if value else "?"


def _by_person(rows, key="person_id") -> dict:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row[key] if isinstance(row, dict) else getattr(row, key)].append(row)
    return grouped


def facts_for(person_ids) -> dict[int, Facts]:
    """Custody and completed trainings of these people: a query per CHUNK people each."""
    ids = sorted(set(person_ids))
    episodes, trainings = defaultdict(list), defaultdict(list)
    try:
        from resoc.training.models import Enrollment
    except ImportError:  # pragma: no cover - the training app is part of the project
        Enrollment = None
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for person_id, rows in _by_person(
            CustodyEpisode.objects.filter(person_id__in=chunk).order_by("admitted_on")
        ).items():
            episodes[person_id] += rows
        if Enrollment is not None:
            rows = (
                Enrollment.objects.filter(person_id__in=chunk, status="completed")
                .order_by("completed_on", "pk")
                .values("person_id", "completed_on", "cohort__course__title")
            )
            for row in rows:
                trainings[row["person_id"]].append(
                    (row["cohort__course__title"], row["completed_on"])
                )
    return {pk: Facts(episodes.get(pk, []), trainings.get(pk, [])) for pk in ids}


def latest_release(episodes) -> datetime.date | None:
    days = [e.released_on for e in episodes if e.released_on]
    return max(days) if days else None


def _open_episode(episodes):
    return next((e for e in episodes if e.is_open), None)


def _check_release(facts: Facts, rules: Rules, on: datetime.date) -> tuple[str, str]:
    current = _open_episode(facts.episodes)
    days = rules.release_within_days
    if current is not None:
        expected = current.expected_release_on
        if expected is None:
            return NOT_MET, _("In custody, with no expected release date recorded.")
        if expected <= on + datetime.timedelta(days=days):
            return MET, _(
                "In custody; the expected release on %(date)s is within %(days)s days of the "
                "application."
            ) % {"date": _day(expected), "days": days}
        return NOT_MET, _(
            "In custody; the expected release on %(date)s is more than %(days)s days after the "
            "application."
        ) % {"date": _day(expected), "days": days}
    released = latest_release(facts.episodes)
    if released is None:
        return NOT_MET, _("No release from custody is recorded.")
    months = rules.released_within_months
    if released > on:
        if released <= on + datetime.timedelta(days=days):
            return MET, _("Applied %(days)s days or less before the release on %(date)s.") % {
                "days": days,
                "date": _day(released),
            }
        return NOT_MET, _(
            "Released on %(date)s, more than %(days)s days after the application."
        ) % {"date": _day(released), "days": days}
    if released >= add_months(on, -months):
        return MET, _("Released on %(date)s, within %(months)s months of the application.") % {
            "date": _day(released),
            "months": months,
        }
    return NOT_MET, _(
        "Released on %(date)s, more than %(months)s months before the application."
    ) % {"date": _day(released), "months": months}


def _check_training(facts: Facts, rules: Rules) -> tuple[str, str]:
    if facts.trainings:
        title, completed_on = facts.trainings[-1]
        return MET, _("Completed %(course)s on %(date)s.") % {
            "course": title,
            "date": _day(completed_on),
        }
    if not rules.requires_training:
        return MET, _("No completed training recorded; this call does not require one.")
    return NOT_MET, _("No completed training is recorded.")


def _check_reoffending(facts: Facts, rules: Rules, answer) -> tuple[str, str]:
    if not rules.requires_no_reoffending:
        return MET, _("This call does not ask about reoffending.")
    if _open_episode(facts.episodes) is not None:
        return MET, _("Not released yet: there is no time since release to count.")
    released = latest_release(facts.episodes)
    if released is None:
        return UNKNOWN, _("No release is recorded to count from.")
    reoffended, why = answer
    if reoffended is None:
        return UNKNOWN, why
    if reoffended:
        return NOT_MET, _("Reoffending is recorded since the release on %(date)s.") % {
            "date": _day(released)
        }
    return MET, _("No reoffending is recorded since the release on %(date)s.") % {
        "date": _day(released)
    }


def check_one(*, facts: Facts, rules: Rules, on: datetime.date, reoffending) -> list[dict]:
    """[{"key", "status", "reason"}] for one person; `reoffending` is (bool | None, reason)."""
    results = [
        (RELEASE, _check_release(facts, rules, on)),
        (TRAINING, _check_training(facts, rules)),
        (REOFFENDING, _check_reoffending(facts, rules, reoffending)),
    ]
    return [
        {"key": key, "status": status, "reason": str(reason)} for key, (status, reason) in results
    ]


def check_many(items, *, today: datetime.date) -> list[list[dict]]:
    """The checks of many (person, call or None, applied_on or None) at once, in order.

    An application without a date is checked as of `today`.
    """
    items = list(items)
    facts = facts_for(p.pk for p, _call, _on in items)
    since = {}
    for person, _call, _on in items:
        released = latest_release(facts[person.pk].episodes)
        if released and _open_episode(facts[person.pk].episodes) is None:
            since[person.pk] = (person, released)
    answers = reoffending_lookup()(since)
    return [
        check_one(
            facts=facts[person.pk],
            rules=rules_of(call),
            on=on or today,
            reoffending=answers.get(person.pk, (None, "")),
        )
        for person, call, on in items
    ]


def overall(checks: list[dict]) -> str:
    statuses = {c["status"] for c in checks}
    if NOT_MET in statuses:
        return NOT_MET
    if UNKNOWN in statuses or not statuses:
        return UNKNOWN
    return MET


def not_met(checks: list[dict]) -> list[dict]:
    return [c for c in checks if c["status"] == NOT_MET]


# Reoffending, from the re-entry app


def _unknown_reason() -> str:
    return _(
        "Unknown: this installation keeps no reoffending records yet (the re-entry records "
        "cannot tell)."
    )


def _from_reentry_selector(function) -> Callable:
    """The re-entry app's own answer, one person at a time."""

    def lookup(since: dict) -> dict:
        return {
            pk: (bool(function(person=person, since=released)), "")
            for pk, (person, released) in since.items()
        }

    return lookup


def _from_reentry_events(model) -> Callable:
    """Our own reading of the re-entry app's reoffending events, for many people at once."""

    def lookup(since: dict) -> dict:
        found = set()
        ids = sorted(since)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            earliest = min(since[pk][1] for pk in chunk)
            # As the re-entry app counts them: events dated after the release.
            rows = model.objects.filter(person_id__in=chunk, date__gt=earliest).values_list(
                "person_id", "date"
            )
            found |= {pk for pk, day in rows if day > since[pk][1]}
        return {pk: (pk in found, "") for pk in since}

    return lookup


def _unknown(since: dict) -> dict:
    return {pk: (None, _unknown_reason()) for pk in since}


def reoffending_lookup() -> Callable[[dict], dict]:
    """A function {person id: (person, released_on)} -> {person id: (bool | None, reason)}.

    Asks `resoc.reentry.selectors.person_reoffended_since(*, person, since)` when the re-entry app
    provides it; otherwise reads its reoffending events (`OutcomeEvent`) directly; without
    either, every answer is None (unknown).
    """
    try:
        from resoc.reentry import selectors as reentry_selectors
    except ImportError:
        reentry_selectors = None
    function = getattr(reentry_selectors, "person_reoffended_since", None)
    if callable(function):
        return _from_reentry_selector(function)
    try:
        from resoc.reentry.models import OutcomeEvent
    except ImportError:
        return _unknown
    return _from_reentry_events(OutcomeEvent)
