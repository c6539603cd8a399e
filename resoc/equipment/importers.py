"""The `equipment` import kind: items by code, with their status and value in EUR.

The status follows the same rules as on the item's page (resoc.equipment.lifecycle): an import
moves an item forward only (going back needs a reason: do it on the item's page). A status set
by the import is recorded as a change, dated the delivery date when the move includes the
delivery, else the day of the import. The value in EUR is computed at import, at the rate of the
delivery date, else of the recorded order date.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resoc.core.money import MissingExchangeRate, Rates
from resoc.equipment import lifecycle
from resoc.equipment.models import DELIVERED_OR_LATER, EquipmentItem, Status, StatusChange
from resoc.imports.kinds import Kind, field_column, register
from resoc.imports.parsers import Text
from resoc.imports.plan import CHUNK, upsert
from resoc.registry.models import Organisation, ProjectCycle, Workshop

HELP = {
    "code": gettext_lazy("Unique code of the item: letters, digits, '-', '_' and '.'."),
    "workshop": gettext_lazy("Code of the workshop where the item is (or will be) used."),
    "cycle": gettext_lazy("Code of the project cycle that pays for the item."),
    "quantity": gettext_lazy("Number of units, 1 or more."),
    "unit_price": gettext_lazy("Price of one unit in the currency, e.g. 1250.50."),
    "currency": gettext_lazy("ISO 4217 code, e.g. EUR, RSD, BAM, ALL."),
    "status": gettext_lazy(
        "Status of the item; an existing item may only move forward (see the item's page)."
    ),
    "delivered_on": gettext_lazy("Delivery date; required for delivered, installed, in use, …"),
    "supplier": gettext_lazy("Code of the supplier (an organisation of kind supplier)."),
}
NAMES = ("code", "workshop", "cycle", "name", "quantity", "unit_price", "currency", "status")
NAMES += ("delivered_on", "supplier")
COLUMNS = tuple(
    field_column(
        EquipmentItem,
        name,
        help=HELP.get(name),
        parser=Text(upper=True) if name == "currency" else None,
    )
    for name in NAMES
)


def _check_row(row) -> list:
    errors = []
    status, delivered_on = row["status"], row.get("delivered_on")
    if status in DELIVERED_OR_LATER and not delivered_on:
        errors.append(
            (
                "delivered_on",
                _("Required when the status is %(status)s.") % {"status": lifecycle.label(status)},
            )
        )
    if delivered_on and status not in DELIVERED_OR_LATER:
        errors.append(
            (
                "delivered_on",
                _("Only for items delivered or later; the status is %(status)s.")
                % {"status": lifecycle.label(status)},
            )
        )
    if delivered_on and delivered_on > timezone.localdate():
        errors.append(("delivered_on", _("The date cannot be in the future.")))
    supplier = row.get("supplier")
    if supplier and supplier.kind != Organisation.Kind.SUPPLIER:
        errors.append(
            (
                "supplier",
                _("%(code)s is not a supplier (it is a %(kind)s).")
                % {"code": supplier.code, "kind": supplier.get_kind_display()},
            )
        )
    return errors


@dataclass
class _Stored:
    status: str
    status_on: object
    ordered_on: object
    delivered_on: object


def _stored(codes) -> dict[str, _Stored]:
    codes, found = sorted(set(codes)), {}
    for start in range(0, len(codes), CHUNK):
        rows = EquipmentItem.objects.filter(code__in=codes[start : start + CHUNK]).values_list(
            "code", "status", "status_on", "ordered_on", "delivered_on"
        )
        for code, *values in rows.order_by():
            found[code] = _Stored(*values)
    return found


def _cycle_countries(rows) -> dict[int, set]:
    links = ProjectCycle.countries.through.objects.filter(
        projectcycle_id__in={row["cycle"].pk for row in rows}
    )
    countries: dict[int, set] = {}
    for cycle_id, country_id in links.values_list("projectcycle_id", "country_id"):
        countries.setdefault(cycle_id, set()).add(country_id)
    return countries


def _workshop_countries(rows) -> dict[int, int]:
    ids = {row["workshop"].pk for row in rows}
    return dict(Workshop.objects.filter(pk__in=ids).values_list("pk", "institution__country_id"))


def _plan_status(plan, row, before: _Stored | None, today) -> tuple[list, object, dict] | None:
    """(steps, date, dates to set) of the row's status, or None after an error."""
    status, delivered_on = row["status"], row.get("delivered_on")
    start = before.status if before else ""
    moves = status != (before.status if before else Status.SPECIFIED)
    if before is None:
        dates = {"status_on": None, "ordered_on": None, "delivered_on": delivered_on}
        steps = [("", status)] if moves else []
    else:
        error = lifecycle.transition_error(before.status, status) if moves else None
        if error:
            plan.error(row, "status", f"{error} " + _("Change it on the item's page."))
            return None
        steps = lifecycle.status_steps(before.status, status) if moves else []
        dates = {
            "status_on": before.status_on,
            "ordered_on": before.ordered_on,
            "delivered_on": delivered_on if "delivered_on" in row else before.delivered_on,
        }
        delivery_known = before.status in DELIVERED_OR_LATER
        if delivery_known and "delivered_on" in row and delivered_on != before.delivered_on:
            plan.error(
                row,
                "delivered_on",
                _("The item's delivery is recorded on %(date)s; an import does not change it.")
                % {"date": before.delivered_on.isoformat()},
            )
            return None
    if not steps:
        return [], None, dates
    delivering = lifecycle.passes(start, status, Status.DELIVERED)
    on = delivered_on if delivering else today
    if before is not None and before.status_on and on < before.status_on:
        plan.error(
            row,
            "delivered_on" if delivering else "status",
            _("The change cannot precede the item's previous change (%(date)s).")
            % {"date": before.status_on.isoformat()},
        )
        return None
    dates["status_on"] = on
    if lifecycle.passes(start, status, Status.ORDERED):
        dates["ordered_on"] = on
    return steps, on, dates


def _apply(plan, rows) -> None:
    today = timezone.localdate()
    stored = _stored(row["code"] for row in rows)
    cycle_countries = _cycle_countries(rows)
    workshop_country = _workshop_countries(rows)
    rates = Rates({row["currency"] for row in rows})
    items, history = [], []
    for row in rows:
        cycle, workshop = row["cycle"], row["workshop"]
        covered = cycle_countries.get(cycle.pk)
        if covered and workshop_country[workshop.pk] not in covered:
            plan.error(
                row,
                "cycle",
                _("Cycle %(cycle)s does not cover the country of workshop %(workshop)s.")
                % {"cycle": cycle.code, "workshop": workshop.code},
            )
            continue
        planned = _plan_status(plan, row, stored.get(row["code"]), today)
        if planned is None:
            continue
        steps, on, dates = planned
        values = {name: row[name] for name in NAMES if name in row}
        values.update(dates)
        probe = EquipmentItem(**{n: values[n] for n in ("unit_price", "quantity", "currency")})
        probe.ordered_on, probe.delivered_on = dates["ordered_on"], dates["delivered_on"]
        try:
            lifecycle.item_revalue(probe, convert=rates.to_eur)
        except MissingExchangeRate as exc:
            plan.error(
                row,
                "currency",
                _("No exchange rate for %(currency)s on or before %(date)s; import the rate first.")
                % {"currency": exc.currency, "date": exc.on.isoformat()},
            )
            continue
        for name in ("value_eur", "rate_units_per_eur", "rate_date"):
            values[name] = getattr(probe, name)
        items.append((row, values))
        if steps:
            history.append((row["code"], steps, on))
    records = upsert(plan, model=EquipmentItem, items=items, key=("code",))
    reason = _("Set by an import.")
    plan.create(
        StatusChange,
        [
            StatusChange(item=records[(code,)], from_status=a, to_status=b, on=on, reason=reason)
            for code, steps, on in history
            for a, b in steps
        ],
    )


register(
    Kind(
        name="equipment",
        label=gettext_lazy("Equipment items"),
        columns=COLUMNS,
        key=("code",),
        apply=_apply,
        check_row=_check_row,
        description=gettext_lazy(
            "Equipment items by code. A status of delivered or later needs delivered_on; the "
            "value in EUR is computed at the rate of the delivery (or recorded order) date; a "
            "status the import sets is recorded in the item's history."
        ),
    )
)
