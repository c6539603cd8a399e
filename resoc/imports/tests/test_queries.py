import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resoc.audit.models import AuditHead
from resoc.imports.tests.helpers import run
from resoc.imports.tests.test_persons import HEADER, person
from resoc.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def audit_head(db):
    """The chain's head row exists after the first audited write; start from there."""
    AuditHead.objects.get_or_create(pk=1)


def persons_file(make_csv, start, count):
    rows = [HEADER]
    for n in range(start, start + count):
        if n % 3 == 0:
            rows.append(person(f"P{n}", kind="staff", institution="RS-SM", admitted=""))
        else:
            rows.append(person(f"P{n}", institution="RS-NIS" if n % 2 else "RS-SM"))
    return make_csv(rows, name=f"persons-{start}.csv")


def queries_of(path) -> int:
    with CaptureQueriesContext(connection) as queries:
        run("persons", path)
    return len(queries)


def test_queries_do_not_grow_with_the_number_of_rows(make_csv, prison_a, prison_b):
    # Some stored people, so that rows update as well as create.
    for n in list(range(0, 3)) + list(range(100, 110)):
        PersonFactory(ref=f"P{n}", kind="staff" if n % 3 == 0 else "prisoner")

    few = queries_of(persons_file(make_csv, 0, 5))
    many = queries_of(persons_file(make_csv, 100, 30))

    assert few == many
    assert many <= 16


def test_registry_import_queries_are_constant(make_csv, prison_a):
    def workshops(count, name):
        rows = [["code", "institution", "name", "trade"]]
        rows += [[f"WS{n}", "RS-NIS", f"Workshop {n}", "tailoring"] for n in range(count)]
        return make_csv(rows, name=name)

    few = queries_of_kind("workshops", workshops(2, "a.csv"))
    many = queries_of_kind("workshops", workshops(40, "b.csv"))

    assert few == many


def queries_of_kind(kind, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        run(kind, path)
    return len(queries)
