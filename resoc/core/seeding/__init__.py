"""Deterministic synthetic data of any size, for `resoc seed`, `resoc demo` and benchmarks.

Each area contributes small step functions. Registry steps run first, person steps run for every
chunk of new persons (saved, with keys), final steps run once at the end. Every step draws from
its own named random stream, so adding a step never changes what the others create.
"""

import datetime
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from resoc.audit.services import audit_record
from resoc.core.seeding import (
    equipment,
    grants,
    people,
    procurement,
    reentry,
    registry,
    reporting,
    training,
    work,
)

# Dates are drawn relative to this day, not to today, so the same seed gives the same data.
REFERENCE_DAY = datetime.date(2025, 10, 1)


@dataclass
class SeedContext:
    seed: int
    ref_prefix: str
    reference_day: datetime.date = REFERENCE_DAY
    counts: Counter = field(default_factory=Counter)
    institutions: list = field(default_factory=list)
    workshops: list = field(default_factory=list)
    organisations: dict = field(default_factory=dict)
    cycles: list = field(default_factory=list)
    _streams: dict = field(default_factory=dict)
    # Steps may keep more lookups here as attributes (see people._prepare).

    def stream(self, name: str) -> random.Random:
        """The random stream of one step, the same for the same seed."""
        if name not in self._streams:
            self._streams[name] = random.Random(f"{self.seed}:{name}")
        return self._streams[name]


REGISTRY_STEPS: list[Callable] = [registry.seed_registry]
PERSON_STEPS: list[Callable] = [
    people.seed_custody,
    people.seed_staff_positions,
    work.seed_work,
    reentry.seed_reentry,
]
# Tenders are built over the equipment as seeded: keep procurement after the equipment step.
FINAL_STEPS: list[Callable] = [
    equipment.seed_equipment,
    work.seed_production,
    procurement.seed_tenders,
    training.seed_training,
    # Grants read the released people's trainings and reoffending: after those steps.
    grants.seed_grants,
    reporting.seed_results_framework,
]


def ref_prefix(seed: int) -> str:
    return f"S{seed}-"


@transaction.atomic
def seed_run(*, persons: int, seed: int = 1, actor=None, chunk_size: int = 5000) -> Counter:
    """Create the registry if missing and `persons` synthetic people. Returns counts by model."""
    ctx = SeedContext(seed=seed, ref_prefix=ref_prefix(seed))
    for step in REGISTRY_STEPS:
        step(ctx)
    for chunk in people.seed_persons(ctx, persons, chunk_size=chunk_size):
        for step in PERSON_STEPS:
            step(ctx, chunk)
    for step in FINAL_STEPS:
        step(ctx)
    counts = dict(sorted(ctx.counts.items()))
    audit_record("seed.applied", actor=actor, detail={"seed": seed, "counts": counts})
    return ctx.counts
