"""Money is a Decimal with a currency, converted to EUR at the recorded rate of the day."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

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
