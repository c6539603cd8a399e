import time

from django.core.management.base import BaseCommand, CommandError

from resoc.core.seeding import seed_run


class Command(BaseCommand):
    help = (
        "Create deterministic synthetic data: the programme's registry (if missing) and N "
        "persons with custody episodes and staff positions. The same --seed gives the same data "
        "on a fresh database; seeding again adds people with the next references."
    )

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=1000, metavar="N")
        parser.add_argument("--seed", type=int, default=1, metavar="S")

    def handle(self, *args, persons, seed, **options):
        if persons < 0:
            raise CommandError("--persons must be 0 or more.")
        if seed < 0:
            raise CommandError("--seed must be 0 or more.")
        started = time.monotonic()
        counts = seed_run(persons=persons, seed=seed)
        elapsed = time.monotonic() - started
        width = max((len(name) for name in counts), default=0)
        for name, count in sorted(counts.items()):
            self.stdout.write(f"{name:>{width}}: {count}")
        self.stdout.write(f"Seed {seed}: done in {elapsed:.1f} s.")
