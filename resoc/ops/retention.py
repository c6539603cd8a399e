"""Which records hold personal data, and when a person's identity is due for pseudonymisation.

Each app declares the personal data of its models in its own `personal_data.py` (discovered at
start-up), so that retention blanks it and the right-of-access export finds it:

    from resoc.ops.retention import register
    register(WorkAssignment, person_path="person", fields=["notes"], activity=["start", "end"])

- `person_path`: the lookup from the model to its `people.Person` ("" for Person itself);
- `fields`: text fields blanked on pseudonymisation (nullable fields become NULL, JSON fields
  their default, e.g. `{}`): names, contacts, free-text notes. Statuses, dates, amounts, flags and
  choices stay, so that every figure stays the same;
- `files`: file fields whose files are deleted (and the field emptied);
- `activity`: date fields that keep a person's identity while one of them is recent; a path
  through a relation may name another record's date (`"cohort__end"`);
- `ongoing`: a condition marking a record as still current (an open custody), which keeps the
  person's identity whatever its dates;
- `values`: other fields set on pseudonymisation (`{"published": False}`: a story about them is
  taken down), for what must not stay as it was once the text is gone. Not for what is counted.

A model holding nothing to blank is registered all the same (with its path only) when it is
about the person, so that the right-of-access export finds it.

Retention rules say whose identity is due: `rule(name)` registers a function returning the
people whose last record of that kind ended on or before a cutoff day. Their periods come from
`settings.RESOC_RETENTION_YEARS` (0 turns a rule off).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet

DEFAULT_YEARS = 10


@dataclass(frozen=True)
class PersonalData:
    model: type[models.Model]
    person_path: str
    fields: tuple[str, ...]
    files: tuple[str, ...]
    activity: tuple[str, ...]
    ongoing: Q | None
    values: tuple[tuple[str, object], ...] = ()

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def person_lookup(self, suffix: str = "") -> str:
        path = self.person_path or "pk"
        return f"{path}__{suffix}" if suffix else path

    def rows_of(self, person_ids) -> QuerySet:
        return self.model._default_manager.filter(**{self.person_lookup("in"): person_ids})

    def blanks(self) -> dict:
        return {name: _blank(self.model._meta.get_field(name)) for name in self.fields}

    def changes(self) -> dict:
        """Every field's value once the person is pseudonymised, for one `update()`."""
        return self.blanks() | dict.fromkeys(self.files, "") | dict(self.values)


def _blank(field: models.Field):
    if field.null:
        return None
    if isinstance(field, models.JSONField):
        return field.get_default()
    return ""


_REGISTRY: dict[str, PersonalData] = {}
_RULES: dict[str, Callable[[datetime.date], QuerySet]] = {}


def _field_at(model, path: str, *, follow: bool) -> models.Field:
    """The field `path` names on the model; through relations (`a__b`) only if `follow`."""
    *links, name = path.split("__") if follow else [path]
    label, target = model._meta.label, model
    try:
        for link in links:
            target = target._meta.get_field(link).related_model
        return target._meta.get_field(name)
    except Exception as exc:
        raise ImproperlyConfigured(f"{label}: no field {path!r}") from exc


def _check(model, names, kinds, what, *, follow=False):
    for name in names:
        field = _field_at(model, name, follow=follow)
        # A date and time is a DateField too, but compared with a day it is not what is meant.
        wrong = not isinstance(field, kinds) or (
            kinds == (models.DateField,) and isinstance(field, models.DateTimeField)
        )
        if wrong and not (what == "blanked" and field.null and field.concrete):
            raise ImproperlyConfigured(f"{model._meta.label}.{name} cannot be {what}.")


def register(
    model,
    *,
    person_path: str,
    fields=(),
    files=(),
    activity=(),
    ongoing: Q | None = None,
    values: dict | None = None,
) -> PersonalData:
    """Declare the personal data of one model (see the module's docstring)."""
    if person_path:
        target = _field_at(model, person_path, follow=True).related_model
        if target is not apps.get_model("people", "Person"):
            raise ImproperlyConfigured(f"{model._meta.label}: {person_path!r} is not a person.")
    _check(model, fields, (models.CharField, models.TextField, models.JSONField), "blanked")
    _check(model, files, (models.FileField,), "deleted as a file")
    _check(model, activity, (models.DateField,), "used as an activity date", follow=True)
    for name in values or {}:
        _field_at(model, name, follow=False)
    entry = PersonalData(
        model,
        person_path,
        tuple(fields),
        tuple(files),
        tuple(activity),
        ongoing,
        tuple(sorted((values or {}).items())),
    )
    known = _REGISTRY.get(entry.label)
    if known is not None and known != entry:
        raise ImproperlyConfigured(f"{entry.label} is registered twice, differently.")
    _REGISTRY[entry.label] = entry
    return entry


def registered() -> list[PersonalData]:
    return list(_REGISTRY.values())


def rule(name: str):
    """Register `function(cutoff) -> QuerySet[Person]` as the retention rule `name`."""

    def add(function):
        _RULES[name] = function
        return function

    return add


def rules() -> dict[str, Callable[[datetime.date], QuerySet]]:
    return dict(_RULES)


def years_of(name: str) -> int:
    return int(getattr(settings, "RESOC_RETENTION_YEARS", {}).get(name, DEFAULT_YEARS))


def cutoff_for(name: str, today: datetime.date) -> datetime.date | None:
    """The last day whose records are old enough under the rule; None if the rule is off."""
    years = years_of(name)
    if years <= 0:
        return None
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def recent_activity_q(cutoff: datetime.date) -> Q:
    """The person has a registered record still current, or with an activity date after the
    cutoff."""
    recent = Q(pk__in=[])
    for entry in registered():
        current = Q(pk__in=[]) if entry.ongoing is None else entry.ongoing
        for name in entry.activity:
            current |= Q(**{f"{name}__gt": cutoff})
        if current == Q(pk__in=[]):
            continue
        of_person = {entry.person_lookup(): OuterRef("pk")}
        rows = entry.model._default_manager.filter(current, **of_person)
        recent |= Q(Exists(rows))
    return recent


def due_persons(anchor: Q, cutoff: datetime.date) -> QuerySet:
    """People matching the rule's anchor, with nothing recent, not pseudonymised yet."""
    from resoc.ops.models import Pseudonymisation
    from resoc.people.models import Person

    done = Pseudonymisation.objects.filter(person=OuterRef("pk"))
    return (
        Person.objects.filter(anchor)
        .exclude(recent_activity_q(cutoff))
        .exclude(Exists(done))
        .order_by("pk")
    )
