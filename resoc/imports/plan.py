"""Planning an import: which records to create, update or leave alone, then writing them.

A kind's `apply` calls `upsert` once per model. Nothing touches the database but the reads of
existing records until `Plan.write`, which runs only when the whole plan has no errors.
"""

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from resoc.audit.services import Event, model_changes
from resoc.core.services import field_values
from resoc.imports.bulk import bulk_update
from resoc.imports.errors import RowError

CHUNK = 500
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class RowOutcome:
    number: int
    action: str
    label: str
    fields: list[str] = field(default_factory=list)


@dataclass
class _Change:
    verb: str
    obj: models.Model
    before: dict
    person_ref: str


@dataclass
class _Batch:
    model: type
    creates: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    fields: set = field(default_factory=set)


class Plan:
    def __init__(self, kind):
        self.kind = kind
        self.errors: list[RowError] = []
        self.outcomes: dict[int, RowOutcome] = {}
        self._batches: list[_Batch] = []
        self._changes: list[_Change] = []

    def error(self, row, column: str, message: str) -> None:
        self.errors.append(RowError(getattr(row, "number", row), column, str(message)))

    def mark(self, row, action: str, *, fields=(), primary: bool = True) -> None:
        """The row's action is its primary record's; a change to a secondary one is an update."""
        outcome = self.outcomes.get(row.number)
        if outcome is None or primary:
            self.outcomes[row.number] = RowOutcome(row.number, action, _label(self.kind, row))
            self.outcomes[row.number].fields = list(fields)
        elif action != UNCHANGED:
            if outcome.action == UNCHANGED:
                outcome.action = UPDATED
            outcome.fields += list(fields)

    def create(self, model, objs: list, *, person_ref: str = "") -> None:
        """Plan plain inserts of records without a natural key (e.g. history), after the
        records planned so far; each is audited as created."""
        self._batches.append(_Batch(model, creates=list(objs)))
        self._changes += [_Change(CREATED, obj, {}, person_ref) for obj in objs]

    def counts(self) -> dict:
        counts = {CREATED: 0, UPDATED: 0, UNCHANGED: 0}
        for outcome in self.outcomes.values():
            counts[outcome.action] += 1
        return counts

    def rows(self) -> list[RowOutcome]:
        return [self.outcomes[n] for n in sorted(self.outcomes)]

    def write(self) -> list[Event]:
        """Bulk-write the planned records in order; return the audit events for them."""
        for batch in self._batches:
            manager = batch.model._default_manager
            if batch.creates:
                manager.bulk_create(batch.creates, batch_size=CHUNK)
            if batch.updates:
                bulk_update(batch.model, batch.updates, sorted(batch.fields), batch_size=CHUNK)
        return [
            Event(
                action=f"{c.obj._meta.label_lower}.{c.verb}",
                obj=c.obj,
                person_ref=c.person_ref,
                detail={
                    "changes": model_changes(c.before, field_values(c.obj)),
                    "import": self.kind.name,
                },
            )
            for c in self._changes
        ]


def _label(kind, row) -> str:
    parts = []
    for name in kind.key:
        value = row.get(name)
        if isinstance(value, models.Model):
            value = getattr(value, "code", value)
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        parts.append(str(value))
    return " · ".join(parts)


def _part(value):
    if isinstance(value, models.Model):
        return value.pk if value.pk is not None else ("new", id(value))
    return value


def _differs(obj, f, value) -> bool:
    if f.is_relation:
        return getattr(obj, f.attname) != (None if value is None else value.pk)
    return getattr(obj, f.attname) != value


def _existing(model, keys: list[tuple], key: tuple[str, ...]) -> dict:
    """The stored records with these natural keys: one query per CHUNK keys."""
    attnames = [model._meta.get_field(name).attname for name in key]
    found = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        filters = Q()
        for i, a in enumerate(attnames):
            values = {k[i] for k in chunk}
            # `__in` never matches NULL: an empty key part (e.g. no buyer) is asked for apart.
            part = Q(**{f"{a}__in": values - {None}})
            filters &= part | Q(**{f"{a}__isnull": True}) if None in values else part
        for obj in model._default_manager.filter(filters).order_by():
            found[tuple(getattr(obj, a) for a in attnames)] = obj
    return found


def upsert(
    plan: Plan,
    *,
    model,
    items: list,
    key: tuple[str, ...],
    person_ref=None,
    primary: bool = True,
    prepare=None,
    derived: tuple[str, ...] = (),
) -> dict:
    """Plan one `model` record per (row, {field: value}) item; return {key: record}.

    Related records are given as instances, possibly new ones planned by an earlier upsert.
    Fields absent from an item's values are left as they are; unchanged records are not written
    nor audited. person_ref(values) names the person for the audit trail. Bulk writes skip
    `save()`, so prepare(record) does its work on new and changed records, setting the
    `derived` fields.
    """
    keyed = [(tuple(_part(values[n]) for n in key), row, values) for row, values in items]
    storable = list({k for k, _row, _values in keyed if not any(isinstance(p, tuple) for p in k)})
    existing = _existing(model, storable, key)
    batch = _Batch(model)
    records = {}
    for k, row, values in keyed:
        if k in records:
            plan.error(row, "+".join(key), _("The same key appears twice."))
            continue
        ref = person_ref(values) if person_ref else ""
        obj = existing.get(k)
        if obj is None:
            obj = model(**values)
            if prepare:
                prepare(obj)
            batch.creates.append(obj)
            plan._changes.append(_Change(CREATED, obj, {}, ref))
            created = [] if primary else [str(model._meta.verbose_name)]
            plan.mark(row, CREATED, fields=created, primary=primary)
        else:
            changed = [n for n, v in values.items() if _differs(obj, model._meta.get_field(n), v)]
            if changed:
                before = field_values(obj)
                for name in changed:
                    setattr(obj, name, values[name])
                if prepare:
                    prepare(obj)
                batch.updates.append(obj)
                batch.fields.update(changed, derived)
                plan._changes.append(_Change(UPDATED, obj, before, ref))
                plan.mark(row, UPDATED, fields=changed, primary=primary)
            else:
                plan.mark(row, UNCHANGED, primary=primary)
        records[k] = obj
    plan._batches.append(batch)
    return records


def upsert_apply(model, *, key: tuple[str, ...]):
    """The `apply` of a kind whose columns are exactly fields of `model`."""

    def apply(plan: Plan, rows: list) -> None:
        upsert(plan, model=model, items=[(row, dict(row.values)) for row in rows], key=key)

    return apply
