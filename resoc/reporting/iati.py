"""The programme in IATI 2.03 XML: one iati-activity per project cycle.

Published data: every count of people in the results goes through disclosure control as for
donors (a hidden actual has no value, only a comment). Transactions are the cycle's spending per
month: equipment delivered and training held as expenditure (4), grants delivered as
disbursements (3). Budgets are the cycle's budget split by year, in proportion to its days.
"""

import datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from lxml import etree

from resoc.core.money import split_by_shares
from resoc.registry.models import CycleFunder, Organisation, ProjectCycle
from resoc.reporting import disclosure, formulas, sources, upstream
from resoc.reporting.filters import ReportFilters
from resoc.reporting.framework import period_actual
from resoc.reporting.models import Indicator

VERSION = "2.03"
# DAC 5-digit purpose codes: legal and judicial development; vocational training.
SECTORS = [
    ("15130", Decimal("60"), "Legal and judicial development"),
    ("11330", Decimal("40"), "Vocational training"),
]
RESULT_TYPE = {
    Indicator.Level.OUTPUT: "1",
    Indicator.Level.OUTCOME: "2",
    Indicator.Level.IMPACT: "3",
}
# IATI OrganisationType by our organisation kind (others are left untyped).
ORGANISATION_TYPE = {
    Organisation.Kind.GOVERNMENT: "10",
    Organisation.Kind.AGENCY: "15",
    Organisation.Kind.PARTNER: "22",
    Organisation.Kind.SUPPLIER: "70",
    Organisation.Kind.TRAINING_PROVIDER: "80",
}
# Indicators reported when a cycle has no results framework yet: (formula, level, title).
DEFAULT_RESULTS = [
    ("persons_trained", Indicator.Level.OUTPUT, "Prisoners, staff and family members trained"),
    ("certificates_issued", Indicator.Level.OUTPUT, "Certificates issued"),
    ("employed_6m_after_release", Indicator.Level.OUTCOME, "Employed within 6 months of release"),
    ("recidivism_12m", Indicator.Level.IMPACT, "Reoffended within 12 months of release"),
]


# The official schemas, copied unchanged from the project's shared standards (see SOURCE.txt):
# a production server validates its exports without reaching anything outside the package.
SCHEMA_DIR = Path(__file__).resolve().parent / "standards" / "iati-2.03"


def schema_path() -> Path:
    return SCHEMA_DIR / "iati-activities-schema.xsd"


def validate(xml: bytes) -> list[str]:
    """The schema's complaints about the document (empty when valid)."""
    schema = etree.XMLSchema(etree.parse(str(schema_path())))
    document = etree.fromstring(xml)
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def org_ref() -> str:
    return getattr(settings, "RESOC_IATI_ORG_REF", "") or "XX-RESOC"


def _sub(parent, tag: str, text: str | None = None, **attrs):
    element = etree.SubElement(parent, tag, {k.replace("_", "-"): str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _narrative(parent, tag: str, text: str, **attrs):
    element = _sub(parent, tag, **attrs)
    _sub(element, "narrative", text)
    return element


def _status(cycle: ProjectCycle, today: datetime.date) -> str:
    if today < cycle.start:
        return "1"  # pipeline
    if today <= cycle.end:
        return "2"  # implementation
    return "4"  # closed


def _yearly_budgets(cycle: ProjectCycle) -> list[tuple[datetime.date, datetime.date, Decimal]]:
    """The budget split by calendar year (IATI asks for periods of a year at most)."""
    if not cycle.budget_eur:
        return []
    years = []
    for year in range(cycle.start.year, cycle.end.year + 1):
        start = max(cycle.start, datetime.date(year, 1, 1))
        end = min(cycle.end, datetime.date(year, 12, 31))
        years.append((start, end))
    parts = split_by_shares(cycle.budget_eur, [(s, (e - s).days + 1) for s, e in years])
    return [(s, e, parts[s]) for s, e in years]


def _monthly(qs, date_field: str, value_field: str) -> list[tuple[datetime.date, Decimal]]:
    rows = (
        qs.order_by()
        .annotate(month=TruncMonth(date_field))
        .values_list("month")
        .annotate(total=Sum(value_field))
        .order_by("month")
    )
    return [(month, total) for month, total in rows if total]


def _month_end(month: datetime.date, limit: datetime.date) -> datetime.date:
    if isinstance(month, datetime.datetime):
        month = month.date()
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return min(following - datetime.timedelta(days=1), limit)


def _transactions(activity, cycle: ProjectCycle, today: datetime.date) -> None:
    f = ReportFilters(cycle=cycle.code, date_to=today)
    spending = [
        (
            "4",
            "Equipment delivered to prison workshops",
            _monthly(sources.equipment(f), "delivered_on", "value_eur"),
        ),
        (
            "4",
            "Vocational and other training held",
            _monthly(sources.cohorts_with_participants(f), "start", "cost_eur"),
        ),
        (
            "3",
            "In-kind business grants delivered to former prisoners",
            _monthly(upstream.grants_delivered(f), "delivered_on", "value_eur"),
        ),
    ]
    for code, description, months in spending:
        for month, total in months:
            day = _month_end(month, today)
            transaction = _sub(activity, "transaction")
            _sub(transaction, "transaction-type", code=code)
            _sub(transaction, "transaction-date", iso_date=day.isoformat())
            _sub(transaction, "value", f"{total:.2f}", currency="EUR", value_date=day.isoformat())
            _narrative(transaction, "description", description)


def _value(value) -> str:
    return format(Decimal(value).normalize(), "f")


def _actual(period_element, figure: formulas.Figure, unit: str, public: bool) -> None:
    if figure.value is None:
        return
    limit = disclosure.threshold()
    people = figure.people
    if unit == Indicator.Unit.PERSONS and people is None:
        people = int(figure.value)
    if (
        public
        and unit in (Indicator.Unit.PERSONS, Indicator.Unit.PERCENT)
        and (people is not None and people < limit)
    ):
        actual = _sub(period_element, "actual")
        _narrative(actual, "comment", f"Fewer than {limit} people: not published.")
        return
    _sub(period_element, "actual", value=_value(figure.value))


def _result(activity, indicator: Indicator, periods, public: bool) -> None:
    result = _sub(activity, "result", type=RESULT_TYPE[indicator.level], aggregation_status="false")
    _narrative(result, "title", indicator.name)
    measure = "2" if indicator.unit == Indicator.Unit.PERCENT else "1"
    element = _sub(
        result, "indicator", measure=measure, ascending="true" if indicator.ascending else "false"
    )
    _narrative(element, "title", indicator.name)
    for target in indicator.sdg_list:
        _sub(element, "reference", vocabulary="9", code=target)
    if indicator.baseline_year and indicator.baseline_value is not None:
        _sub(
            element,
            "baseline",
            year=indicator.baseline_year,
            value=_value(indicator.baseline_value),
        )
    for period in periods:
        period_element = _sub(element, "period")
        _sub(period_element, "period-start", iso_date=period.start.isoformat())
        _sub(period_element, "period-end", iso_date=period.end.isoformat())
        if period.target is not None:
            _sub(period_element, "target", value=_value(period.target))
        _actual(period_element, period_actual(indicator, period), indicator.unit, public)


def _default_indicators(cycle: ProjectCycle, today: datetime.date):
    """Unsaved indicators and one period (the cycle until today) for a cycle without any."""
    from resoc.reporting.models import IndicatorPeriod

    out = []
    for name, level, title in DEFAULT_RESULTS:
        formula = formulas.FORMULAS[name]
        indicator = Indicator(
            cycle=cycle,
            code=name,
            name=title,
            unit=formula.unit,
            level=level,
            formula=name,
            ascending=not name.startswith("recidivism"),
        )
        period = IndicatorPeriod(indicator=indicator, start=cycle.start, end=min(cycle.end, today))
        out.append((indicator, [period]))
    return out


def _activity(root, cycle: ProjectCycle, funders, today: datetime.date, public: bool) -> None:
    now = timezone.now().replace(microsecond=0).isoformat()
    activity = _sub(
        root, "iati-activity", last_updated_datetime=now, default_currency="EUR", hierarchy="1"
    )
    activity.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    _sub(activity, "iati-identifier", f"{org_ref()}-{cycle.code}")
    _narrative(
        activity,
        "reporting-org",
        settings.RESOC_PROGRAMME_OPERATOR,
        ref=org_ref(),
        type=getattr(settings, "RESOC_IATI_ORG_TYPE", "21"),
    )
    _narrative(activity, "title", f"{cycle.name} ({cycle.code})")
    _narrative(
        activity,
        "description",
        "Resocialisation of prisoners: equipment for prison workshops, vocational "
        "training, release planning and in-kind business grants.",
        type="1",
    )
    for funder in funders:
        attrs = {"ref": funder.organisation.code, "role": "1"}
        kind = ORGANISATION_TYPE.get(funder.organisation.kind)
        if kind:
            attrs["type"] = kind
        _narrative(activity, "participating-org", funder.organisation.name, **attrs)
    _narrative(
        activity, "participating-org", settings.RESOC_PROGRAMME_OPERATOR, ref=org_ref(), role="4"
    )
    _sub(activity, "activity-status", code=_status(cycle, today))
    _sub(activity, "activity-date", type="1", iso_date=cycle.start.isoformat())
    if cycle.start <= today:
        _sub(activity, "activity-date", type="2", iso_date=cycle.start.isoformat())
    _sub(activity, "activity-date", type="3", iso_date=cycle.end.isoformat())
    if cycle.end < today:
        _sub(activity, "activity-date", type="4", iso_date=cycle.end.isoformat())
    countries = sorted(c.code for c in cycle.countries.all())
    if countries:
        shares = split_by_shares(Decimal(100), [(c, 1) for c in countries])
        for code in countries:
            _sub(activity, "recipient-country", code=code, percentage=_value(shares[code]))
    for code, percentage, name in SECTORS:
        _narrative(
            activity, "sector", name, vocabulary="1", code=code, percentage=_value(percentage)
        )
    indicators = list(cycle.indicators.prefetch_related("periods"))
    for target in sorted({t for i in indicators for t in i.sdg_list}):
        _sub(activity, "tag", vocabulary="3", code=target)
    for start, end, amount in _yearly_budgets(cycle):
        budget = _sub(activity, "budget", type="1", status="2")
        _sub(budget, "period-start", iso_date=start.isoformat())
        _sub(budget, "period-end", iso_date=end.isoformat())
        _sub(budget, "value", f"{amount:.2f}", currency="EUR", value_date=start.isoformat())
    _transactions(activity, cycle, today)
    framework = [(i, list(i.periods.all())) for i in indicators] or _default_indicators(
        cycle, today
    )
    for indicator, periods in framework:
        _result(activity, indicator, periods, public)


def iati_xml(*, today: datetime.date | None = None, public: bool = True) -> bytes:
    """Every cycle as an IATI activity; `public` hides small counts of people."""
    today = today or timezone.localdate()
    now = timezone.now().replace(microsecond=0).isoformat()
    root = etree.Element("iati-activities", {"version": VERSION, "generated-datetime": now})
    cycles = ProjectCycle.objects.order_by("start", "code").prefetch_related("countries")
    funders: dict[int, list] = {}
    for funder in CycleFunder.objects.select_related("organisation").order_by(
        "cycle_id", "-share_percent", "organisation__code"
    ):
        funders.setdefault(funder.cycle_id, []).append(funder)
    for cycle in cycles:
        _activity(root, cycle, funders.get(cycle.pk, []), today, public)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
