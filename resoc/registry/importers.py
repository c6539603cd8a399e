"""Import kinds of the registry (see resoc.imports.kinds)."""

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resoc.imports.kinds import Kind, field_column, register
from resoc.imports.parsers import Text
from resoc.imports.plan import upsert, upsert_apply
from resoc.registry.models import (
    CycleFunder,
    ExchangeRate,
    Institution,
    Organisation,
    ProjectCycle,
    Workshop,
)

HELP = {
    "code": gettext_lazy("Unique code: letters, digits, '-', '_' and '.'."),
    "country": gettext_lazy("ISO code of the country, e.g. RS."),
    "institution": gettext_lazy("Code of the institution."),
    "cycle": gettext_lazy("Code of the project cycle."),
    "organisation": gettext_lazy("Code of the funding organisation."),
    "currency": gettext_lazy("ISO 4217 code, e.g. RSD."),
    "units_per_eur": gettext_lazy("Units of the currency for 1 EUR."),
    "share_percent": gettext_lazy("Share of the cycle's funding; a cycle's shares total 100."),
}


def _columns(model, names, **parsers_by_name) -> tuple:
    return tuple(
        field_column(model, n, help=HELP.get(n), parser=parsers_by_name.get(n)) for n in names
    )


def _upsert_kind(name, label, model, names, *, key=("code",), **kwargs) -> Kind:
    return register(
        Kind(
            name=name,
            label=label,
            columns=_columns(model, names, **kwargs.pop("parsers", {})),
            key=key,
            apply=upsert_apply(model, key=key),
            **kwargs,
        )
    )


def _check_cycle(row) -> list:
    if row["end"] < row["start"]:
        return [("end", _("The end cannot precede the start."))]
    return []


def _percent(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _apply_funders(plan, rows) -> None:
    """Upsert the shares; every cycle in the file must then total exactly 100 %."""
    upsert(
        plan,
        model=CycleFunder,
        items=[(row, dict(row.values)) for row in rows],
        key=("cycle", "organisation"),
    )
    by_cycle = defaultdict(list)
    for row in rows:
        by_cycle[row["cycle"]].append(row)
    stored = defaultdict(list)
    funders = CycleFunder.objects.filter(cycle__in=list(by_cycle)).select_related("organisation")
    for funder in funders.order_by():
        stored[funder.cycle_id].append(funder)
    for cycle, cycle_rows in by_cycle.items():
        in_file = {row["organisation"].pk for row in cycle_rows}
        kept = [f for f in stored[cycle.pk] if f.organisation_id not in in_file]
        total = sum((r["share_percent"] for r in cycle_rows), Decimal("0"))
        total += sum((f.share_percent for f in kept), Decimal("0"))
        if total == Decimal("100"):
            continue
        message = _(
            "The funder shares of cycle %(cycle)s total %(total)s%% (rows %(rows)s%(kept)s); "
            "they must total exactly 100%%."
        ) % {
            "cycle": cycle.code,
            "total": _percent(total),
            "rows": ", ".join(str(r.number) for r in cycle_rows),
            "kept": "".join(
                _(" and %(code)s %(share)s%% already stored")
                % {"code": f.organisation.code, "share": _percent(f.share_percent)}
                for f in kept
            ),
        }
        plan.error(cycle_rows[0], "share_percent", message)


_upsert_kind(
    "exchange-rates",
    gettext_lazy("Exchange rates"),
    ExchangeRate,
    ("currency", "valid_from", "units_per_eur"),
    key=("currency", "valid_from"),
    # Codes are stored upper-case; accept them typed in any case.
    parsers={"currency": Text(upper=True)},
)
_upsert_kind(
    "organisations",
    gettext_lazy("Organisations"),
    Organisation,
    ("code", "name", "kind", "country"),
)
_upsert_kind(
    "institutions",
    gettext_lazy("Institutions"),
    Institution,
    ("code", "name", "country", "kind", "municipality"),
)
_upsert_kind(
    "workshops",
    gettext_lazy("Workshops"),
    Workshop,
    ("code", "institution", "name", "trade"),
)
_upsert_kind(
    "cycles",
    gettext_lazy("Project cycles"),
    ProjectCycle,
    ("code", "name", "start", "end", "budget_eur"),
    check_row=_check_cycle,
)
register(
    Kind(
        name="cycle-funders",
        label=gettext_lazy("Cycle funders"),
        columns=_columns(CycleFunder, ("cycle", "organisation", "share_percent")),
        key=("cycle", "organisation"),
        apply=_apply_funders,
        description=gettext_lazy(
            "Shares of the cycles' funding. Funders already stored and not in the file are kept; "
            "each cycle's shares must then total 100."
        ),
    )
)
