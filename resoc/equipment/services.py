"""Writing equipment: items, their status changes and files. Every write is validated and
audited; a broken rule raises ValidationError with a message for the page, API or importer."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from resoc.audit.services import Event, audit_record, audit_record_many, model_changes, snapshot
from resoc.core.money import MissingExchangeRate
from resoc.core.services import audited_save
from resoc.equipment import lifecycle
from resoc.equipment.models import STATUS_ORDER, EquipmentFile, EquipmentItem, Status, StatusChange
from resoc.equipment.uploads import STATUS_DOCUMENT_TYPES, check_upload, types_for_kind
from resoc.registry.models import Organisation

# The fields a status change writes; everything else is written by equipment_save.
STATUS_FIELDS = (
    "status",
    "status_on",
    "ordered_on",
    "delivered_on",
    "value_eur",
    "rate_units_per_eur",
    "rate_date",
)


def _rate_error(exc: MissingExchangeRate, field: str | None) -> ValidationError:
    message = _(
        "%(error)s Record the exchange rate of %(currency)s first (Registry → Exchange rates)."
    ) % {"error": exc, "currency": exc.currency}
    return ValidationError({field: message} if field else message)


def _revalue(item: EquipmentItem, *, field: str | None) -> None:
    try:
        lifecycle.item_revalue(item)
    except MissingExchangeRate as exc:
        raise _rate_error(exc, field) from exc


def check_supplier(supplier) -> None:
    if supplier is not None and supplier.kind != Organisation.Kind.SUPPLIER:
        raise ValidationError(
            {
                "supplier": _("%(code)s is not a supplier (it is a %(kind)s).")
                % {"code": supplier.code, "kind": supplier.get_kind_display()}
            }
        )


def check_cycle_covers_workshop(cycle, workshop, cycle_countries=None) -> None:
    """A cycle that names its countries equips workshops in those countries only."""
    if cycle is None or workshop is None or cycle.pk is None:
        return
    if cycle_countries is None:
        cycle_countries = set(cycle.countries.values_list("pk", flat=True))
    if cycle_countries and workshop.institution.country_id not in cycle_countries:
        raise ValidationError(
            {
                "cycle": _("Cycle %(cycle)s does not cover %(country)s, the workshop's country.")
                % {"cycle": cycle.code, "country": workshop.institution.country}
            }
        )


@transaction.atomic
def equipment_save(*, actor, item: EquipmentItem) -> EquipmentItem:
    """Create or edit an item; its value in EUR follows from price, quantity and dates.

    The status and its dates change only through `equipment_status_change`.
    """
    if item.pk is None:
        if item.status != Status.SPECIFIED:
            raise ValidationError(
                {"status": _("A new item starts as specified; record later states as changes.")}
            )
    else:
        stored = EquipmentItem.objects.filter(pk=item.pk).values(*STATUS_FIELDS[:4]).first()
        if stored and any(getattr(item, name) != value for name, value in stored.items()):
            raise ValidationError(
                {"status": _("Change the status and its dates with a status change.")}
            )
    if item.currency:
        item.currency = item.currency.upper()
    check_supplier(item.supplier)
    check_cycle_covers_workshop(
        getattr(item, "cycle", None) if item.cycle_id else None,
        getattr(item, "workshop", None) if item.workshop_id else None,
    )
    if item.unit_price is not None and item.quantity and item.currency:
        _revalue(item, field="currency")
    return audited_save(actor=actor, instance=item)


def _check_date(on, current: EquipmentItem) -> None:
    if on is None:
        raise ValidationError({"on": _("Give the date of the change.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if current.status_on and on < current.status_on:
        raise ValidationError(
            {
                "on": _("The date cannot precede the previous change (%(date)s).")
                % {"date": current.status_on.isoformat()}
            }
        )


def _move_dates(current: EquipmentItem, to_status: str, on: datetime.date) -> None:
    """Ordering sets ordered_on, delivery delivered_on; going back before them clears them."""
    if lifecycle.is_backward(current.status, to_status):
        if STATUS_ORDER.index(to_status) < STATUS_ORDER.index(Status.DELIVERED):
            current.delivered_on = None
        if STATUS_ORDER.index(to_status) < STATUS_ORDER.index(Status.ORDERED):
            current.ordered_on = None
        return
    if lifecycle.passes(current.status, to_status, Status.ORDERED):
        current.ordered_on = on
    if lifecycle.passes(current.status, to_status, Status.DELIVERED):
        current.delivered_on = on


@transaction.atomic
def equipment_status_change(
    *, actor, item: EquipmentItem, to_status: str, on, reason: str = "", document=None
) -> list[StatusChange]:
    """Move the item to `to_status` on the day `on` (see `lifecycle` for the rules).

    Returns the changes recorded: one, or one per step of a forward jump (the reason and the
    document go with the last). Only the status, its dates and the value are written: save
    other edits with `equipment_save` first. The passed `item` is updated in place.
    """
    reason = (reason or "").strip()
    current = EquipmentItem.objects.select_for_update().get(pk=item.pk)
    error = lifecycle.transition_error(current.status, to_status, reason)
    if error:
        raise ValidationError({"to_status": error})
    _check_date(on, current)
    # A file stored already (e.g. a delivery's handover) was checked when it was stored.
    if document and not getattr(document, "_committed", False):
        try:
            check_upload(document, STATUS_DOCUMENT_TYPES)
        except ValidationError as exc:
            raise ValidationError({"document": exc.messages}) from exc
    before = snapshot(current, STATUS_FIELDS)
    changes = [
        StatusChange(item=current, from_status=a, to_status=b, on=on, by=actor)
        for a, b in lifecycle.status_steps(current.status, to_status)
    ]
    changes[-1].reason = reason
    if document:
        changes[-1].document = document
    _move_dates(current, to_status, on)
    current.status, current.status_on = to_status, on
    _revalue(current, field=None)
    current.save(update_fields=[*STATUS_FIELDS, "updated_at"])
    for change in changes:
        change.save()
    events = [
        Event(
            action="equipment.statuschange.created",
            obj=change,
            detail={
                "item": current.code,
                "from": change.from_status,
                "to": change.to_status,
                "on": change.on,
                "reason": change.reason,
                "document": change.document.name if change.document else "",
            },
        )
        for change in changes
    ]
    events.append(
        Event(
            action="equipment.equipmentitem.updated",
            obj=current,
            detail={"changes": model_changes(before, snapshot(current, STATUS_FIELDS))},
        )
    )
    audit_record_many(actor=actor, events=events)
    for name in (*STATUS_FIELDS, "updated_at"):
        setattr(item, name, getattr(current, name))
    return changes


@transaction.atomic
def equipment_file_add(
    *, actor, item: EquipmentItem, kind: str, upload, title: str = ""
) -> EquipmentFile:
    """Attach a photo (JPEG or PNG) or a document (PDF) to the item."""
    if kind not in EquipmentFile.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of file.")})
    try:
        check_upload(upload, types_for_kind(kind))
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    record = EquipmentFile(
        item=item, kind=kind, title=title.strip(), file=upload, uploaded_by=actor
    )
    record.full_clean()
    record.save()
    audit_record(
        "equipment.equipmentfile.created",
        actor=actor,
        obj=record,
        detail={"item": item.code, "kind": kind, "title": record.title, "file": record.file.name},
    )
    return record
