"""Splitting an order's amount into the unit prices of the lot's items, to the cent.

The amount is shared in proportion to the items' estimated totals (unit price × quantity as
specified; by quantity when nothing was estimated). Each item gets a whole-cent unit price and
the items' totals (unit price × quantity) add up to the amount exactly: largest remainders first,
one cent per unit at a time. Some amounts cannot be written so (two items of quantity 2 cannot
total an odd number of cents); then `UnsplittableAmount` names the nearest amount that can.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

CENT = Decimal("0.01")


class UnsplittableAmount(ValueError):
    def __init__(self, amount: Decimal, lower: Decimal):
        self.amount, self.lower = amount, lower
        super().__init__(f"{amount} cannot be split into whole-cent unit prices; {lower} can.")


@dataclass(frozen=True)
class Line:
    key: object
    quantity: int
    estimated_total: Decimal


def split_unit_prices(amount: Decimal, lines: list[Line]) -> dict:
    """{key: unit price} whose totals add up to `amount`."""
    if not lines:
        return {}
    cents = int((amount / CENT).to_integral_value())
    weights = [Fraction(line.estimated_total) for line in lines]
    if sum(weights) <= 0:
        weights = [Fraction(line.quantity) for line in lines]
    total_weight = sum(weights)
    ideal = [
        cents * w / (total_weight * line.quantity) for w, line in zip(weights, lines, strict=True)
    ]
    units = [int(p) for p in ideal]  # floor: prices are not negative
    left = cents - sum(u * line.quantity for u, line in zip(units, lines, strict=True))
    # Largest remainder first; equal remainders by the order given (codes, for stable results).
    order = sorted(range(len(lines)), key=lambda i: (-(ideal[i] - units[i]), i))
    while left > 0:
        placed = False
        for i in order:
            if lines[i].quantity <= left:
                units[i] += 1
                left -= lines[i].quantity
                placed = True
                if left == 0:
                    break
        if not placed:
            raise UnsplittableAmount(amount, Decimal(cents - left) * CENT)
    return {line.key: Decimal(u) * CENT for u, line in zip(units, lines, strict=True)}
