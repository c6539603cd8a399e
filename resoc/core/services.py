"""Saving a domain record with its audit entry, shared by the apps' services."""

from django.db import models, transaction

from resoc.audit.services import audit_record, model_changes


def field_values(obj: models.Model) -> dict:
    """The record's concrete field values by attribute name, for diffs and audit details."""
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.editable}


@transaction.atomic
def audited_save(*, actor, instance: models.Model, person_ref: str = "") -> models.Model:
    """Validate, save and audit one record: `<app>.<model>.created` or `.updated` with changes."""
    instance.full_clean()
    creating = instance._state.adding
    before = {}
    if not creating:
        stored = type(instance)._default_manager.filter(pk=instance.pk).first()
        before = field_values(stored) if stored else {}
    instance.save()
    after = field_values(instance)
    changes = model_changes(before, after)
    if creating or changes:
        verb = "created" if creating else "updated"
        audit_record(
            f"{instance._meta.label_lower}.{verb}",
            actor=actor,
            obj=instance,
            person_ref=person_ref,
            detail={"changes": changes},
        )
    return instance


@transaction.atomic
def audited_delete(*, actor, instance: models.Model, person_ref: str = "") -> None:
    audit_record(
        f"{instance._meta.label_lower}.deleted",
        actor=actor,
        obj=instance,
        person_ref=person_ref,
        detail={"values": field_values(instance)},
    )
    instance.delete()
