"""Disclosure control: what a donor sees of the key results.

Every count of people below the threshold (setting `RESOC_DISCLOSURE_THRESHOLD`, default 10) is
shown as `<10`, zeros included. So that no hidden figure can be worked out from the others,
more are hidden too (complementary suppression), shown as `x`:

- a table whose cells add up to a shown total (persons trained by category; by sex, where
  "other/not stated" is the unshown rest): once a cell is hidden, more cells are hidden, smallest
  first, until at least two are and the hidden cells together hold at least the threshold;
- a part of a shown whole (juveniles of those trained; the employed, reoffended or active of
  those eligible): hidden when the part or the rest (whole minus part) is below the threshold;
  for outcomes an empty rest counts too (it would tell that all of them reoffended);
- a rate: hidden with its count, and shown as `<10` when fewer than the threshold are eligible.

Money is not a count of people and is shown in full.
"""

import copy

from django.conf import settings

SECONDARY = "x"
CATEGORIES = ("prisoners", "staff", "family_members", "former_prisoners")
SEXES = ("female", "male")
PAIRS = {
    "businesses_active_12m": "active",
    "employed_6m_after_release": "employed",
    "recidivism_12m": "reoffended",
    "recidivism_24m": "reoffended",
}
SINGLE_COUNTS = ("enrollments_completed", "certificates_issued", "former_prisoners_granted")


def threshold() -> int:
    return int(getattr(settings, "RESOC_DISCLOSURE_THRESHOLD", 10))


def primary_marker(limit: int | None = None) -> str:
    return f"<{threshold() if limit is None else limit}"


def small_count(value: int, limit: int | None = None) -> int | str:
    """A lone count of people as a donor may see it: `<10` below the threshold, zero included."""
    limit = threshold() if limit is None else limit
    return value if value >= limit else primary_marker(limit)


def is_suppressed(value) -> bool:
    return isinstance(value, str) and (value.startswith("<") or value == SECONDARY)


def _pinned(cells: dict[str, int], hidden: set, rest: int, unpublished: int, limit: int) -> bool:
    """Whether a reader who knows the rule could work out a hidden cell exactly: a cell shown
    `<limit` lies in [0, limit - 1], an `x` in [limit, the smallest shown cell], and together
    with the unpublished rest (0 or more) they add up to what the shown cells leave."""
    shown = [v for n, v in cells.items() if n not in hidden]
    top = min(shown, default=rest)
    bounds = {n: (0, limit - 1) if cells[n] < limit else (limit, min(rest, top)) for n in hidden}
    if unpublished:
        bounds[None] = (0, rest)
    for name, (low, high) in bounds.items():
        others_low = sum(b[0] for n, b in bounds.items() if n != name)
        others_high = sum(b[1] for n, b in bounds.items() if n != name)
        exact = max(low, rest - others_high) >= min(high, rest - others_low)
        if exact and (name is not None or 0 < unpublished < limit):
            return True
    return False


def hidden_cells(total: int, cells: dict[str, int], limit: int, unpublished: int = 0) -> set:
    """The cells of a table adding up to a shown `total` to hide. `unpublished` is the rest of
    the total that no cell shows (e.g. sex not stated): it is hidden anyway, and sensitive when
    it holds a few people (but not none), since it is the total minus the cells."""
    if total < limit:
        return set(cells)
    hidden = {name for name, value in cells.items() if value < limit}
    if not hidden and not 0 < unpublished < limit:
        return hidden
    shown = sorted((value, name) for name, value in cells.items() if name not in hidden)

    def weak() -> bool:
        count = len(hidden) + (1 if unpublished else 0)
        held = sum(cells[n] for n in hidden) + unpublished
        rest = total - sum(v for n, v in cells.items() if n not in hidden)
        return count < 2 or held < limit or _pinned(cells, hidden, rest, unpublished, limit)

    while shown and weak():
        hidden.add(shown.pop(0)[1])
    return hidden


def total_must_hide(total: int, cells: dict[str, int], limit: int) -> bool:
    """A table whose cells are all hidden and still pinned by its total (e.g. all ten in one
    category) must hide the total too."""
    hidden = hidden_cells(total, cells, limit)
    unpublished = total - sum(cells.values())
    return (
        total >= limit
        and bool(hidden)
        and len(hidden) == len(cells)
        and _pinned(cells, hidden, total, unpublished, limit)
    )


def _mark(value: int, limit: int) -> str:
    return f"<{limit}" if value < limit else SECONDARY


def suppress_table(values: dict, names, total: int, limit: int) -> list[str]:
    """Hide cells of `values` (adding up to `total` with an unpublished rest) in place."""
    cells = {name: values[name] for name in names}
    unpublished = total - sum(cells.values())
    hide = hidden_cells(total, cells, limit, unpublished)
    for name in hide:
        values[name] = _mark(cells[name], limit)
    return sorted(hide)


def suppress_part(
    values: dict, part: str, whole: int, limit: int, rate_key=None, empty_rest_tells=False
) -> list[str]:
    """Hide a part of a shown whole (and its rate) when the part or the rest is small. An
    empty rest tells something of everyone (all reoffended) when `empty_rest_tells`."""
    value = values[part]
    rest = whole - value
    small_rest = rest < limit if empty_rest_tells else 0 < rest < limit
    hidden = []
    if whole < limit or value < limit or small_rest:
        values[part] = _mark(value, limit)
        hidden.append(part)
        if rate_key and values.get(rate_key) is not None:
            values[rate_key] = f"<{limit}" if whole < limit else SECONDARY
            hidden.append(rate_key)
    return hidden


def suppress_pair(pair: dict, part: str, limit: int) -> list[str]:
    """{eligible, part, rate}: all hidden when few are eligible; else the part and rate when
    the part or the rest is small."""
    eligible = pair["eligible"]
    if eligible < limit:
        pair["eligible"] = f"<{limit}"
        pair[part] = f"<{limit}"
        pair["rate"] = f"<{limit}" if pair.get("rate") is not None else None
        return ["eligible", part, "rate"]
    return suppress_part(pair, part, eligible, limit, rate_key="rate", empty_rest_tells=True)


def for_donors(results: dict, limit: int | None = None) -> dict:
    """A copy of the key results as a donor may see them, with a `disclosure` note of what was
    hidden."""
    limit = threshold() if limit is None else limit
    shown = copy.deepcopy(results)
    hidden: list[str] = []
    trained = shown["persons_trained"]
    total = trained["total"]
    hide_total = total < limit or any(
        total_must_hide(total, {n: trained[n] for n in names}, limit)
        for names in (CATEGORIES, SEXES)
    )
    for names in (CATEGORIES, SEXES):
        hidden += [f"persons_trained.{n}" for n in suppress_table(trained, names, total, limit)]
    hidden += [f"persons_trained.{n}" for n in suppress_part(trained, "juveniles", total, limit)]
    if hide_total:
        trained["total"] = _mark(total, limit)
        hidden.append("persons_trained.total")
    for name in SINGLE_COUNTS:
        if name in shown and shown[name] < limit:
            shown[name] = f"<{limit}"
            hidden.append(name)
    for name, part in PAIRS.items():
        if name in shown:
            hidden += [f"{name}.{n}" for n in suppress_pair(shown[name], part, limit)]
    shown["disclosure"] = {"threshold": limit, "suppressed": sorted(set(hidden))}
    return shown
