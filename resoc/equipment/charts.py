"""Bar charts drawn on the server as SVG (no script, nothing from elsewhere)."""

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 720, 240
TOP, BOTTOM, LEFT, RIGHT = 20, 36, 64, 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: Decimal
    label_x: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    maximum: Decimal
    width: int = WIDTH
    height: int = HEIGHT
    top: int = TOP
    left: int = LEFT
    baseline: int = HEIGHT - BOTTOM

    @property
    def empty(self) -> bool:
        return self.maximum == 0


def bar_chart(points: list[tuple[str, Decimal]]) -> BarChart:
    """Bars for [(label, value)], scaled to the largest value; negative values count as 0."""
    values = [max(Decimal(v or 0), Decimal(0)) for _label, v in points]
    maximum = max(values, default=Decimal(0))
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    bars = []
    for index, ((text, _raw), value) in enumerate(zip(points, values, strict=True)):
        height = float(value / maximum) * plot_height if maximum else 0.0
        x = LEFT + index * slot + slot * 0.15
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(HEIGHT - BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=text,
                value=value,
                label_x=round(x + slot * 0.35, 1),
            )
        )
    return BarChart(bars=bars, maximum=maximum)
