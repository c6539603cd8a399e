"""The filters of the key results (country, cycle, period), read from a request or the command
line and checked, so that a bad value is a clear message rather than an empty report."""

import datetime
from dataclasses import dataclass, replace
from functools import cached_property

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from resoc.registry.models import Country, Institution, ProjectCycle


class FilterError(ValueError):
    """A filter value that cannot be used; the message names the parameter and the reason."""

    def __init__(self, message: str, param: str):
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class Sites:
    """The institutions and workshops a country (and kind of institution) selects."""

    institutions: tuple[int, ...]
    workshops: tuple[int, ...]


@dataclass(frozen=True)
class ReportFilters:
    country: str | None = None
    cycle: str | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    # Disaggregation of indicators (not offered on the dashboard): the people's sex, their age
    # band at the event (see AGE_BANDS) and the kind of institution.
    sex: str | None = None
    age_band: str | None = None
    institution_kind: str | None = None

    @cached_property
    def sites(self) -> Sites | None:
        """The institutions and workshops of the country and kind of institution asked for, or
        None when neither is; read once per filters, in one query.

        The records are then selected by these keys rather than through a join to the country:
        PostgreSQL plans a list of keys with what it knows of the column, while the join led
        it to read the equipment workshop by workshop (seconds at a million people).
        """
        if not (self.country or self.institution_kind):
            return None
        q = Q()
        if self.country:
            q &= Q(country__code=self.country)
        if self.institution_kind:
            q &= Q(kind=self.institution_kind)
        rows = Institution.objects.filter(q).values_list("pk", "workshops__pk").order_by()
        institutions, workshops = set(), set()
        for institution, workshop in rows:
            institutions.add(institution)
            if workshop is not None:
                workshops.add(workshop)
        return Sites(tuple(sorted(institutions)), tuple(sorted(workshops)))

    @property
    def as_of(self) -> datetime.date:
        """The day the outcome figures are counted at, and the end of the period."""
        return self.date_to or timezone.localdate()

    def in_whole_quarters(self) -> "ReportFilters":
        """The period widened and cut to calendar quarters, for figures under disclosure control.

        Suppressing each figure below the threshold is not enough when the period can be moved
        by a day: the difference of two large counts would tell about one person. So a donor's
        period starts on the first day of a quarter, and ends (with the outcomes counted) on the
        last day of the last whole quarter up to the day asked (or today).
        """
        start = quarter_start(self.date_from) if self.date_from else None
        end = quarter_start(self.as_of + datetime.timedelta(days=1)) - datetime.timedelta(days=1)
        return replace(self, date_from=start, date_to=end)

    def as_params(self) -> dict[str, str]:
        """The filters as query parameters (only those set)."""
        params = {
            "country": self.country or "",
            "cycle": self.cycle or "",
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in params.items() if v}


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


# (name, youngest, oldest) in whole years, counted as the event's year minus the birth year.
AGE_BANDS = {"under_18": (None, 17), "18_29": (18, 29), "30_plus": (30, None)}


def age_q(band: str, year, birth_field: str) -> Q:
    """People of the age band in `year` (an expression or a number)."""
    youngest, oldest = AGE_BANDS[band]
    q = Q(**{f"{birth_field}__isnull": False})
    if youngest is not None:
        q &= Q(**{f"{birth_field}__lte": year - youngest})
    if oldest is not None:
        q &= Q(**{f"{birth_field}__gte": year - oldest})
    return q


def _date(name: str, value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise FilterError(
            _("%(name)s: %(value)s is not a date; use YYYY-MM-DD.")
            % {"name": name, "value": value},
            name,
        ) from None


def parse_filters(*, country=None, cycle=None, date_from=None, date_to=None) -> ReportFilters:
    """Check the values (strings or dates); unknown country or cycle codes are errors."""
    country = (country or "").strip().upper() or None
    cycle = (cycle or "").strip() or None
    if country and not Country.objects.filter(code=country).exists():
        raise FilterError(
            _("country: no country with the code %(code)s.") % {"code": country}, "country"
        )
    if cycle and not ProjectCycle.objects.filter(code=cycle).exists():
        raise FilterError(
            _("cycle: no project cycle with the code %(code)s.") % {"code": cycle}, "cycle"
        )
    start, end = _date("from", date_from), _date("to", date_to)
    if start and end and end < start:
        raise FilterError(_("to: the end of the period comes before its start."), "to")
    return ReportFilters(country=country, cycle=cycle, date_from=start, date_to=end)
