"""Key results at scale: seed N synthetic persons, time `key_results()` next to hand-written SQL
that computes the same figures, and print both with their ratio.

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/key_results.py --persons 1000000

Meant for PostgreSQL (the hand-written SQL is PostgreSQL's: DISTINCT ON, FILTER); without
DATABASE_URL it seeds a throwaway SQLite database and times `key_results()` alone. See
benchmarks/README.md.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each")
    parser.add_argument("--as-of", type=datetime.date.fromisoformat, default=None)
    parser.add_argument("--db-dir", metavar="DIR", help="SQLite only: keep the database in DIR")
    parser.add_argument("--queries", action="store_true", help="time each query of key_results")
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
    fn()  # warm the caches once
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return result, times


# The hand-written SQL (PostgreSQL). Parameters: as_of and the cut-offs computed in Python.

TRAINED = "('enrolled', 'completed', 'dropped_out', 'transferred', 'released')"
DELIVERED_ITEMS = "('delivered', 'installed', 'in_use', 'out_of_service', 'decommissioned')"

SQL_SPENDING = f"""
SELECT 'equipment', cycle_id, SUM(value_eur) FROM equipment_equipmentitem
 WHERE status IN {DELIVERED_ITEMS} AND delivered_on <= %(as_of)s GROUP BY cycle_id
UNION ALL
SELECT 'training', c.cycle_id, SUM(c.cost_eur) FROM training_cohort c
 WHERE c.start <= %(as_of)s
   AND EXISTS (SELECT 1 FROM training_enrollment e
                WHERE e.cohort_id = c.id AND e.status IN {TRAINED})
 GROUP BY c.cycle_id
UNION ALL
SELECT 'grants', a.cycle_id, SUM(g.value_eur) FROM grants_grant g
  JOIN grants_application a ON a.id = g.application_id
 WHERE g.status IN ('delivered', 'closed') AND g.delivered_on <= %(as_of)s GROUP BY a.cycle_id
"""

SQL_FUNDERS = """
SELECT f.cycle_id, o.code, f.share_percent FROM registry_cyclefunder f
  JOIN registry_organisation o ON o.id = f.organisation_id
"""

SQL_SITES = f"""
WITH ws AS (
  SELECT w.id, w.institution_id FROM registry_workshop w
   WHERE EXISTS (SELECT 1 FROM equipment_equipmentitem i WHERE i.workshop_id = w.id
                    AND i.status IN {DELIVERED_ITEMS} AND i.delivered_on <= %(as_of)s)
      OR EXISTS (SELECT 1 FROM work_workassignment a WHERE a.workshop_id = w.id
                    AND a.start <= %(as_of)s)
)
SELECT (SELECT COUNT(*) FROM ws),
       (SELECT COUNT(*) FROM registry_institution i
         WHERE i.id IN (SELECT institution_id FROM ws)
            OR EXISTS (SELECT 1 FROM training_cohort c WHERE c.institution_id = i.id
                          AND c.start <= %(as_of)s
                          AND EXISTS (SELECT 1 FROM training_enrollment e
                                       WHERE e.cohort_id = c.id AND e.status IN {TRAINED})))
"""

SQL_PERSONS = f"""
WITH firsts AS (
  SELECT DISTINCT ON (e.person_id) e.person_id, c.start
    FROM training_enrollment e JOIN training_cohort c ON c.id = e.cohort_id
   WHERE e.status IN {TRAINED} AND c.start <= %(as_of)s
   ORDER BY e.person_id, c.start, e.id
)
SELECT CASE
         WHEN EXISTS (SELECT 1 FROM people_custodyepisode ce WHERE ce.person_id = f.person_id
                        AND ce.admitted_on <= f.start
                        AND (ce.released_on IS NULL OR ce.released_on > f.start)
                        AND (ce.transferred_out_on IS NULL OR ce.transferred_out_on >= f.start))
           THEN 'prisoner'
         WHEN EXISTS (SELECT 1 FROM people_custodyepisode ce WHERE ce.person_id = f.person_id
                        AND ce.released_on <= f.start)
           THEN 'former_prisoner'
         WHEN EXISTS (SELECT 1 FROM people_staffposition sp WHERE sp.person_id = f.person_id
                        AND (sp.started_on IS NULL OR sp.started_on <= f.start)
                        AND (sp.ended_on IS NULL OR sp.ended_on >= f.start))
           THEN 'staff'
         ELSE p.kind
       END,
       p.sex,
       COALESCE(EXTRACT(YEAR FROM f.start) - p.birth_year < 18, false),
       COUNT(*)
  FROM firsts f JOIN people_person p ON p.id = f.person_id
 GROUP BY 1, 2, 3
"""

SQL_COUNTS = """
SELECT
 (SELECT COUNT(*) FROM training_enrollment e JOIN training_cohort c ON c.id = e.cohort_id
   WHERE e.status = 'completed' AND e.completed_on <= %(as_of)s AND c.start <= %(as_of)s),
 (SELECT COUNT(*) FROM certificates_certificate ce
    JOIN training_enrollment e ON e.id = ce.enrollment_id
    JOIN training_cohort c ON c.id = e.cohort_id
   WHERE c.start <= %(as_of)s AND ce.issued_on <= %(as_of)s AND ce.revoked_on IS NULL),
 (SELECT COUNT(DISTINCT a.person_id) FROM grants_grant g
    JOIN grants_application a ON a.id = g.application_id
   WHERE g.status IN ('delivered', 'closed') AND g.delivered_on <= %(as_of)s)
"""

# Each delivered grant's latest visit at least 12 whole months after delivery (visits are one a
# day per grant). months_between(delivered, visited) >= 12 exactly when delivered <= visited - 12
# months (PostgreSQL's month arithmetic keeps the day or takes the month's last).
SQL_SURVIVAL = """
SELECT COUNT(*), COUNT(*) FILTER (WHERE business_active)
  FROM (
    SELECT DISTINCT ON (v.grant_id) v.business_active
      FROM grants_visit v JOIN grants_grant g ON g.id = v.grant_id
     WHERE g.status IN ('delivered', 'closed') AND g.delivered_on <= %(as_of)s
       AND g.delivered_on <= %(delivered_by_12)s
       AND v.visited_on <= %(as_of)s
       AND g.delivered_on <= (v.visited_on - INTERVAL '12 months')::date
     ORDER BY v.grant_id, v.visited_on DESC
  ) s
"""

# The release that counts (the latest by as_of) of each followed person, and for each window the
# latest release with a record in its window (employed contacts, reoffending events): the person
# counts when both are the same release. A record is within N months of a release when
# release < date <= release + N months (as resoc.reentry.outcomes._within: same month index and
# day; PostgreSQL's month arithmetic keeps the day or takes the month's last).
SQL_OUTCOMES = """
SELECT
  COUNT(*) FILTER (WHERE release <= %(cut_6)s),
  COUNT(*) FILTER (WHERE release <= %(cut_6)s AND employed_6 = release),
  COUNT(*) FILTER (WHERE release <= %(cut_12)s),
  COUNT(*) FILTER (WHERE release <= %(cut_12)s AND reoffended_12 = release),
  COUNT(*) FILTER (WHERE release <= %(cut_24)s),
  COUNT(*) FILTER (WHERE release <= %(cut_24)s AND reoffended_24 = release)
FROM (
  SELECT ce.person_id, MAX(ce.released_on) AS release,
         MAX(ce.released_on) FILTER (WHERE f.date IS NOT NULL AND f.date > ce.released_on
           AND f.date <= (ce.released_on + INTERVAL '6 months')::date) AS employed_6,
         MAX(ce.released_on) FILTER (WHERE e.date IS NOT NULL AND e.date > ce.released_on
           AND e.date <= (ce.released_on + INTERVAL '12 months')::date) AS reoffended_12,
         MAX(ce.released_on) FILTER (WHERE e.date IS NOT NULL AND e.date > ce.released_on
           AND e.date <= (ce.released_on + INTERVAL '24 months')::date) AS reoffended_24
    FROM people_custodyepisode ce
    LEFT JOIN reentry_followup f
      ON f.person_id = ce.person_id AND f.employment IN ('employed', 'self_employed')
    LEFT JOIN reentry_outcomeevent e ON e.person_id = ce.person_id
   WHERE ce.released_on <= %(as_of)s
     AND EXISTS (SELECT 1 FROM reentry_followup x WHERE x.person_id = ce.person_id)
   GROUP BY ce.person_id
) per_person
"""


def sql_params(as_of: datetime.date) -> dict:
    """The as-of day and the cut-off days of the month rules, computed in Python."""
    from resoc.grants.dates import delivered_by
    from resoc.reentry.dates import release_cutoff

    return {
        "as_of": as_of,
        "delivered_by_12": delivered_by(as_of, 12),
        **{f"cut_{m}": release_cutoff(as_of, m) for m in (6, 12, 24)},
    }


HAND_PARTS = {
    "spending": SQL_SPENDING,
    "funders": SQL_FUNDERS,
    "sites": SQL_SITES,
    "persons trained": SQL_PERSONS,
    "completions, certificates, granted": SQL_COUNTS,
    "business survival": SQL_SURVIVAL,
    "outcomes after release": SQL_OUTCOMES,
}


def hand_part_times(as_of: datetime.date, repeat: int) -> list[tuple[float, str]]:
    """(median ms, name) of each statement of the hand-written SQL."""
    from django.db import connection

    params, found = sql_params(as_of), []
    for name, sql in HAND_PARTS.items():
        times = []
        for _ in range(repeat + 1):
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                times.append((time.perf_counter() - started) * 1000)
        found.append((statistics.median(times[1:]), name))
    return sorted(found, reverse=True)


def hand_written(as_of: datetime.date) -> dict:
    """The key results (unfiltered, as of the day) from the SQL above and the same rounding."""
    from django.db import connection

    from resoc.core.money import split_by_shares
    from resoc.reporting.selectors import money, rate

    params = sql_params(as_of)
    with connection.cursor() as cursor:
        cursor.execute(SQL_SPENDING, params)
        spending = cursor.fetchall()
        cursor.execute(SQL_FUNDERS)
        funders = cursor.fetchall()
        cursor.execute(SQL_SITES, params)
        workshops, institutions = cursor.fetchone()
        cursor.execute(SQL_PERSONS, params)
        persons = cursor.fetchall()
        cursor.execute(SQL_COUNTS, params)
        completed, certificates, granted = cursor.fetchone()
        cursor.execute(SQL_SURVIVAL, params)
        eligible_12, active_12 = cursor.fetchone()
        cursor.execute(SQL_OUTCOMES, params)
        e6, employed, e12, reoffended_12, e24, reoffended_24 = cursor.fetchone()
    kinds, per_cycle = Counter(), Counter()
    for kind, cycle_id, total in spending:
        if total:
            kinds[kind] += total
            per_cycle[cycle_id] += total
    shares = {}
    for cycle_id, code, share in funders:
        shares.setdefault(cycle_id, []).append((code, share))
    by_source, unfunded = Counter(), Decimal(0)
    for cycle_id, total in per_cycle.items():
        if cycle_id not in shares:
            unfunded += total
            continue
        for code, part in split_by_shares(total, shares[cycle_id]).items():
            by_source[code] += part
    trained = Counter()
    names = {
        "prisoner": "prisoners",
        "former_prisoner": "former_prisoners",
        "staff": "staff",
        "family_member": "family_members",
    }
    for category, sex, juvenile, n in persons:
        trained["total"] += n
        trained[names[category]] += n
        trained[{"F": "female", "M": "male"}.get(sex, "other")] += n
        trained["juveniles"] += n if juvenile else 0
    return {
        "institutions_reached": institutions,
        "workshops_equipped": workshops,
        "equipment_value_eur": money(kinds["equipment"]),
        "training_cost_eur": money(kinds["training"]),
        "grants_value_eur": money(kinds["grants"]),
        "total_invested_eur": money(sum(kinds.values(), Decimal(0))),
        "funding_by_source_eur": {
            code: money(v) for code, v in sorted(by_source.items(), key=lambda kv: (-kv[1], kv[0]))
        },
        "unfunded_eur": money(unfunded),
        "persons_trained": {
            k: trained[k]
            for k in (
                "total",
                "prisoners",
                "staff",
                "family_members",
                "former_prisoners",
                "female",
                "male",
                "juveniles",
            )
        },
        "enrollments_completed": completed,
        "certificates_issued": certificates,
        "former_prisoners_granted": granted,
        "businesses_active_12m": {
            "eligible": eligible_12,
            "active": active_12,
            "rate": rate(active_12, eligible_12),
        },
        "employed_6m_after_release": {
            "eligible": e6,
            "employed": employed,
            "rate": rate(employed, e6),
        },
        "recidivism_12m": {
            "eligible": e12,
            "reoffended": reoffended_12,
            "rate": rate(reoffended_12, e12),
        },
        "recidivism_24m": {
            "eligible": e24,
            "reoffended": reoffended_24,
            "rate": rate(reoffended_24, e24),
        },
    }


def query_times(fn) -> list[tuple[float, str]]:
    """(ms, SQL) of each query `fn` runs."""
    from django.db import connection

    timings = []

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(wrapper):
        fn()
    return timings


COUNTED = [
    ("persons", "people.Person"),
    ("custody episodes", "people.CustodyEpisode"),
    ("enrollments", "training.Enrollment"),
    ("follow-ups", "reentry.FollowUp"),
    ("reoffending events", "reentry.OutcomeEvent"),
    ("equipment items", "equipment.EquipmentItem"),
    ("work assignments", "work.WorkAssignment"),
    ("grant applications", "grants.Application"),
    ("grants", "grants.Grant"),
    ("visits", "grants.Visit"),
]


def row_counts() -> str:
    from django.apps import apps

    parts = [f"{apps.get_model(label).objects.count():,} {name}" for name, label in COUNTED]
    return ", ".join(parts)


def report(label: str, ms: list[float]) -> str:
    return (
        f"{label:<28} median {statistics.median(ms):8.1f} ms "
        f"(min {min(ms):.1f}, max {max(ms):.1f}, {len(ms)} runs)"
    )


def main():
    args = parse_args()
    where = setup_django(args)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from resoc.core.seeding import seed_run
    from resoc.people.models import Person
    from resoc.registry.models import ProjectCycle
    from resoc.reporting.selectors import key_results

    print(f"Database: {connection.vendor} at {where}")
    call_command("migrate", verbosity=0)
    have = Person.objects.count()
    if have < args.persons:
        print(f"Seeding {args.persons - have:,} persons (seed {args.seed}) ...", flush=True)
        started = time.monotonic()
        seed_run(persons=args.persons - have, seed=args.seed)
        print(f"  seeded in {time.monotonic() - started:.1f} s", flush=True)
    if connection.vendor == "postgresql":
        # What autovacuum does to freshly loaded tables: statistics and the visibility map.
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE in {time.monotonic() - started:.1f} s")
    as_of = args.as_of or timezone.localdate()
    print(f"{row_counts()}; as of {as_of}\n")
    orm, orm_ms = timed(lambda: key_results(date_to=as_of), args.repeat)
    print(report("key_results()", orm_ms))
    if connection.vendor == "postgresql":
        sql, sql_ms = timed(lambda: hand_written(as_of), args.repeat)
        print(report("hand-written SQL", sql_ms))
        ratio = statistics.median(orm_ms) / statistics.median(sql_ms)
        print(f"ratio key_results / SQL:     {ratio:.2f}")
        same = {k: orm[k] for k in sql} == sql
        print(f"same figures:                {'yes' if same else 'NO'}")
        if not same:
            for key in sql:
                if orm[key] != sql[key]:
                    print(f"  {key}: key_results {orm[key]!r} / SQL {sql[key]!r}")
    latest = ProjectCycle.objects.order_by("-start").first()
    filters = [("country RS", {"country": "RS"})]
    if latest is not None:
        filters.append((f"cycle {latest.code}", {"cycle": latest.code}))
        both = {"country": "RS", "cycle": latest.code}
        filters.append((f"country RS, cycle {latest.code}", both))
    for label, kwargs in filters:
        _res, ms = timed(lambda kw=kwargs: key_results(date_to=as_of, **kw), args.repeat)
        print(report(f"key_results({label})", ms))
    print("\nFigures (unfiltered):")
    for key in ("persons_trained", "former_prisoners_granted", "businesses_active_12m"):
        print(f"  {key}: {orm[key]}")
    for key in ("employed_6m_after_release", "recidivism_12m", "recidivism_24m"):
        print(f"  {key}: {orm[key]}")
    if args.queries:
        print("\nEach query of key_results() (one run), slowest first:")
        for ms, statement in sorted(query_times(lambda: key_results(date_to=as_of)), reverse=True):
            print(f"{ms:8.1f} ms  {statement[:150]}")
        if connection.vendor == "postgresql":
            print("\nEach statement of the hand-written SQL (medians), slowest first:")
            for ms, name in hand_part_times(as_of, args.repeat):
                print(f"{ms:8.1f} ms  {name}")


if __name__ == "__main__":
    main()
