"""Months as dates: a month is the date of its first day."""

import calendar
import datetime
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: datetime.date, count: int) -> datetime.date:
    """The first day of the month `count` months after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of every month from first's month to last's month, both included."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def month_parse(text: str) -> datetime.date:
    """`YYYY-MM` as the month's first day; raises ValueError with a translated message."""
    match = _MONTH.match(str(text).strip())
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and year >= 1900:
            return datetime.date(year, month, 1)
    raise ValueError(_("“%(value)s” is not a month; use YYYY-MM, e.g. 2025-03.") % {"value": text})


class MonthParser:
    """An import parser for `YYYY-MM` cells (a date cell from Excel counts as its month)."""

    format = gettext_lazy("Month: YYYY-MM")

    def parse(self, value):
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return month_start(value)
        return month_parse(value)
