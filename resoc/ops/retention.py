"""Which records hold personal data, and when a person's identity is due for pseudonymisation.

Each app declares the personal data of its models in its own `personal_data.py` (discovered at
start-up), so that retention blanks it and the right-of-access export finds it:

    from resoc.ops.retention import register
    register(WorkAssignment, person_path="person", fields=["notes"], activity=["start", "end"])

- `person_path`: the lookup from the model to its `people.Person` ("" for Person itself);
- `fields`: text fields blanked on pseudonymisation (nullable fields become NULL);
- `files`: file fields whose files are deleted (and the field emptied);
- `activity`: date fields that keep a person's identity while one of them is recent;
- `ongoing`: a condition marking a record as still current (an open custody), which keeps the
  person's identity whatever its dates.

Retention rules say whose identity is due: `rule(name)` registers a function returning the
people whose last record of that kind ended on or before a cutoff day. Their periods come from
`settings.RESOC_RETENTION_YEARS` (0 turns a rule off).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

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

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def person_lookup(self, suffix: str = "") -> str:
        path = self.person_path or "pk"
        return f"{path}__{suffix}" if suffix else path

    def rows_of(self, person_ids) -> QuerySet:
        return self.model._default_manager.filter(**{self.person_lookup("in"): person_ids})

    def blanks(self) -> dict:
        return {name: None if self.model._meta.get_field(name).null else "" for name in self.fields}


_REGISTRY: dict[str, PersonalData] = {}
_RULES: dict[str, Callable[[datetime.date], QuerySet]] = {}


def _check(model, names, kinds, what):
    for name in names:
        try:
            field = model._meta.get_field(name)
        except Exception as exc:
            raise ImproperlyConfigured(f"{model._meta.label}: no field {name!r}") from exc
        if not isinstance(field, kinds) and not (what == "blanked" and field.null):
            raise ImproperlyConfigured(f"{model._meta.label}.{name} cannot be {what}.")


def register(
    model, *, person_path: str, fields=(), files=(), activity=(), ongoing: Q | None = None
) -> PersonalData:
    """Declare the personal data of one model (see the module's docstring)."""
    _check(model, fields, (models.CharField, models.TextField), "blanked")
    _check(model, files, (models.FileField,), "deleted as a file")
    _check(model, activity, (models.DateField,), "used as an activity date")
    entry = PersonalData(model, person_path, tuple(fields), tuple(files), tuple(activity), ongoing)
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
