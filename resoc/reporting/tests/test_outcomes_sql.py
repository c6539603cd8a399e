"""The database's month arithmetic of the outcome windows agrees with the re-entry area's."""

import datetime

import pytest
from django.db.models import DateField, Value

from resoc.reentry.dates import add_months
from resoc.registry.models import Country
from resoc.registry.tests.factories import country
from resoc.reporting.outcomes import AddMonths

D = datetime.date
DAYS = [
    D(2023, 1, 31),
    D(2023, 8, 31),
    D(2023, 2, 28),
    D(2024, 2, 29),
    D(2024, 3, 31),
    D(2024, 12, 31),
    D(2025, 1, 1),
    D(2025, 6, 15),
    D(2025, 5, 30),
]
MONTHS = [-24, -12, -1, 1, 6, 11, 12, 13, 24]


@pytest.mark.django_db
def test_add_months_in_the_database_keeps_the_day_or_takes_the_months_last():
    country("RS")
    cases = [(day, months) for day in DAYS for months in MONTHS]
    columns = {
        f"c{i}": AddMonths(Value(day, output_field=DateField()), months)
        for i, (day, months) in enumerate(cases)
    }
    row = Country.objects.filter(code="RS").annotate(**columns).values(*columns).get()
    got = {case: row[f"c{i}"] for i, case in enumerate(cases)}
    expected = {(day, months): add_months(day, months) for day, months in cases}
    assert got == expected
