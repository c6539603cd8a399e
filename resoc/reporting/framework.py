"""The results framework of a cycle: each indicator's baseline, targets and actuals per period,
computed by its formula (or as entered), and disaggregated by sex, age band, country and kind of
institution. A donor's copy hides small counts as the key results do."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from resoc.registry.models import Institution, ProjectCycle
from resoc.reporting import disclosure, formulas
from resoc.reporting.filters import ReportFilters
from resoc.reporting.models import Indicator, IndicatorPeriod

SEX_VALUES = [("F", _("Women")), ("M", _("Men"))]
AGE_VALUES = [("under_18", _("under 18")), ("18_29", _("18 to 29")), ("30_plus", _("30 and over"))]
DIMENSION_LABELS = {
    formulas.SEX: _("Sex"),
    formulas.AGE: _("Age band"),
    formulas.COUNTRY: _("Country"),
    formulas.KIND: _("Kind of institution"),
}


@dataclass
class PeriodRow:
    period: IndicatorPeriod
    target: Decimal | None
    actual: object  # a Decimal, a donor's marker, or None
    people: int | None = None
    achieved: float | None = None  # actual / target, 0..n


@dataclass
class IndicatorRow:
    indicator: Indicator
    formula_label: str
    periods: list[PeriodRow] = field(default_factory=list)


def _filters(indicator: Indicator, period: IndicatorPeriod, **extra) -> ReportFilters:
    return ReportFilters(
        cycle=indicator.cycle.code, date_from=period.start, date_to=period.end, **extra
    )


def _counts_people(indicator: Indicator) -> bool:
    return indicator.unit in (Indicator.Unit.PERSONS, Indicator.Unit.PERCENT)


def _shown(indicator: Indicator, value, people: int | None, donor: bool):
    if not donor or value is None or not _counts_people(indicator):
        return value
    limit = disclosure.threshold()
    if indicator.unit == Indicator.Unit.PERSONS and people is None:
        people = int(value)
    if people is not None and people < limit:
        return f"<{limit}"
    return value


def period_actual(indicator: Indicator, period: IndicatorPeriod) -> formulas.Figure:
    if indicator.formula in formulas.FORMULAS:
        return formulas.compute(indicator.formula, _filters(indicator, period))
    return formulas.Figure(period.actual)


def framework_rows(cycle: ProjectCycle, *, donor: bool) -> list[IndicatorRow]:
    """Targets against actuals of each indicator of the cycle, period by period."""
    indicators = (
        Indicator.objects.filter(cycle=cycle).select_related("cycle").prefetch_related("periods")
    )
    rows = []
    for indicator in indicators:
        formula = formulas.FORMULAS.get(indicator.formula)
        row = IndicatorRow(indicator, str(formula.label) if formula else str(_("entered by hand")))
        for period in indicator.periods.all():
            figure = period_actual(indicator, period)
            shown = _shown(indicator, figure.value, figure.people, donor)
            achieved = None
            if isinstance(shown, Decimal) and period.target:
                achieved = float(shown / period.target)
            row.periods.append(PeriodRow(period, period.target, shown, figure.people, achieved))
        rows.append(row)
    return rows


def dimension_values(cycle: ProjectCycle) -> dict[str, list[tuple[str, str]]]:
    return {
        formulas.SEX: SEX_VALUES,
        formulas.AGE: AGE_VALUES,
        formulas.COUNTRY: [(c.code, c.name) for c in cycle.countries.order_by("name")],
        formulas.KIND: list(Institution.Kind.choices),
    }


def disaggregation(indicator: Indicator, period: IndicatorPeriod, *, donor: bool) -> list:
    """[(dimension label, [(value label, shown value)])] for a computed indicator's period."""
    if indicator.formula not in formulas.FORMULAS:
        return []
    total = period_actual(indicator, period)
    out = []
    for dimension, values in dimension_values(indicator.cycle).items():
        figures = formulas.compute_by(
            indicator.formula, _filters(indicator, period), dimension, [v for v, _l in values]
        )
        if figures is None:
            continue
        cells = {value: figures[value] for value, _label in values}
        shown = {v: f.value for v, f in cells.items()}
        if donor and _counts_people(indicator):
            shown = _suppressed_cells(indicator, cells, total)
        out.append(
            (DIMENSION_LABELS[dimension], [(label, shown[value]) for value, label in values])
        )
    return out


def _suppressed_cells(indicator: Indicator, cells: dict, total: formulas.Figure) -> dict:
    limit = disclosure.threshold()
    if indicator.unit == Indicator.Unit.PERCENT:
        return {
            v: f"<{limit}" if (f.people or 0) < limit and f.value is not None else f.value
            for v, f in cells.items()
        }
    counts = {v: int(f.people or 0) for v, f in cells.items()}
    overall = int(total.people or 0)
    shown = {v: f.value for v, f in cells.items()}
    values = dict(counts)
    disclosure.suppress_table(values, list(counts), max(overall, sum(counts.values())), limit)
    for v, marked in values.items():
        if isinstance(marked, str):
            shown[v] = marked
    return shown
