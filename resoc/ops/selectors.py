"""Reads for operations: readiness of the service, and everything held on one person."""

import datetime
import decimal
import logging
import uuid
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, models
from django.utils import timezone

from resoc.audit.models import AuditEntry
from resoc.ops import retention
from resoc.people.models import Person

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "resoc-access-export"
EXPORT_VERSION = 1


def readiness() -> dict[str, bool]:
    """Whether the database, the cache's table and the task queue's table answer. Never raises."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = True
    except Exception:
        logger.exception("Readiness: the database does not answer")
        checks["database"] = False
    try:
        # The database cache holds the login lock-out counters: logins fail without its table.
        cache.get("resoc:readyz")
        checks["cache"] = True
    except Exception:
        logger.exception("Readiness: the cache does not answer (run `resoc createcachetable`)")
        checks["cache"] = False
    if apps.is_installed("django_tasks_db"):
        try:
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.exists()
            checks["task_queue"] = True
        except Exception:
            logger.exception("Readiness: the task queue's table does not answer")
            checks["task_queue"] = False
    return checks


# The right of access ------------------------------------------------------------------------


@dataclass
class Column:
    name: str
    title: str
    choices: dict
    readable: bool  # shown in the PDF; keys, timestamps and search keys are in the JSON only

    def show(self, value):
        if isinstance(value, dict | list):  # a JSON field: e.g. a plan's goals, by domain
            return _readable(value)
        return self.choices.get(value, value)


def _readable(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_readable(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_readable(item) for item in value)
    return "" if value is None else str(value)


@dataclass
class Section:
    label: str  # app_label.model
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)

    @property
    def readable(self) -> list[Column]:
        return [c for c in self.columns if c.readable]

    def cells(self) -> list[list]:
        return [[c.show(row[c.name]) for c in self.readable] for row in self.rows]

    def pairs(self) -> list[tuple[str, object]]:
        """The first row as (title, value): the person's own record."""
        return [(c.title, c.show(self.rows[0][c.name])) for c in self.readable] if self.rows else []


@dataclass
class AccessExport:
    person: Section
    sections: list[Section]
    audit: list[dict]
    generated_at: datetime.datetime

    def as_json(self) -> dict:
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "generated_at": self.generated_at.isoformat(),
            "person": self.person.rows[0],
            "records": {s.label: s.rows for s in self.sections},
            "audit": self.audit,
        }

    def counts(self) -> dict[str, int]:
        return {s.title: len(s.rows) for s in self.sections} | {"audit": len(self.audit)}


def _plain(value):
    """A value as JSON holds it: dates as ISO text, decimals as text, files by name."""
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name.rsplit("/", 1)[-1] if value else ""
    if isinstance(value, models.Model):
        return str(value)
    return value


def _shown_fields(model) -> list[models.Field]:
    """The record's fields, less links to the staff users (not the person's data)."""
    return [
        f
        for f in model._meta.concrete_fields
        if not (f.is_relation and f.related_model is apps.get_model(settings.AUTH_USER_MODEL))
        and not (f.is_relation and f.related_model is Person)
    ]


def _column(f: models.Field) -> Column:
    technical = (
        f.primary_key
        or getattr(f, "auto_now", False)
        or getattr(f, "auto_now_add", False)
        or (not f.editable and isinstance(f, models.CharField))
    )
    choices = {value: str(label) for value, label in f.flatchoices} if f.choices else {}
    return Column(f.name, str(f.verbose_name), choices, not technical)


def _section(model, queryset) -> Section:
    shown = _shown_fields(model)
    related = [f.name for f in shown if f.is_relation]
    rows = []
    for obj in queryset.select_related(*related).order_by("pk"):
        rows.append({f.name: _plain(getattr(obj, f.name)) for f in shown})
    return Section(
        label=model._meta.label_lower,
        title=str(model._meta.verbose_name_plural),
        columns=[_column(f) for f in shown],
        rows=rows,
    )


def _related_querysets(person: Person):
    """The registered records of the person, then every other model pointing at the person."""
    seen = {Person}
    for entry in retention.registered():
        if entry.model not in seen:
            seen.add(entry.model)
            yield entry.model, entry.rows_of([person.pk])
    for rel in Person._meta.related_objects:
        model = rel.related_model
        if model in seen or model._meta.auto_created:
            continue
        seen.add(model)
        yield model, model._default_manager.filter(**{rel.field.name: person})


def access_export_collect(*, person: Person) -> AccessExport:
    """Everything held on one person. The caller checked the scope (person_get_for_user)."""
    person_section = _section(Person, Person.objects.filter(pk=person.pk))
    sections = [_section(model, qs) for model, qs in _related_querysets(person)]
    audit = [
        {"at": timezone.localtime(at).isoformat(), "action": action}
        for at, action in AuditEntry.objects.filter(person_ref=person.ref)
        .order_by("id")
        .values_list("at", "action")
    ]
    return AccessExport(person_section, sections, audit, timezone.now())
