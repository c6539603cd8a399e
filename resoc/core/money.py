"""Money is a Decimal with a currency, converted to EUR at the recorded rate of the day."""

import datetime
from bisect import bisect_right
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

CENT = Decimal("0.01")


class MissingExchangeRate(LookupError):
    def __init__(self, currency: str, on: datetime.date):
        self.currency, self.on = currency, on
        super().__init__(
            _("No exchange rate for %(currency)s on or before %(date)s.")
            % {"currency": currency, "date": on.isoformat()}
        )


@dataclass(frozen=True)
class Conversion:
    amount_eur: Decimal
    units_per_eur: Decimal
    rate_valid_from: datetime.date | None


def to_eur(amount: Decimal, currency: str, on: datetime.date) -> Conversion:
    """Convert with the latest rate valid on or before `on`; EUR converts to itself."""
    from resoc.registry.models import ExchangeRate

    currency = currency.upper()
    if currency == "EUR":
        return Conversion(amount.quantize(CENT, ROUND_HALF_UP), Decimal(1), None)
    rate = (
        ExchangeRate.objects.filter(currency=currency, valid_from__lte=on)
        .order_by("-valid_from")
        .first()
    )
    if rate is None:
        raise MissingExchangeRate(currency, on)
    eur = (amount / rate.units_per_eur).quantize(CENT, ROUND_HALF_UP)
    return Conversion(eur, rate.units_per_eur, rate.valid_from)


def split_by_shares(amount: Decimal, shares) -> dict:
    """Split `amount` to the cent among [(key, share)], in proportion to the shares.

    No cent is lost: the parts always add up to `amount` rounded to the cent. Each part is first
    rounded down; the cents left over go to the largest remainders, ties to the larger share, then
    to the smaller key (so the result does not depend on the order of `shares`). Shares need not
    total 100: a part is share / sum of shares. Keys must be distinct and comparable.
    """
    shares = list(shares)
    if not shares:
        return {}
    cents = int((amount * 100).to_integral_value(ROUND_HALF_UP))
    sign, cents = (-1 if cents < 0 else 1), abs(cents)
    weights = [(key, Fraction(share)) for key, share in shares]
    if any(w < 0 for _key, w in weights):
        raise ValueError("Shares cannot be negative.")
    total = sum((w for _key, w in weights), Fraction(0))
    if total == 0:
        raise ValueError("The shares total zero.")
    parts, remainders = {}, []
    for key, weight in weights:
        exact = cents * weight / total
        parts[key] = exact.numerator // exact.denominator
        remainders.append((exact - parts[key], weight, key))
    left = cents - sum(parts.values())
    remainders.sort(key=lambda r: (-r[0], -r[1], r[2]))
    for _remainder, _weight, key in remainders[:left]:
        parts[key] += 1
    return {key: (sign * Decimal(c) / 100).quantize(CENT) for key, c in parts.items()}


class Rates:
    """The recorded rates of some currencies, read in one query, to convert many amounts."""

    def __init__(self, currencies):
        from resoc.registry.models import ExchangeRate

        wanted = {c.upper() for c in currencies if c} - {"EUR"}
        self._by_currency: dict[str, list] = {c: [] for c in wanted}
        rows = ExchangeRate.objects.filter(currency__in=wanted).order_by("currency", "valid_from")
        for currency, valid_from, units in rows.values_list(
            "currency", "valid_from", "units_per_eur"
        ):
            self._by_currency[currency].append((valid_from, units))
        self._days = {c: [r[0] for r in rates] for c, rates in self._by_currency.items()}

    def to_eur(self, amount: Decimal, currency: str, on: datetime.date) -> Conversion:
        """As `to_eur`, without a query."""
        currency = currency.upper()
        if currency == "EUR":
            return Conversion(amount.quantize(CENT, ROUND_HALF_UP), Decimal(1), None)
        index = bisect_right(self._days.get(currency, []), on) - 1
        if index < 0:
            raise MissingExchangeRate(currency, on)
        valid_from, units = self._by_currency[currency][index]
        return Conversion((amount / units).quantize(CENT, ROUND_HALF_UP), units, valid_from)
