"""The names of the key results for people (page, Excel, PDF), in the JSON's order."""

from django.utils.translation import gettext_lazy as _

SITES = [
    ("institutions_reached", _("Institutions reached")),
    ("workshops_equipped", _("Workshops equipped")),
]
MONEY = [
    ("equipment_value_eur", _("Equipment delivered (EUR)")),
    ("training_cost_eur", _("Training (EUR)")),
    ("grants_value_eur", _("Grants delivered (EUR)")),
    ("total_invested_eur", _("Total invested (EUR)")),
]
TRAINED = [
    ("total", _("Persons trained")),
    ("prisoners", _("Prisoners")),
    ("staff", _("Prison staff")),
    ("family_members", _("Family members")),
    ("former_prisoners", _("Former prisoners")),
    ("female", _("Women")),
    ("male", _("Men")),
    ("juveniles", _("Juveniles (under 18)")),
]
COUNTS = [
    ("enrollments_completed", _("Courses completed")),
    ("certificates_issued", _("Certificates issued")),
    ("former_prisoners_granted", _("Former prisoners given grants")),
]
# Short names for charts.
RATE_SHORT = {
    "businesses_active_12m": _("Businesses active at 12 months"),
    "employed_6m_after_release": _("Employed within 6 months"),
    "recidivism_12m": _("Reoffended within 12 months"),
    "recidivism_24m": _("Reoffended within 24 months"),
}
# (field, the part's name, title)
RATES = [
    ("businesses_active_12m", "active", _("Businesses active 12 months after the grant")),
    ("employed_6m_after_release", "employed", _("Employed within 6 months of release")),
    ("recidivism_12m", "reoffended", _("Reoffended within 12 months of release")),
    ("recidivism_24m", "reoffended", _("Reoffended within 24 months of release")),
]
PART_NAMES = {
    "active": _("active"),
    "employed": _("employed"),
    "reoffended": _("reoffended"),
}


def percent(rate) -> str:
    """A rate ("0.5000") as a percentage for people; a hidden rate as it is; none as a dash."""
    if rate is None:
        return "—"
    if isinstance(rate, str) and not rate[:1].isdigit():
        return rate
    return f"{float(rate) * 100:.1f} %"


def rows(results: dict) -> list[tuple[str, str, object]]:
    """(section, name, value) of every figure, for a sheet or a table."""
    out = [("", label, results[key]) for key, label in SITES]
    out += [(_("Investment"), label, results[key]) for key, label in MONEY]
    for code, value in results["funding_by_source_eur"].items():
        out.append((_("Funding by source (EUR)"), code, value))
    if results.get("unfunded_eur") not in (None, "0.00"):
        out.append((_("Funding by source (EUR)"), _("No funder recorded"), results["unfunded_eur"]))
    out += [(_("People"), label, results["persons_trained"][key]) for key, label in TRAINED]
    out += [(_("People"), label, results[key]) for key, label in COUNTS]
    for key, part, title in RATES:
        pair = results.get(key)
        if pair is None:
            continue
        out.append((title, _("eligible"), pair["eligible"]))
        out.append((title, PART_NAMES[part], pair[part]))
        out.append((title, _("rate"), percent(pair["rate"])))
    return out
