from decimal import Decimal

import pytest

from resoc.procurement.pricing import Line, UnsplittableAmount, split_unit_prices


def total(prices, lines):
    return sum((prices[line.key] * line.quantity for line in lines), Decimal("0"))


def test_prices_keep_the_proportions_of_the_estimates():
    lines = [Line("a", 2, Decimal("2000")), Line("b", 1, Decimal("3000"))]
    assert split_unit_prices(Decimal("10000.00"), lines) == {
        "a": Decimal("2000.00"),
        "b": Decimal("6000.00"),
    }


@pytest.mark.parametrize("amount", ["0.01", "1.00", "999.99", "100000.01", "33333.33"])
def test_no_cent_is_lost_when_one_item_is_single(amount):
    lines = [
        Line("a", 3, Decimal("700")),
        Line("b", 7, Decimal("1300.10")),
        Line("c", 1, Decimal("5")),
    ]
    prices = split_unit_prices(Decimal(amount), lines)
    assert total(prices, lines) == Decimal(amount)
    assert all(p >= 0 and p == p.quantize(Decimal("0.01")) for p in prices.values())


def test_items_without_estimates_share_by_quantity():
    lines = [Line("a", 1, Decimal("0")), Line("b", 3, Decimal("0"))]
    assert split_unit_prices(Decimal("400"), lines) == {
        "a": Decimal("100.00"),
        "b": Decimal("100.00"),
    }


def test_an_amount_that_no_unit_prices_can_make_is_refused_with_the_nearest():
    lines = [Line("a", 2, Decimal("1")), Line("b", 4, Decimal("1"))]
    with pytest.raises(UnsplittableAmount) as exc:
        split_unit_prices(Decimal("100.01"), lines)
    assert exc.value.lower == Decimal("100.00")
    prices = split_unit_prices(exc.value.lower, lines)
    assert total(prices, lines) == Decimal("100.00")
