"""Horizontal bar charts drawn on the server as SVG (no script, nothing from elsewhere).

A hidden figure (a donor's `<10`) gets no bar, only its marker, so its length tells nothing."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.template.loader import render_to_string

ROW, GAP, LABEL_WIDTH, BAR_WIDTH, VALUE_WIDTH = 22, 6, 220, 360, 110


@dataclass(frozen=True)
class HBar:
    label: str
    text: str
    y: int
    width: float
    text_x: float
    colour: str


@dataclass(frozen=True)
class HBarChart:
    title: str
    bars: list[HBar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH


def _number(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _marker(value) -> str:
    return "—" if value is None else str(value)


def hbar_chart(
    title: str, points: list[tuple[str, object]], *, text=str, colour="#2e7d32", maximum=None
) -> HBarChart:
    """Bars for [(label, value)], scaled to the largest (or `maximum`); `text` formats values."""
    numbers = [_number(v) for _label, v in points]
    top = maximum or max((n for n in numbers if n is not None), default=Decimal(0))
    bars = []
    for index, ((label, value), number) in enumerate(zip(points, numbers, strict=True)):
        width = float(number / top) * BAR_WIDTH if number and top else 0.0
        bars.append(
            HBar(
                label=str(label),
                text=text(value)
                if number is not None
                else str(value if value is not None else "—"),
                y=index * (ROW + GAP),
                width=round(max(width, 0.0), 1),
                text_x=round(LABEL_WIDTH + max(width, 0.0) + 6, 1),
                colour=colour,
            )
        )
    height = max(len(bars) * (ROW + GAP), ROW)
    return HBarChart(
        title=title, bars=bars, width=LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH, height=height
    )


def render(chart: HBarChart) -> str:
    return render_to_string("reporting/hbar.svg", {"chart": chart})


def money_text(value) -> str:
    number = _number(value)
    return f"{number:,.0f} EUR" if number is not None else str(value)


def results_charts(results: dict) -> list[HBarChart]:
    """The dashboard's and factsheet's charts: investment, funders, people, outcomes."""
    from django.utils.translation import gettext as _

    from resoc.reporting import labels

    money = [(label, results[key]) for key, label in labels.MONEY[:3]]
    trained = results["persons_trained"]
    people = [(label, trained[key]) for key, label in labels.TRAINED[1:5]]
    funders = list(results["funding_by_source_eur"].items())
    rates = [
        (labels.RATE_SHORT[key], results[key]["rate"])
        for key, _part, _title in labels.RATES
        if key in results
    ]
    out = [
        hbar_chart(_("Investment by kind"), money, text=money_text),
        hbar_chart(_("Persons trained by situation"), people, colour="#1565c0"),
    ]
    if funders:
        out.insert(1, hbar_chart(_("Funding by source"), funders, text=money_text))
    out.append(
        hbar_chart(_("Outcomes"), rates, text=labels.percent, colour="#6a1b9a", maximum=Decimal(1))
    )
    return out
