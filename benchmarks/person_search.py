"""Person search at scale: seed N synthetic persons, time typical searches, show the query plans.

    .venv/bin/python benchmarks/person_search.py --persons 1000000

Seeds into a throwaway SQLite database (or into DATABASE_URL if set), then runs the searches of
the people list (first page of 50 and the paginator's count) through `person_search`, as a
programme manager, a country coordinator, a treatment officer and a probation commissioner.
See benchmarks/README.md.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per search")
    parser.add_argument(
        "--db-dir",
        metavar="DIR",
        help="keep the SQLite database in DIR and reuse it when it holds the persons already",
    )
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE before searching")
    return parser.parse_args()


def setup_django(args) -> str:
    if os.environ.get("DATABASE_URL"):
        where = os.environ["DATABASE_URL"].split("@")[-1]
    else:
        var_dir = Path(args.db_dir or tempfile.mkdtemp(prefix="resoc-bench-"))
        var_dir.mkdir(parents=True, exist_ok=True)
        os.environ["RESOC_VAR_DIR"] = str(var_dir)
        where = str(var_dir / "resoc.sqlite3")
    os.environ.setdefault("RESOC_SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resoc.settings")
    os.environ.setdefault("RESOC_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    return where


def timed(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return result, times


def query_plan(qs) -> list[str]:
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [row[3] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def bench_users():
    from resoc.accounts.models import Role, User
    from resoc.registry.models import Country, Institution

    manager, _ = User.objects.get_or_create(username="bench-manager", role=Role.MANAGER)
    coordinator, _ = User.objects.get_or_create(username="bench-coord-rs", role=Role.COORDINATOR)
    coordinator.countries.set([Country.objects.get(code="RS")])
    officer, _ = User.objects.get_or_create(username="bench-officer-nis", role=Role.OFFICER)
    officer.institutions.set([Institution.objects.get(code="RS-NIS")])
    commissioner, _ = User.objects.get_or_create(
        username="bench-commissioner-nis", role=Role.COMMISSIONER, municipalities=["Niš"]
    )
    return manager, coordinator, officer, commissioner


def searches(officer):
    """(label, query) pairs typed into the people list, with real values from the data."""
    from django.db.models import Max

    from resoc.people.models import Person

    middle = Person.objects.aggregate(top=Max("pk"))["top"] // 2
    some = Person.objects.filter(pk__gte=middle).order_by("pk").first()
    theirs = (
        Person.objects.filter(
            custody_episodes__institution__in=officer.institutions.all(),
            custody_episodes__released_on__isnull=True,
            custody_episodes__transferred_out_on__isnull=True,
        )
        .order_by("pk")
        .first()
    ) or some
    return [
        ("no query (first page)", ""),
        ("family prefix 'Petrov'", "Petrov"),
        ("family prefix 'hox' (any case)", "hox"),
        ("folded 'djordj' = Đorđ", "djordj"),
        ("given + family 'marko jov'", "marko jov"),
        (f"full name of {some.ref}", f"{some.given_name} {some.family_name}"),
        (f"ref {some.ref}", some.ref),
        ("ref prefix", some.ref[:-2]),
        (f"officer's own person {theirs.ref}", f"{theirs.given_name} {theirs.family_name}"),
        (f"ref {theirs.ref}", theirs.ref),
    ]


def main():
    args = parse_args()
    where = setup_django(args)
    from django.core.management import call_command
    from django.db import connection

    from resoc.core.seeding import seed_run
    from resoc.people.models import CustodyEpisode, Person
    from resoc.people.selectors import person_search

    print(f"Database: {connection.vendor} at {where}")
    call_command("migrate", verbosity=0)
    have = Person.objects.count()
    if have < args.persons:
        print(f"Seeding {args.persons - have:,} persons (seed {args.seed}) ...", flush=True)
        started = time.monotonic()
        seed_run(persons=args.persons - have, seed=args.seed)
        print(f"  seeded in {time.monotonic() - started:.1f} s")
    if args.analyze or connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"{Person.objects.count():,} persons, {CustodyEpisode.objects.count():,} custody episodes\n"
    )
    users = bench_users()
    cases = searches(users[2])
    plans = {}
    header = f"{'user':<14}{'search':<44}{'page ms':>9}{'count ms':>10}{'rows':>6}{'count':>11}"
    print(header)
    print("-" * len(header))
    for user in users:
        for label, query in cases:
            qs = person_search(user=user, query=query)
            page, page_ms = timed(lambda qs=qs: list(qs[:50]), args.repeat)
            count, count_ms = timed(qs.count, args.repeat)
            print(
                f"{user.role:<14}{label[:43]:<44}{statistics.median(page_ms):>9.1f}"
                f"{statistics.median(count_ms):>10.1f}{len(page):>6}{count:>11,}"
            )
            plans.setdefault((user.role, label, query), query_plan(qs[:50]))
    print(f"\nMedians of {args.repeat} runs. The distinct query plans of the first page:")
    distinct = {}
    for case, plan in plans.items():
        distinct.setdefault(tuple(plan), []).append(case)
    for plan, cases_with_plan in distinct.items():
        print()
        for role, label, query in cases_with_plan:
            print(f"== {role}: {label} ({query!r})")
        for line in plan:
            print("   ", line)


if __name__ == "__main__":
    main()
