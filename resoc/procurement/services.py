"""Writing procurement records: tenders, lots, bids, evaluation, awards, orders and deliveries.

Every write is validated and audited. The items of a lot change status through the equipment
service: added to a lot → tendered (on the publication date), ordered (on the order's date),
delivered (on the delivery's date, with the handover document); taken out of a lot or a
cancelled tender → back to specified, with the reason.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from resoc.accounts.roles import has_role
from resoc.audit.services import Event, audit_record, audit_record_many
from resoc.core.money import MissingExchangeRate, to_eur
from resoc.core.services import audited_save
from resoc.equipment.models import EquipmentItem, Status
from resoc.equipment.services import equipment_save, equipment_status_change
from resoc.equipment.uploads import STATUS_DOCUMENT_TYPES, check_upload
from resoc.procurement import roles
from resoc.procurement.models import (
    Award,
    Bid,
    BidScore,
    Delivery,
    Evaluator,
    Lot,
    LotItem,
    PurchaseOrder,
    Tender,
)
from resoc.procurement.pricing import Line, UnsplittableAmount, split_unit_prices
from resoc.procurement.selectors import lowest_compliant
from resoc.registry.models import Organisation

T = Tender.Status
OPEN_FOR_BIDS = (T.PUBLISHED, T.EVALUATION)
# Status changes made by hand; `awarded` follows from the awards.
TRANSITIONS = {
    T.DRAFT: {T.PUBLISHED, T.CANCELLED},
    T.PUBLISHED: {T.EVALUATION, T.CANCELLED},
    T.EVALUATION: {T.CANCELLED},
}
THREE_QUOTATIONS_MINIMUM = 3


def _move_item(*, actor, item, to_status, on, reason="", document=None):
    """The equipment service's refusal, named after the item (its fields are not ours)."""
    try:
        return equipment_status_change(
            actor=actor, item=item, to_status=to_status, on=on, reason=reason, document=document
        )
    except ValidationError as exc:
        raise ValidationError(
            [_("%(item)s: %(error)s") % {"item": item.code, "error": m} for m in exc.messages]
        ) from exc


def _not_in_future(on: datetime.date | None, field: str) -> None:
    if on is not None and on > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


def _fresh(items) -> list[EquipmentItem]:
    """The items as stored now (locked), whatever the caller holds."""
    pks = [i.pk for i in items]
    return list(
        EquipmentItem.objects.select_for_update(of=("self",))
        .select_related("cycle")
        .filter(pk__in=pks)
        .order_by("code")
    )


def _codes(items) -> list[str]:
    return sorted(i.code for i in items)


def _refuse_unless_open(tender: Tender, statuses, message: str) -> None:
    if tender.status not in statuses:
        raise ValidationError(message % {"status": tender.get_status_display()})


# Tenders


@transaction.atomic
def tender_save(*, actor, tender: Tender) -> Tender:
    if tender.pk is not None:
        stored = Tender.objects.select_for_update().get(pk=tender.pk)
        if stored.status == T.CANCELLED:
            raise ValidationError(_("A cancelled tender cannot be changed."))
        if stored.cycle_id != tender.cycle_id and stored.lots.exists():
            raise ValidationError(
                {"cycle": _("The tender has lots of this cycle's items; the cycle cannot change.")}
            )
        dates_changed = (stored.published_on, stored.deadline_on) != (
            tender.published_on,
            tender.deadline_on,
        )
        if dates_changed and Bid.objects.filter(lot__tender=tender).exists():
            raise ValidationError(
                {
                    "deadline_on": _(
                        "Bids were converted to EUR at the deadline's rate; the dates cannot "
                        "change once bids are recorded."
                    )
                }
            )
        tender.status = stored.status
    return audited_save(actor=actor, instance=tender)


def _all_lots_awarded(tender: Tender) -> bool:
    lots = tender.lots.filter(lot_items__active=True).distinct()
    return lots.exists() and not lots.filter(award__isnull=True).exists()


def _set_status(*, actor, tender: Tender, to_status: str, reason: str = "") -> Tender:
    before = tender.status
    tender.status = to_status
    tender.save(update_fields=["status", "updated_at"])
    audit_record(
        "procurement.tender.status_changed",
        actor=actor,
        obj=tender,
        detail={"from": before, "to": to_status, "reason": reason},
    )
    return tender


@transaction.atomic
def tender_status_set(*, actor, tender: Tender, to_status: str, reason: str = "") -> Tender:
    """Publish, open the evaluation or cancel (cancelling gives the items back)."""
    caller, tender = tender, Tender.objects.select_for_update().get(pk=tender.pk)
    if to_status not in TRANSITIONS.get(tender.status, set()):
        raise ValidationError(
            _("A tender cannot go from %(from)s to %(to)s.")
            % {"from": tender.get_status_display(), "to": T(to_status).label}
        )
    if (
        to_status == T.PUBLISHED
        and not LotItem.objects.filter(lot__tender=tender, active=True).exists()
    ):
        raise ValidationError(_("Add at least one lot with items before publishing the tender."))
    if to_status == T.CANCELLED:
        if Award.objects.filter(lot__tender=tender).exists():
            raise ValidationError(_("A tender with awarded lots cannot be cancelled."))
        if not reason.strip():
            raise ValidationError({"reason": _("Give the reason for cancelling the tender.")})
        _release_items(
            actor=actor,
            lot_items=LotItem.objects.filter(lot__tender=tender, active=True),
            reason=_("Tender %(code)s cancelled: %(reason)s")
            % {"code": tender.code, "reason": reason.strip()},
        )
    _set_status(actor=actor, tender=tender, to_status=to_status, reason=reason.strip())
    caller.status = tender.status
    return tender


def _release_items(*, actor, lot_items, reason: str) -> None:
    today = timezone.localdate()
    released = list(lot_items.select_related("item", "lot"))
    for lot_item in released:
        lot_item.active = False
        lot_item.save(update_fields=["active"])
        if lot_item.item.status == Status.TENDERED:
            _move_item(
                actor=actor, item=lot_item.item, to_status=Status.SPECIFIED, on=today, reason=reason
            )
    audit_record_many(
        actor=actor,
        events=[
            Event(
                "procurement.lot.items_released",
                obj=li.lot,
                detail={"item": li.item.code, "reason": reason},
            )
            for li in released
        ],
    )


# Lots


@transaction.atomic
def lot_save(*, actor, lot: Lot, items) -> Lot:
    """Create or change a lot and set its items (the tender's cycle's, specified ones)."""
    tender = Tender.objects.select_for_update().get(pk=lot.tender_id)
    _refuse_unless_open(
        tender,
        (T.DRAFT, T.PUBLISHED),
        _("Lots can change while a tender is a draft or published, not when it is %(status)s."),
    )
    items = _fresh(items)
    if not items:
        raise ValidationError({"items": _("A lot needs at least one item.")})
    current = {}
    if lot.pk is not None:
        current = {
            li.item_id: li for li in lot.lot_items.filter(active=True).select_related("item")
        }
    wanted = {i.pk: i for i in items}
    added = [i for pk, i in wanted.items() if pk not in current]
    removed = [li for pk, li in current.items() if pk not in wanted]
    if (added or removed) and lot.pk is not None and lot.bids.exists():
        raise ValidationError({"items": _("The lot has bids; its items can no longer change.")})
    problems = []
    for item in added:
        if item.cycle_id != tender.cycle_id:
            problems.append(
                _("%(item)s belongs to another project cycle (%(cycle)s).")
                % {"item": item.code, "cycle": item.cycle.code}
            )
        elif item.status != Status.SPECIFIED:
            problems.append(
                _("%(item)s is %(status)s; only specified items can be tendered.")
                % {"item": item.code, "status": item.get_status_display()}
            )
    taken = LotItem.objects.filter(item__in=added, active=True).select_related(
        "lot__tender", "item"
    )
    problems += [
        _("%(item)s is in lot %(lot)s of tender %(tender)s already.")
        % {"item": li.item.code, "lot": li.lot.number, "tender": li.lot.tender.code}
        for li in taken
    ]
    if problems:
        raise ValidationError({"items": problems})
    audited_save(actor=actor, instance=lot)
    if removed:
        LotItem.objects.filter(pk__in=[li.pk for li in removed]).delete()
        for li in (li for li in removed if li.item.status == Status.TENDERED):
            _move_item(
                actor=actor,
                item=li.item,
                to_status=Status.SPECIFIED,
                on=timezone.localdate(),
                reason=_("Taken out of lot %(lot)s of tender %(tender)s.")
                % {"lot": lot.number, "tender": tender.code},
            )
    LotItem.objects.bulk_create([LotItem(lot=lot, item=i) for i in added])
    today = timezone.localdate()
    for item in added:
        # Tendered from the publication, but not before the item's last change nor in future.
        on = min(max(tender.published_on, item.status_on or tender.published_on), today)
        _move_item(actor=actor, item=item, to_status=Status.TENDERED, on=on)
    if added or removed:
        audit_record(
            "procurement.lot.items_set",
            actor=actor,
            obj=lot,
            detail={"added": _codes(added), "removed": _codes(li.item for li in removed)},
        )
    return lot


# Bids


def _convert_at_deadline(bid: Bid, tender: Tender) -> None:
    try:
        conversion = to_eur(bid.amount, bid.currency, tender.deadline_on)
    except MissingExchangeRate as exc:
        raise ValidationError(
            {
                "currency": _(
                    "No exchange rate for %(currency)s on or before the deadline %(date)s; "
                    "record the rate first."
                )
                % {"currency": bid.currency, "date": tender.deadline_on.isoformat()}
            }
        ) from exc
    bid.amount_eur = conversion.amount_eur
    bid.rate_units_per_eur = conversion.units_per_eur


@transaction.atomic
def bid_save(*, actor, bid: Bid) -> Bid:
    """Record or correct a bid; the amount is compared in EUR at the deadline's rate."""
    lot = Lot.objects.select_related("tender").get(pk=bid.lot_id)
    tender = lot.tender
    _refuse_unless_open(
        tender,
        OPEN_FOR_BIDS,
        _("Bids are recorded while the tender is published or in evaluation, not %(status)s."),
    )
    if Award.objects.filter(lot=lot).exists():
        raise ValidationError(_("The lot is awarded; its bids can no longer change."))
    if bid.pk is not None:
        stored = Bid.objects.get(pk=bid.pk)
        if stored.lot_id != bid.lot_id:
            raise ValidationError({"lot": _("A bid cannot move to another lot.")})
    errors = {}
    supplier = Organisation.objects.filter(pk=bid.supplier_id).first()
    if supplier is not None and supplier.kind != Organisation.Kind.SUPPLIER:
        errors["supplier"] = _("%(org)s is not an organisation of kind supplier.") % {
            "org": supplier.code
        }
    if bid.received_on and not (tender.published_on <= bid.received_on <= tender.deadline_on):
        errors["received_on"] = _(
            "A bid must arrive between the publication (%(start)s) and the deadline (%(end)s)."
        ) % {"start": tender.published_on.isoformat(), "end": tender.deadline_on.isoformat()}
    if bid.received_on and bid.received_on > timezone.localdate():
        errors["received_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    bid.currency = (bid.currency or "").upper()
    if bid.amount is not None and bid.currency:
        _convert_at_deadline(bid, tender)
    return audited_save(actor=actor, instance=bid)


# Evaluation


@transaction.atomic
def evaluator_add(*, actor, tender: Tender, user) -> Evaluator:
    _refuse_unless_open(
        tender,
        (T.DRAFT, T.PUBLISHED, T.EVALUATION),
        _("Evaluators cannot be added to a tender that is %(status)s."),
    )
    if not (user.is_active and has_role(user, roles.EVALUATOR_ROLES)):
        raise ValidationError(
            {
                "user": _("%(user)s cannot evaluate tenders (role %(role)s).")
                % {"user": user.username, "role": user.get_role_display()}
            }
        )
    return audited_save(actor=actor, instance=Evaluator(tender=tender, user=user))


@transaction.atomic
def evaluator_declare(*, actor, evaluator: Evaluator, no_conflict: bool, notes: str = ""):
    """The evaluator's own declaration. A declared conflict cannot be withdrawn."""
    evaluator = Evaluator.objects.select_for_update().get(pk=evaluator.pk)
    if actor is None or actor.pk != evaluator.user_id:
        raise ValidationError(_("Only the evaluator can make their own declaration."))
    if evaluator.declared and not evaluator.declared_no_conflict and no_conflict:
        raise ValidationError(
            _("You declared a conflict of interest on %(date)s; it cannot be withdrawn.")
            % {"date": timezone.localdate(evaluator.declared_at).isoformat()}
        )
    if not no_conflict and not notes.strip():
        raise ValidationError({"notes": _("Describe the conflict of interest.")})
    evaluator.declared_no_conflict = no_conflict
    evaluator.declaration_notes = notes.strip()
    evaluator.declared_at = timezone.now()
    return audited_save(actor=actor, instance=evaluator)


def _evaluator_of(*, actor, tender: Tender) -> Evaluator | None:
    if actor is None:
        return None
    return Evaluator.objects.filter(tender=tender, user=actor).first()


@transaction.atomic
def bid_score_save(*, actor, bid: Bid, score: Decimal, notes: str = "") -> BidScore:
    tender = bid.lot.tender
    evaluator = _evaluator_of(actor=actor, tender=tender)
    if evaluator is None:
        raise ValidationError(_("Only the tender's evaluators can score its bids."))
    if not evaluator.may_evaluate:
        raise ValidationError(
            _("You declared a conflict of interest; you cannot score or vote.")
            if evaluator.declared
            else _("Declare that you have no conflict of interest before you score bids.")
        )
    _refuse_unless_open(
        tender, OPEN_FOR_BIDS, _("Bids are scored during the tender, not when it is %(status)s.")
    )
    if Award.objects.filter(lot_id=bid.lot_id).exists():
        raise ValidationError(_("The lot is awarded; its bids can no longer be scored."))
    record = BidScore.objects.filter(evaluator=evaluator, bid=bid).first() or BidScore(
        evaluator=evaluator, bid=bid
    )
    record.score, record.notes = score, notes.strip()
    return audited_save(actor=actor, instance=record)


# Award


@transaction.atomic
def lot_award(*, actor, lot: Lot, bid: Bid, awarded_on: datetime.date, reason: str = "") -> Award:
    tender = Tender.objects.select_for_update().get(pk=lot.tender_id)
    _refuse_unless_open(
        tender,
        OPEN_FOR_BIDS,
        _("Lots are awarded while the tender is published or in evaluation, not %(status)s."),
    )
    if Award.objects.filter(lot=lot).exists():
        raise ValidationError(_("This lot is awarded already."))
    _not_in_future(awarded_on, "awarded_on")
    if bid.lot_id != lot.pk:
        raise ValidationError({"bid": _("This bid is for another lot.")})
    if not bid.compliant:
        raise ValidationError({"bid": _("Only a compliant bid can be awarded.")})
    if awarded_on < tender.deadline_on:
        raise ValidationError(
            {
                "awarded_on": _("A lot cannot be awarded before the deadline (%(date)s).")
                % {"date": tender.deadline_on.isoformat()}
            }
        )
    if not tender.evaluators.filter(declared_no_conflict=True, declared_at__isnull=False).exists():
        raise ValidationError(
            _(
                "At least one evaluator must have declared no conflict of interest before a "
                "lot is awarded."
            )
        )
    own_seat = _evaluator_of(actor=actor, tender=tender)
    if own_seat is not None and not own_seat.may_evaluate:
        raise ValidationError(
            _("You declared a conflict of interest (or have not declared); you cannot award.")
        )
    bids = list(lot.bids.all())
    if tender.method == Tender.Method.THREE_QUOTATIONS and len(bids) < THREE_QUOTATIONS_MINIMUM:
        raise ValidationError(
            _("The three-quotations method needs at least %(n)s bids; this lot has %(count)s.")
            % {"n": THREE_QUOTATIONS_MINIMUM, "count": len(bids)}
        )
    lowest = lowest_compliant(bids)
    reason = reason.strip()
    if bid.amount_eur != lowest and not reason:
        raise ValidationError(
            {
                "reason": _(
                    "This bid (%(amount)s EUR) is not the lowest compliant one (%(lowest)s EUR); "
                    "give the reason for awarding it."
                )
                % {"amount": bid.amount_eur, "lowest": lowest}
            }
        )
    award = audited_save(
        actor=actor,
        instance=Award(lot=lot, bid=bid, awarded_on=awarded_on, reason=reason, by=actor),
    )
    to_status = T.AWARDED if _all_lots_awarded(tender) else T.EVALUATION
    if tender.status != to_status:
        _set_status(actor=actor, tender=tender, to_status=to_status)
    return award


# Purchase order and delivery


def _lot_items(lot: Lot) -> list[EquipmentItem]:
    return [
        li.item
        for li in lot.lot_items.filter(active=True).select_related("item").order_by("item__code")
    ]


@transaction.atomic
def purchase_order_issue(
    *,
    actor,
    award: Award,
    number: str,
    issued_on: datetime.date,
    amount: Decimal | None = None,
    currency: str = "",
) -> PurchaseOrder:
    """Order the awarded lot: its items become `ordered`, from the bid's supplier, with unit
    prices that share the order's amount in proportion to their estimates (see pricing)."""
    award = Award.objects.select_related("bid__supplier", "lot__tender").get(pk=award.pk)
    if PurchaseOrder.objects.filter(award=award).exists():
        raise ValidationError(_("This lot has a purchase order already."))
    _not_in_future(issued_on, "issued_on")
    if issued_on < award.awarded_on:
        raise ValidationError(
            {
                "issued_on": _("The order cannot precede the award (%(date)s).")
                % {"date": award.awarded_on.isoformat()}
            }
        )
    order = PurchaseOrder(
        award=award,
        number=number,
        issued_on=issued_on,
        amount=award.bid.amount if amount is None else amount,
        currency=(currency or award.bid.currency).upper(),
    )
    items = _lot_items(award.lot)
    not_tendered = [i.code for i in items if i.status != Status.TENDERED]
    if not_tendered:
        raise ValidationError(
            _("These items are no longer tendered: %(codes)s.") % {"codes": ", ".join(not_tendered)}
        )
    try:
        prices = split_unit_prices(
            order.amount,
            [Line(key=i.pk, quantity=i.quantity, estimated_total=i.total_price) for i in items],
        )
    except UnsplittableAmount as exc:
        raise ValidationError(
            {
                "amount": _(
                    "%(amount)s %(currency)s cannot be split into whole-cent unit prices over "
                    "the items' quantities (%(quantities)s); %(lower)s can."
                )
                % {
                    "amount": exc.amount,
                    "currency": order.currency,
                    "quantities": ", ".join(str(i.quantity) for i in items),
                    "lower": exc.lower,
                }
            }
        ) from exc
    audited_save(actor=actor, instance=order)
    for item in items:
        item.supplier = award.bid.supplier
        item.currency = order.currency
        item.unit_price = prices[item.pk]
        equipment_save(actor=actor, item=item)
        _move_item(actor=actor, item=item, to_status=Status.ORDERED, on=issued_on)
    return order


@transaction.atomic
def delivery_record(
    *,
    actor,
    order: PurchaseOrder,
    delivered_on: datetime.date,
    items,
    handover,
    notes: str = "",
) -> Delivery:
    """Record what arrived; those items become `delivered` with the handover document."""
    order = PurchaseOrder.objects.select_related("award__lot").get(pk=order.pk)
    items = _fresh(items)
    errors = {}
    if not handover:
        errors["handover"] = _("Attach the signed handover document.")
    else:
        try:
            check_upload(handover, STATUS_DOCUMENT_TYPES)
        except ValidationError as exc:
            errors["handover"] = exc.messages
    if not items:
        errors["items"] = _("Choose the items delivered.")
    if delivered_on > timezone.localdate():
        errors["delivered_on"] = _("The date cannot be in the future.")
    elif delivered_on < order.issued_on:
        errors["delivered_on"] = _("A delivery cannot precede the order (%(date)s).") % {
            "date": order.issued_on.isoformat()
        }
    lot_items = {i.pk for i in _lot_items(order.award.lot)}
    foreign = [i.code for i in items if i.pk not in lot_items]
    if foreign:
        errors.setdefault(
            "items",
            _("Not in this order's lot: %(codes)s.") % {"codes": ", ".join(sorted(foreign))},
        )
    delivered = [i.code for i in items if i.pk in lot_items and i.status != Status.ORDERED]
    if delivered:
        errors.setdefault(
            "items",
            _("Not awaiting delivery: %(codes)s.") % {"codes": ", ".join(sorted(delivered))},
        )
    if errors:
        raise ValidationError(errors)
    delivery = Delivery(
        purchase_order=order, delivered_on=delivered_on, handover=handover, notes=notes.strip()
    )
    audited_save(actor=actor, instance=delivery)
    delivery.items.set(items)
    audit_record(
        "procurement.delivery.items_set", actor=actor, obj=delivery, detail={"items": _codes(items)}
    )
    for item in items:
        _move_item(
            actor=actor,
            item=item,
            to_status=Status.DELIVERED,
            on=delivered_on,
            document=delivery.handover,
        )
    return delivery
