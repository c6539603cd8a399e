import datetime
from decimal import Decimal

import pytest

from resoc.core.money import Rates, split_by_shares, to_eur
from resoc.registry.tests.factories import ExchangeRateFactory

D = Decimal


def test_the_co_financing_example_holds_to_the_cent():
    parts = split_by_shares(D("80000"), [("DE-AA", D("70")), ("RS-DECS", D("30"))])
    assert parts == {"DE-AA": D("56000.00"), "RS-DECS": D("24000.00")}


def test_an_amount_that_does_not_divide_evenly_loses_no_cent():
    parts = split_by_shares(D("100.00"), [("A", D("33.33")), ("B", D("33.33")), ("C", D("33.34"))])
    assert parts == {"A": D("33.33"), "B": D("33.33"), "C": D("33.34")}
    assert sum(parts.values()) == D("100.00")


def test_one_cent_split_three_ways_goes_to_the_largest_share_then_the_first_key():
    equal = split_by_shares(D("0.01"), [("B", D("33.33")), ("A", D("33.33")), ("C", D("33.34"))])
    assert equal == {"A": D("0.00"), "B": D("0.00"), "C": D("0.01")}
    same = split_by_shares(D("0.02"), [("C", D("1")), ("B", D("1")), ("A", D("1"))])
    assert same == {"A": D("0.01"), "B": D("0.01"), "C": D("0.00")}


def test_the_result_does_not_depend_on_the_order_of_the_shares():
    shares = [("X", D("65")), ("Y", D("20")), ("Z", D("15"))]
    first = split_by_shares(D("1234.57"), shares)
    assert split_by_shares(D("1234.57"), list(reversed(shares))) == first
    assert sum(first.values()) == D("1234.57")


@pytest.mark.parametrize(
    "amount", ["0.00", "0.01", "0.05", "1.00", "99.99", "12345.67", "1000000.01", "7"]
)
@pytest.mark.parametrize(
    "shares",
    [
        ["70", "30"],
        ["33.33", "33.33", "33.34"],
        ["65", "20", "15"],
        ["90", "10"],
        ["100"],
        ["0.01", "99.99"],
        ["12.5", "12.5", "25", "50"],
    ],
)
def test_the_parts_always_add_up_to_the_amount(amount, shares):
    parts = split_by_shares(D(amount), [(i, D(s)) for i, s in enumerate(shares)])
    assert sum(parts.values()) == D(amount)
    assert all(p == p.quantize(D("0.01")) and p >= 0 for p in parts.values())


def test_shares_not_totalling_100_split_in_proportion():
    assert split_by_shares(D("10"), [("A", D("1")), ("B", D("3"))]) == {
        "A": D("2.50"),
        "B": D("7.50"),
    }


def test_no_shares_give_no_parts():
    assert split_by_shares(D("10"), []) == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("currency", "units", "amount"),
    [
        ("RSD", "117.3245", "9385960.00"),
        ("BAM", "1.95583", "156466.40"),
        ("ALL", "103.88", "8310400.33"),
        ("RSD", "117.17", "1000.01"),
    ],
)
def test_amounts_in_local_currencies_convert_then_split_without_losing_a_cent(
    currency, units, amount
):
    day = datetime.date(2024, 3, 1)
    ExchangeRateFactory(currency=currency, valid_from=day, units_per_eur=D(units))
    value = to_eur(D(amount), currency, day).amount_eur
    for shares in (["70", "30"], ["33.33", "33.33", "33.34"], ["65", "20", "15"]):
        parts = split_by_shares(value, [(i, D(s)) for i, s in enumerate(shares)])
        assert sum(parts.values()) == value


@pytest.mark.django_db
def test_preloaded_rates_convert_like_to_eur_in_one_query(django_assert_num_queries):
    ExchangeRateFactory(currency="RSD", valid_from=datetime.date(2024, 1, 1), units_per_eur=117)
    ExchangeRateFactory(currency="RSD", valid_from=datetime.date(2024, 6, 1), units_per_eur=120)
    with django_assert_num_queries(1):
        rates = Rates(["RSD", "BAM", "EUR"])
    for day in (datetime.date(2024, 1, 1), datetime.date(2024, 5, 31), datetime.date(2025, 1, 1)):
        assert rates.to_eur(D("1234"), "RSD", day) == to_eur(D("1234"), "RSD", day)
    assert rates.to_eur(D("5"), "EUR", None).amount_eur == D("5.00")
    with pytest.raises(LookupError, match="No exchange rate for RSD on or before 2023-12-31"):
        rates.to_eur(D("1"), "RSD", datetime.date(2023, 12, 31))
    with pytest.raises(LookupError, match="BAM"):
        rates.to_eur(D("1"), "BAM", datetime.date(2024, 1, 1))
