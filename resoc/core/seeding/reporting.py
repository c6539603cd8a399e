"""A results framework for every seeded cycle that has none: indicators computed by the named
formulas, with a baseline, SDG targets and a target for each year of the cycle."""

import datetime
from decimal import Decimal

from resoc.reporting.models import Indicator, IndicatorPeriod

L, U = Indicator.Level, Indicator.Unit
# (code, name, formula, unit, level, SDG targets, target per year per 1000 persons seeded)
FRAMEWORK = [
    (
        "OP1",
        "Prisoners, staff and family members trained",
        "persons_trained",
        U.PERSONS,
        L.OUTPUT,
        "4.4",
        60,
    ),
    ("OP2", "Certificates issued", "certificates_issued", U.PERSONS, L.OUTPUT, "4.4", 40),
    ("OP3", "Workshops equipped", "workshops_equipped", U.NUMBER, L.OUTPUT, "8.3", None),
    (
        "OC1",
        "Former prisoners given in-kind grants",
        "former_prisoners_granted",
        U.PERSONS,
        L.OUTCOME,
        "8.3",
        3,
    ),
    (
        "OC2",
        "Released participants employed within 6 months (%)",
        "employed_6m_after_release",
        U.PERCENT,
        L.OUTCOME,
        "8.5",
        None,
    ),
    (
        "IM1",
        "Released participants reoffending within 12 months (%)",
        "recidivism_12m",
        U.PERCENT,
        L.IMPACT,
        "16.3",
        None,
    ),
]
FIXED_TARGETS = {"OP3": Decimal(10), "OC2": Decimal(45), "IM1": Decimal(20)}
BASELINES = {"OC2": Decimal(25), "IM1": Decimal(35)}


def _years(cycle):
    for year in range(cycle.start.year, cycle.end.year + 1):
        yield (
            max(cycle.start, datetime.date(year, 1, 1)),
            min(cycle.end, datetime.date(year, 12, 31)),
        )


def seed_results_framework(ctx) -> None:
    persons = max(ctx.counts.get("person", 0), 1000)
    have = set(Indicator.objects.values_list("cycle_id", flat=True))
    indicators, periods = [], []
    for cycle in ctx.cycles:
        if cycle.pk in have:
            continue
        for code, name, formula, unit, level, sdg, per_thousand in FRAMEWORK:
            indicator = Indicator(
                cycle=cycle,
                code=code,
                name=name,
                formula=formula,
                unit=unit,
                level=level,
                sdg_targets=sdg,
                ascending=code != "IM1",
                baseline_value=BASELINES.get(code, Decimal(0)),
                baseline_year=cycle.start.year - 1,
            )
            indicators.append(indicator)
            for start, end in _years(cycle):
                if per_thousand is None:
                    target = FIXED_TARGETS[code]
                else:
                    target = Decimal(per_thousand * persons // 1000)
                periods.append(
                    IndicatorPeriod(indicator=indicator, start=start, end=end, target=target)
                )
    Indicator.objects.bulk_create(indicators)
    if indicators and indicators[0].pk is None:
        keys = {
            (i.cycle_id, i.code): i.pk
            for i in Indicator.objects.filter(cycle__in=[c.pk for c in ctx.cycles])
        }
        for indicator in indicators:
            indicator.pk = keys[(indicator.cycle_id, indicator.code)]
    for period in periods:
        period.indicator_id = period.indicator.pk
    IndicatorPeriod.objects.bulk_create(periods)
    ctx.counts["indicator"] += len(indicators)
    ctx.counts["indicatorperiod"] += len(periods)
