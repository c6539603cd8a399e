"""Turning one cell (text from CSV, or a typed value from xlsx) into a Python value.

A parser raises ValueError with a translated message when the cell is not acceptable. Empty
cells never reach a parser.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})\.?$")


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return str(value).strip()


class Text:
    format = gettext_lazy("Text")

    def __init__(self, *, upper: bool = False):
        self.upper = upper

    def parse(self, value):
        text = _text(value)
        return text.upper() if self.upper else text


class Choice:
    def __init__(self, choices):
        self.choices = list(choices)
        self.values = {str(v).casefold(): v for v, _label in self.choices}

    @property
    def format(self) -> str:
        return _("One of: %(values)s") % {"values": ", ".join(v for v, _label in self.choices)}

    def parse(self, value):
        text = _text(value).casefold()
        if text in self.values:
            return self.values[text]
        for stored, label in self.choices:
            if text == str(label).casefold():
                return stored
        raise ValueError(
            _("“%(value)s” is not allowed; use one of: %(values)s.")
            % {"value": _text(value), "values": ", ".join(v for v, _label in self.choices)}
        )


class Date:
    format = gettext_lazy("Date: YYYY-MM-DD or DD.MM.YYYY")

    def parse(self, value):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = _text(value)
        if match := _ISO.match(text):
            year, month, day = match.groups()
        elif match := _DOTTED.match(text):
            day, month, year = match.groups()
        else:
            raise ValueError(
                _("“%(value)s” is not a date; use YYYY-MM-DD or DD.MM.YYYY.") % {"value": text}
            )
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(_("“%(value)s” is not a valid date.") % {"value": text}) from None


class Number:
    """A decimal number; a comma is accepted as the decimal separator, thousands marks are not."""

    format = gettext_lazy("Number, e.g. 117.25")

    def parse(self, value):
        if isinstance(value, bool):
            raise ValueError(_("Expected a number."))
        if isinstance(value, int | float | Decimal):
            return Decimal(str(value))
        text = _text(value).replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": _text(value)}) from None
        if not number.is_finite():
            raise ValueError(_("“%(value)s” is not a number.") % {"value": _text(value)})
        return number


class Integer:
    format = gettext_lazy("Whole number")

    def parse(self, value):
        number = Number().parse(value)
        if number != number.to_integral_value():
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": _text(value)})
        return int(number)


class Ref:
    """The code of another record; resolved for all rows at once (one query per model)."""

    def __init__(self, model, field: str = "code", *, upper: bool = False):
        self.model = model
        self.field = field
        self.upper = upper

    @property
    def format(self) -> str:
        return _("Code of an existing %(model)s") % {"model": self.model._meta.verbose_name}

    def parse(self, value):
        text = _text(value)
        return text.upper() if self.upper else text

    def missing(self, code) -> str:
        return _("There is no %(model)s with the code “%(code)s”.") % {
            "model": self.model._meta.verbose_name,
            "code": code,
        }
