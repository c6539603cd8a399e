from decimal import Decimal

import pytest

from resoc.imports.tests.helpers import errors_of, run
from resoc.registry.models import CycleFunder
from resoc.registry.tests.factories import CycleFactory, CycleFunderFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

HEADER = ["cycle", "organisation", "share_percent"]


@pytest.fixture
def orgs(db):
    return [OrganisationFactory(code=code) for code in ("EU", "SDC", "MOJ")]


def test_funders_totalling_100_are_imported_and_upserted(make_csv, orgs):
    CycleFactory(code="C1")
    path = make_csv([HEADER, ["C1", "EU", "60"], ["C1", "SDC", "40"]])

    assert run("cycle-funders", path).counts["created"] == 2
    assert run("cycle-funders", path).counts["unchanged"] == 2
    run("cycle-funders", make_csv([HEADER, ["C1", "EU", "50"], ["C1", "SDC", "50"]], name="b.csv"))
    assert CycleFunder.objects.get(organisation__code="EU").share_percent == Decimal("50")


def test_stored_funders_not_in_the_file_count_towards_the_total(make_csv, orgs):
    cycle = CycleFactory(code="C1")
    CycleFunderFactory(cycle=cycle, organisation=orgs[0], share_percent=Decimal("70"))
    CycleFunderFactory(cycle=cycle, organisation=orgs[1], share_percent=Decimal("30"))

    run("cycle-funders", make_csv([HEADER, ["C1", "SDC", "20"], ["C1", "MOJ", "10"]]))

    shares = dict(cycle.funders.values_list("organisation__code", "share_percent"))
    assert shares == {"EU": Decimal("70"), "SDC": Decimal("20"), "MOJ": Decimal("10")}


def test_a_cycle_not_totalling_100_is_an_error_naming_cycle_and_rows(make_csv, orgs):
    cycle = CycleFactory(code="C1")
    CycleFactory(code="C2")
    CycleFunderFactory(cycle=cycle, organisation=orgs[0], share_percent=Decimal("70"))
    path = make_csv([HEADER, ["C2", "EU", "100"], ["C1", "SDC", "20"], ["C1", "MOJ", "5"]])

    errors = errors_of("cycle-funders", path)

    assert errors == [
        (
            3,
            "share_percent",
            "The funder shares of cycle C1 total 95% (rows 3, 4 and EU 70% already stored); "
            "they must total exactly 100%.",
        )
    ]
    assert CycleFunder.objects.count() == 1


def test_share_must_be_positive_and_at_most_100(make_csv, orgs):
    CycleFactory(code="C1")
    errors = errors_of(
        "cycle-funders", make_csv([HEADER, ["C1", "EU", "0"], ["C1", "SDC", "100.5"]])
    )

    assert [(e[0], e[1]) for e in errors] == [(2, "share_percent"), (3, "share_percent")]
