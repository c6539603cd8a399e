"""Whole months between dates, as the monitoring marks (3, 6, 12, 24 months) count them.

`months_between(a, b)` is the number of whole months from a to b: the month difference, less
one when b's day of the month comes before a's. A month after 31 January is therefore reached
on 1 March (February has no 31st). The database counts the same way (`months_between_sql`).
"""

import calendar
import datetime

from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import LessThan

from resoc.core.dates import add_months  # noqa: F401  (part of this module's vocabulary)

MARKS = (3, 6, 12, 24)


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _shift(day: datetime.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def months_between(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def mark_date(delivered_on: datetime.date, months: int) -> datetime.date:
    """The first day on which `months` whole months have passed since delivery."""
    year, month = _shift(delivered_on, months)
    if delivered_on.day <= _days_in(year, month):
        return datetime.date(year, month, delivered_on.day)
    year, month = _shift(datetime.date(year, month, 1), 1)
    return datetime.date(year, month, 1)


def delivered_by(as_of: datetime.date, months: int) -> datetime.date:
    """The last delivery date that is at least `months` whole months before `as_of`."""
    year, month = _shift(as_of, -months)
    return datetime.date(year, month, min(as_of.day, _days_in(year, month)))


def months_between_sql(start: str, end: str):
    """`months_between` of two date columns, in the database (SQLite and PostgreSQL alike)."""
    earlier_day = Case(
        When(LessThan(ExtractDay(end), ExtractDay(start)), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        (ExtractYear(end) - ExtractYear(start)) * Value(12)
        + ExtractMonth(end)
        - ExtractMonth(start)
        - earlier_day
    )
