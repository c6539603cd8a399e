import datetime
from decimal import Decimal

import pytest

from resoc.core.money import MissingExchangeRate, to_eur
from resoc.registry.tests.factories import ExchangeRateFactory


@pytest.mark.django_db
def test_conversion_uses_latest_rate_on_or_before_the_date():
    ExchangeRateFactory(
        currency="RSD", valid_from=datetime.date(2024, 1, 1), units_per_eur=Decimal("117")
    )
    ExchangeRateFactory(
        currency="RSD", valid_from=datetime.date(2024, 6, 1), units_per_eur=Decimal("120")
    )
    assert to_eur(Decimal("1170"), "RSD", datetime.date(2024, 5, 31)).amount_eur == Decimal("10.00")
    result = to_eur(Decimal("1200"), "rsd", datetime.date(2024, 6, 1))
    assert result.amount_eur == Decimal("10.00")
    assert result.rate_valid_from == datetime.date(2024, 6, 1)


@pytest.mark.django_db
def test_missing_rate_is_a_clear_error():
    ExchangeRateFactory(currency="BAM", valid_from=datetime.date(2024, 1, 1))
    with pytest.raises(
        MissingExchangeRate, match="No exchange rate for BAM on or before 2023-12-31"
    ):
        to_eur(Decimal("10"), "BAM", datetime.date(2023, 12, 31))


def test_euro_converts_to_itself_without_a_rate():
    assert to_eur(Decimal("12.345"), "EUR", datetime.date(2020, 1, 1)).amount_eur == Decimal(
        "12.35"
    )
