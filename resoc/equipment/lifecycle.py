"""The rules of an item's life (which status may follow which) and its value in EUR.

Pure functions, shared by the services, the forms, the API and the importer.

- Forward along specified → tendered → ordered → delivered → installed → in_use, one or more
  steps at once; a jump records every step it passes, all on the same date.
- From in_use to out_of_service or decommissioned; from out_of_service back to in_use or on to
  decommissioned. Decommissioned is final.
- Back to any earlier step of the way to in_use, with a reason. Every move to an earlier status
  (out_of_service → in_use too) is a move back and needs a reason.
"""

from django.utils.translation import gettext as _

from resoc.core.money import to_eur
from resoc.equipment.models import STATUS_ORDER, Status

WAY_TO_USE = STATUS_ORDER[: STATUS_ORDER.index(Status.IN_USE) + 1]
_AFTER_USE = {
    Status.IN_USE: [Status.OUT_OF_SERVICE, Status.DECOMMISSIONED],
    Status.OUT_OF_SERVICE: [Status.IN_USE, Status.DECOMMISSIONED],
    Status.DECOMMISSIONED: [],
}


def _index(status: str) -> int:
    return STATUS_ORDER.index(status)


def is_backward(from_status: str, to_status: str) -> bool:
    return bool(from_status) and _index(to_status) < _index(from_status)


def allowed_next(from_status: str) -> list[str]:
    """The statuses an item in `from_status` may move to, in the order of the life."""
    if from_status in (Status.OUT_OF_SERVICE, Status.DECOMMISSIONED):
        return list(_AFTER_USE[from_status])
    options = [s for s in WAY_TO_USE if s != from_status]
    return options + _AFTER_USE.get(from_status, [])


def status_steps(from_status: str, to_status: str) -> list[tuple[str, str]]:
    """The (from, to) changes to record: every step of a forward jump, else the move itself."""
    if (
        from_status in WAY_TO_USE
        and to_status in WAY_TO_USE
        and not is_backward(from_status, to_status)
    ):
        way = WAY_TO_USE[_index(from_status) : _index(to_status) + 1]
        return list(zip(way, way[1:], strict=False))
    return [(from_status, to_status)]


def label(status: str) -> str:
    return str(Status(status).label)


def transition_error(from_status: str, to_status: str, reason: str = "") -> str | None:
    """Why the move is refused, or None."""
    if to_status not in Status.values:
        return _("“%(status)s” is not a status; use one of: %(values)s.") % {
            "status": to_status,
            "values": ", ".join(Status.values),
        }
    if to_status == from_status:
        return _("The item is already %(status)s.") % {"status": label(to_status)}
    if from_status == Status.DECOMMISSIONED:
        return _("A decommissioned item cannot change its status any more.")
    if to_status not in allowed_next(from_status):
        return _("An item cannot go from %(from)s to %(to)s; it may go to: %(allowed)s.") % {
            "from": label(from_status),
            "to": label(to_status),
            "allowed": ", ".join(label(s) for s in allowed_next(from_status)),
        }
    if is_backward(from_status, to_status) and not (reason or "").strip():
        return _("Going back from %(from)s to %(to)s needs a reason.") % {
            "from": label(from_status),
            "to": label(to_status),
        }
    return None


def passes(from_status: str, to_status: str, step: str) -> bool:
    """Whether a forward move from `from_status` to `to_status` reaches `step` on its way."""
    start = _index(from_status) if from_status else -1
    return start < _index(step) <= _index(to_status)


def valuation_date(item):
    """The day whose rate values the item: delivery, else order; None if neither is known."""
    return item.delivered_on or item.ordered_on


def item_revalue(item, *, convert=to_eur) -> None:
    """Set value_eur (and the rate used) from unit price × quantity; may raise
    MissingExchangeRate. With no date a EUR price needs no rate; another currency stays
    unconverted (value_eur None) until the item is ordered or delivered."""
    total = item.unit_price * item.quantity
    on = valuation_date(item)
    if on is None and item.currency != "EUR":
        item.value_eur = item.rate_units_per_eur = item.rate_date = None
        return
    conversion = convert(total, item.currency, on)  # EUR converts without a rate or a date
    item.value_eur = conversion.amount_eur
    item.rate_units_per_eur = conversion.units_per_eur
    item.rate_date = conversion.rate_valid_from
