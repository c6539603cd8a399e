"""Dates of release and after: months counted from a day, the plan's due date, the follow-up
schedule."""

import calendar
import datetime

from django.conf import settings

from resoc.core.dates import add_months

DAY = datetime.timedelta(days=1)


def release_cutoff(as_of: datetime.date, months: int) -> datetime.date:
    """The latest release day whose `months` months after it have passed by `as_of`."""
    day = add_months(as_of, -months)
    last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    # A release on the 31st reaches its months on a shorter month's last day.
    while day < last and add_months(day + DAY, months) <= as_of:
        day += DAY
    return day


def plan_days() -> int:
    return settings.RESOC_PLAN_DAYS_BEFORE_RELEASE


def plan_due_on(expected_release_on: datetime.date | None) -> datetime.date | None:
    if expected_release_on is None:
        return None
    return expected_release_on - datetime.timedelta(days=plan_days())


def follow_up_months() -> tuple[int, ...]:
    return tuple(sorted(settings.RESOC_FOLLOW_UP_MONTHS))
