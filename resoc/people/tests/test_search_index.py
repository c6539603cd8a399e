"""Person search must find its rows through indexes, never by reading the whole person table.

SQLite plans without statistics, so its plans do not depend on the data. PostgreSQL is given a
couple of thousand people and their statistics, and is told not to scan sequentially, so a plan
that needs a full scan shows one.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resoc.core.seeding import seed_run
from resoc.people.selectors import person_search
from resoc.people.tests.factories import PersonFactory, prisoner_at

pytestmark = pytest.mark.django_db

SEARCHES = ["Petro", "đorđ", "marko petr", "P000001", "Jelena Hoxha Niš", "vukašin"]
PERSON_INDEX = r"(people_person_\w+|person_order|sqlite_autoindex_people_person_\d+)"
# On SQLite: a range on one of the search keys, answered by its index.
BY_KEY = rf"USING (COVERING )?INDEX {PERSON_INDEX} \((ref|given_key|family_key)>"
PG_BY_KEY = re.compile(r"Index (Only )?Scan (on|using) people_person_(ref|given_key|family_key)_")


@pytest.fixture
def few_people(prison_a, prison_b):
    prisoner_at(prison_a, person=PersonFactory(given_name="Vukašin", family_name="Petrović"))
    prisoner_at(prison_b, person=PersonFactory(given_name="Ana", family_name="Đorđević"))
    PersonFactory.create_batch(5, kind="former_prisoner")


@pytest.fixture
def people(few_people):
    # Enough people for PostgreSQL's statistics to matter; SQLite's plans ignore the numbers.
    seed_run(persons=2000 if connection.vendor == "postgresql" else 200, seed=1)


def plan_of(sql: str, params=None) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [row[3] for row in cursor.fetchall()]
        cursor.execute("ANALYZE people_person")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def count_sql(qs) -> str:
    """The statement the paginator runs to count the matches."""
    with CaptureQueriesContext(connection) as captured:
        qs.count()
    return captured.captured_queries[-1]["sql"]


def assert_searched_by_index(qs_or_sql, *, by_key: bool = True) -> None:
    if isinstance(qs_or_sql, str):
        sql, params = qs_or_sql, None
    else:
        sql, params = qs_or_sql.query.sql_with_params()
    plan = plan_of(sql, params)
    # The names the person table goes by in the query.
    names = {"people_person", *re.findall(r'"people_person" (\w+)', sql)}
    text = "\n".join(plan)
    if connection.vendor == "sqlite":
        # Subqueries reuse aliases (U0 may be the person or a custody episode): a scan of an
        # alias the person table goes by counts unless it reads another table's index.
        alias = "|".join(sorted(names))
        person_scan = rf"SCAN ({alias})( USING (COVERING )?INDEX {PERSON_INDEX})?$"
        assert not any(re.match(person_scan, line) for line in plan), text
        assert any(re.match(rf"SEARCH ({alias}) {BY_KEY}", line) for line in plan), text
    else:
        assert "Seq Scan on people_person" not in text, text
        if by_key:
            assert PG_BY_KEY.search(text), text


def test_manager_search_reads_the_name_and_reference_indexes(people, manager):
    for query in SEARCHES:
        assert_searched_by_index(person_search(user=manager, query=query)[:50])


def test_officer_search_reads_the_name_and_reference_indexes(people, officer_a):
    for query in SEARCHES:
        assert_searched_by_index(person_search(user=officer_a, query=query)[:50])


def test_coordinator_search_reads_the_name_and_reference_indexes(people, coordinator_rs):
    for query in SEARCHES:
        assert_searched_by_index(person_search(user=coordinator_rs, query=query)[:50])


def test_commissioner_search_reads_people_by_index(people, commissioner_nis):
    # PostgreSQL may start from the commissioner's cases here (a list of ids read by index) and
    # check the names on them, rather than from the name keys.
    for query in SEARCHES:
        qs = person_search(user=commissioner_nis, query=query)[:50]
        assert_searched_by_index(qs, by_key=connection.vendor == "sqlite")


def test_counting_the_matches_reads_the_indexes_too(people, officer_a, coordinator_rs):
    for user in (officer_a, coordinator_rs):
        assert_searched_by_index(count_sql(person_search(user=user, query="marko petr")))


def test_search_still_finds_people_by_any_word_order(few_people, manager, officer_a):
    found = person_search(user=manager, query="petr vukas")
    assert [p.full_name for p in found] == ["Vukašin Petrović"]
    assert [p.full_name for p in person_search(user=manager, query="ana djordj")] == [
        "Ana Đorđević"
    ]
    assert not person_search(user=officer_a, query="ana djordj").exists()
    assert [p.full_name for p in person_search(user=officer_a, query="vukasin")] == [
        "Vukašin Petrović"
    ]
