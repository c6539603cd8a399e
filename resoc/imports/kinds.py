"""The registry of import kinds. An app adds its own in `<app>/importers.py`, e.g.:

    from resoc.imports.kinds import Kind, field_column, register
    from resoc.imports.plan import upsert_apply

    register(Kind(
        name="workshops",
        label=gettext_lazy("Workshops"),
        columns=tuple(field_column(Workshop, n) for n in ("code", "institution", "name", "trade")),
        key=("code",),
        apply=upsert_apply(Workshop, key=("code",)),
    ))

`field_column` takes the parser, validators, requiredness and help from the model field (a
foreign key becomes the related record's code). When columns do not map one to one onto one
model, `apply` plans the records itself with `resoc.imports.plan.upsert` (see persons).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from resoc.imports import parsers


@dataclass(frozen=True)
class Column:
    name: str
    parser: Any
    required: bool = False
    help: str = ""
    # A model field whose validators (format, choices, length, range) run on the parsed value.
    field: models.Field | None = None
    # What an empty cell means.
    empty: Any = ""

    @property
    def format(self) -> str:
        max_length = getattr(self.field, "max_length", None)
        if isinstance(self.parser, parsers.Text) and max_length:
            return _("Text, at most %(count)s characters") % {"count": max_length}
        return str(self.parser.format)


@dataclass
class Row:
    number: int
    values: dict

    def __getitem__(self, name):
        return self.values[name]

    def __contains__(self, name) -> bool:
        return name in self.values

    def get(self, name, default=None):
        return self.values.get(name, default)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    columns: tuple[Column, ...]
    # Column names of the natural key: two rows with the same key in one file are an error.
    key: tuple[str, ...]
    # apply(plan, rows): plan the upserts (see resoc.imports.plan); writes happen afterwards.
    apply: Callable
    # check_row(row) -> [(column, message)]: rules between the columns of one row.
    check_row: Callable | None = None
    description: str = ""
    # reshape(table) -> Reshaped | None: another layout of the same data (e.g. one column per
    # date) turned into the kind's columns; None when the table is in the kind's own layout.
    reshape: Callable | None = None

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass
class Reshaped:
    """A table in the kind's layout made from another one, and where each of its rows came from:
    origins[i] = (row of the file, {column: the file's column}) for the i-th data row."""

    table: list[list]
    origins: list[tuple[int, dict[str, str]]]

    def row_of(self, number: int) -> int:
        return self.origins[number - 2][0] if number and number >= 2 else number

    def error(self, error):
        """The error of a reshaped row, naming the file's row and column."""
        if error.row is None or error.row < 2:
            return error
        row, columns = self.origins[error.row - 2]
        return type(error)(row, columns.get(error.column, error.column), error.message)


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if kind.name in _KINDS and _KINDS[kind.name] != kind:
        raise ValueError(f"Import kind {kind.name!r} is registered twice.")
    _KINDS[kind.name] = kind
    return kind


def kind_get(name: str) -> Kind | None:
    return _KINDS.get(name)


def kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: k.name)


def field_column(
    model,
    name: str,
    *,
    column: str | None = None,
    required: bool | None = None,
    help=None,
    parser=None,
) -> Column:
    """A column for a model field: parser, validators, requiredness and help from the field."""
    field = model._meta.get_field(name)
    if parser is not None:
        validated = None if field.is_relation else field
    elif field.is_relation:
        target = field.related_model
        upper = target._meta.label_lower == "registry.country"
        parser, validated = parsers.Ref(target, "code", upper=upper), None
    elif field.choices:
        parser, validated = parsers.Choice(field.choices), field
    elif isinstance(field, models.DateField):
        parser, validated = parsers.Date(), field
    elif isinstance(field, models.DecimalField):
        parser, validated = parsers.Number(), field
    elif isinstance(field, models.IntegerField):
        parser, validated = parsers.Integer(), field
    else:
        parser, validated = parsers.Text(), field
    return Column(
        name=column or name,
        parser=parser,
        required=(not field.blank) if required is None else required,
        help=help if help is not None else capfirst(field.verbose_name),
        field=validated,
        empty=""
        if isinstance(field, models.CharField | models.TextField) and not field.null
        else None,
    )
