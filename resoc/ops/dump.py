"""Every model's table as JSON lines, portable between SQLite and PostgreSQL.

A row is a JSON array of its columns' values in the table's column order: dates, times and
decimals as text, datetimes in UTC, binary data in base64, JSON columns as they are. Loading
turns each value back with its field's `to_python` and writes it with the field's own database
preparation, so the same file loads into either database. A table's checksum adds up the
SHA-256 of its lines (modulo 2**256), so it does not depend on the order the rows come in.
"""

import base64
import datetime
import decimal
import hashlib
import json
import uuid

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models
from django.utils.duration import duration_iso_string

INSERT_BATCH = 500
READ_CHUNK = 2000
_MOD = 2**256


def _encode(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode()
    return value


def line_of(values) -> str:
    return json.dumps([_encode(v) for v in values], sort_keys=True, ensure_ascii=False)


class Digest:
    """An order-independent checksum of a table's lines."""

    def __init__(self):
        self.total, self.rows = 0, 0

    def add(self, line: str) -> None:
        self.total = (self.total + int(hashlib.sha256(line.encode()).hexdigest(), 16)) % _MOD
        self.rows += 1

    @property
    def hexdigest(self) -> str:
        return f"{self.total:064x}"


def tables() -> list[type[models.Model]]:
    """The models whose tables exist in the database, one per table, by table name."""
    existing = set(connection.introspection.table_names())
    found = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and not meta.swapped and meta.db_table in existing:
            found.setdefault(meta.db_table, model)
    return [found[name] for name in sorted(found)]


def columns(model) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def rows(model):
    """The table's rows as JSON lines, by primary key."""
    names = [f.attname for f in columns(model)]
    queryset = model._base_manager.order_by("pk").values_list(*names)
    for values in queryset.iterator(chunk_size=READ_CHUNK):
        yield line_of(values)


def digest_of(model) -> Digest:
    digest = Digest()
    for line in rows(model):
        digest.add(line)
    return digest


def _decode(field: models.Field, value):
    if value is None or isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


class Loader:
    """Inserts one table's lines as they are, primary keys included, in batches."""

    def __init__(self, model, column_names: list[str]):
        fields = {f.attname: f for f in columns(model)}
        unknown = [name for name in column_names if name not in fields]
        if unknown or len(column_names) != len(fields):
            raise ValueError(
                f"{model._meta.db_table}: the backup's columns {column_names} do not match "
                f"this installation's {list(fields)}."
            )
        self.fields = [fields[name] for name in column_names]
        quote = connection.ops.quote_name
        # Names from the models' own metadata, quoted; the values go as parameters.
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(model._meta.db_table),
            ", ".join(quote(f.column) for f in self.fields),
            ", ".join(["%s"] * len(self.fields)),
        )
        self.pending = []
        self.digest = Digest()

    def add(self, line: str) -> None:
        self.digest.add(line)
        values = json.loads(line)
        self.pending.append(
            [
                f.get_db_prep_save(_decode(f, v), connection)
                for f, v in zip(self.fields, values, strict=True)
            ]
        )
        if len(self.pending) >= INSERT_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.pending)
            self.pending = []


def wipe(models_to_wipe) -> None:
    """Empty the tables (TRUNCATE on PostgreSQL: the audit trail's row triggers do not fire)."""
    names = [m._meta.db_table for m in models_to_wipe]
    statements = connection.ops.sql_flush(
        no_style(), names, reset_sequences=True, allow_cascade=True
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Changes made earlier in this transaction may still owe deferred checks, and
            # TRUNCATE refuses tables with pending checks: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in statements:
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def reset_sequences(models_loaded) -> None:
    """Make the next automatic primary keys follow the restored ones (PostgreSQL)."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models_loaded)):
            cursor.execute(sql)
