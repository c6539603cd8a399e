"""Named formulas over the records, for indicators computed rather than entered by hand.

Each computes one figure for a set of filters (cycle, period, and for disaggregation sex, age
band, country and kind of institution) and says how many people stand behind it, so that a
donor's copy can hide small ones.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from resoc.reporting import selectors, sources, upstream
from resoc.reporting.filters import ReportFilters

SEX, AGE, COUNTRY, KIND = "sex", "age_band", "country", "institution_kind"
ALL_DIMENSIONS = (SEX, AGE, COUNTRY, KIND)
SITES = (COUNTRY, KIND)


@dataclass(frozen=True)
class Figure:
    value: Decimal | None
    # How many people the figure counts or is a share of; None when it counts no people.
    people: int | None = None


@dataclass(frozen=True)
class Formula:
    name: str
    label: str
    unit: str
    compute: Callable[[ReportFilters], Figure]
    dimensions: tuple = ALL_DIMENSIONS


def _count(fn) -> Callable[[ReportFilters], Figure]:
    def compute(f):
        n = fn(f)
        return Figure(Decimal(n), n)

    return compute


def _number(fn) -> Callable[[ReportFilters], Figure]:
    return lambda f: Figure(Decimal(fn(f)))


def _trained(category: str):
    return _count(lambda f: selectors.persons_trained(f)[category])


def _money(kind: str):
    def compute(f):
        if kind == "equipment":
            parts = selectors.value_by_cycle(sources.equipment(f), "value_eur")
        elif kind == "training":
            parts = selectors.value_by_cycle(sources.cohorts_with_participants(f), "cost_eur")
        else:
            parts = upstream.grant_value_by_cycle(f)
        return Figure(sum(parts.values(), Decimal(0)).quantize(Decimal("0.01")))

    return compute


def _invested(f):
    return Figure(
        sum((_money(k)(f).value for k in ("equipment", "training", "grants")), Decimal(0))
    )


def _rate(pair_of: Callable[[ReportFilters], dict], part: str):
    def compute(f):
        pair = pair_of(f)
        eligible = int(pair["eligible"] or 0)
        if not eligible:
            return Figure(None, 0)
        share = Decimal(int(pair[part] or 0)) * 100 / Decimal(eligible)
        return Figure(share.quantize(Decimal("0.01")), eligible)

    return compute


def _outcome(name: str):
    return lambda f: upstream.outcomes(f)[name]


def _enrollments_completed(f):
    from resoc.training.models import Enrollment

    return Enrollment.objects.filter(
        sources.enrollment_q(f), status=Enrollment.Status.COMPLETED, completed_on__lte=f.as_of
    ).count()


def _sites(index: int):
    return _number(lambda f: selectors.sites_reached(f)[index])


PERSONS, NUMBER, PERCENT, EUR = "persons", "number", "percent", "eur"
GRANTEES = (SEX, AGE, COUNTRY)
_LIST = [
    Formula("persons_trained", _("Persons trained"), PERSONS, _trained("total")),
    Formula("prisoners_trained", _("Prisoners trained"), PERSONS, _trained("prisoners")),
    Formula("staff_trained", _("Prison staff trained"), PERSONS, _trained("staff")),
    Formula(
        "family_members_trained", _("Family members trained"), PERSONS, _trained("family_members")
    ),
    Formula(
        "former_prisoners_trained",
        _("Former prisoners trained"),
        PERSONS,
        _trained("former_prisoners"),
    ),
    Formula(
        "enrollments_completed", _("Courses completed"), PERSONS, _count(_enrollments_completed)
    ),
    Formula(
        "certificates_issued",
        _("Certificates issued"),
        PERSONS,
        _count(upstream.certificates_issued),
    ),
    Formula(
        "former_prisoners_granted",
        _("Former prisoners given grants"),
        PERSONS,
        _count(upstream.persons_granted),
        GRANTEES,
    ),
    Formula("institutions_reached", _("Institutions reached"), NUMBER, _sites(1), SITES),
    Formula("workshops_equipped", _("Workshops equipped"), NUMBER, _sites(0), SITES),
    Formula("equipment_value_eur", _("Equipment delivered (EUR)"), EUR, _money("equipment"), SITES),
    Formula("training_cost_eur", _("Training (EUR)"), EUR, _money("training"), SITES),
    Formula("grants_value_eur", _("Grants delivered (EUR)"), EUR, _money("grants"), (COUNTRY,)),
    Formula("total_invested_eur", _("Total invested (EUR)"), EUR, _invested, (COUNTRY,)),
    Formula(
        "businesses_active_12m",
        _("Businesses active 12 months after the grant (%)"),
        PERCENT,
        _rate(lambda f: upstream.business_survival(f, months=12), "active"),
        GRANTEES,
    ),
    Formula(
        "employed_6m_after_release",
        _("Employed within 6 months of release (%)"),
        PERCENT,
        _rate(_outcome("employed_6m_after_release"), "employed"),
        GRANTEES,
    ),
    Formula(
        "recidivism_12m",
        _("Reoffended within 12 months of release (%)"),
        PERCENT,
        _rate(_outcome("recidivism_12m"), "reoffended"),
        GRANTEES,
    ),
    Formula(
        "recidivism_24m",
        _("Reoffended within 24 months of release (%)"),
        PERCENT,
        _rate(_outcome("recidivism_24m"), "reoffended"),
        GRANTEES,
    ),
]
FORMULAS: dict[str, Formula] = {f.name: f for f in _LIST}


def formula_choices() -> list[tuple[str, str]]:
    return [("", _("— entered by hand —"))] + [(f.name, f.label) for f in _LIST]


def compute(name: str, filters: ReportFilters) -> Figure:
    return FORMULAS[name].compute(filters)


def compute_by(name: str, filters: ReportFilters, dimension: str, values) -> dict | None:
    """{value: Figure} for each value of the dimension, or None when it does not apply."""
    formula = FORMULAS[name]
    if dimension not in formula.dimensions:
        return None
    return {value: formula.compute(replace(filters, **{dimension: value})) for value in values}
