import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from resoc.audit.models import AuditEntry, AuditHead
from resoc.work.models import ProductionRecord, WorkAssignment, WorkMonth
from resoc.work.tests.conftest import in_custody
from resoc.work.tests.factories import AssignmentFactory, ProductionFactory, WorkMonthFactory

pytestmark = pytest.mark.django_db

D = datetime.date
ASSIGNMENTS = "/api/v1/work-assignments/"
MONTHS = "/api/v1/work-months/"
PRODUCTION = "/api/v1/production/"


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_work_endpoints_need_credentials(assignment_a):
    for path in (ASSIGNMENTS, MONTHS, PRODUCTION):
        assert APIClient().get(path).status_code == 401


# Assignments


def test_officer_lists_assignments_of_their_institution_only_and_it_is_audited(
    api_for, officer_a, assignment_a, assignment_b
):
    rows = results(api_for(officer_a).get(ASSIGNMENTS))

    assert [(r["person"], r["workshop"]) for r in rows] == [("A-1", "RS-NIS-TAI")]
    assert AuditEntry.objects.get(action="work.workassignment.listed").detail["refs"] == ["A-1"]


def test_assignment_of_another_prison_answers_404(api_for, officer_b, assignment_a):
    response = api_for(officer_b).get(f"{ASSIGNMENTS}{assignment_a.pk}/")
    assert response.status_code == 404


def test_assignment_detail_is_audited_with_the_person(api_for, officer_a, assignment_a):
    response = api_for(officer_a).get(f"{ASSIGNMENTS}{assignment_a.pk}/")

    assert response.status_code == 200
    assert response.json()["start"] == "2024-01-01"
    assert AuditEntry.objects.get(action="work.workassignment.viewed").person_ref == "A-1"


@pytest.mark.parametrize("persona", ["donor", "procurement"])
def test_roles_without_personal_data_get_403_on_person_level_endpoints(
    api_for, request, persona, assignment_a
):
    client = api_for(request.getfixturevalue(persona))
    for path in (ASSIGNMENTS, f"{ASSIGNMENTS}{assignment_a.pk}/", MONTHS):
        assert client.get(path).status_code == 403
    assert client.post(ASSIGNMENTS, {}, format="json").status_code == 403


def test_assignment_filters(api_for, manager, prison_a, workshop_a, workshop_b, assignment_a):
    ended = in_custody(prison_a, "A-2")
    AssignmentFactory(
        person=ended,
        workshop=workshop_a,
        start=D(2023, 1, 1),
        end=D(2023, 6, 30),
        ended_reason="completed",
    )
    client = api_for(manager)

    assert len(results(client.get(ASSIGNMENTS, {"workshop": "RS-NIS-TAI"}))) == 2
    assert [r["person"] for r in results(client.get(ASSIGNMENTS, {"open": "true"}))] == ["A-1"]
    assert [r["person"] for r in results(client.get(ASSIGNMENTS, {"month": "2023-03"}))] == ["A-2"]
    assert [r["person"] for r in results(client.get(ASSIGNMENTS, {"person": "a-2"}))] == ["A-2"]
    assert client.get(ASSIGNMENTS, {"month": "March"}).status_code == 400


def test_officer_creates_an_assignment(api_for, officer_a, worker_a, workshop_a):
    response = api_for(officer_a).post(
        ASSIGNMENTS,
        {"person": "a-1", "workshop": "RS-NIS-TAI", "start": "2024-02-01", "role": "cutter"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["person"] == "A-1"
    assert WorkAssignment.objects.get().role == "cutter"
    assert AuditEntry.objects.get(action="work.workassignment.created").person_ref == "A-1"


def test_assignment_breaking_the_custody_rule_answers_400_with_the_reason(
    api_for, manager, worker_b, workshop_a
):
    response = api_for(manager).post(
        ASSIGNMENTS,
        {"person": "B-1", "workshop": "RS-NIS-TAI", "start": "2024-02-01"},
        format="json",
    )

    assert response.status_code == 400
    assert "not in custody at the workshop's institution" in str(response.json())


def test_officer_cannot_create_for_a_person_or_workshop_outside_their_scope(
    api_for, officer_a, worker_b, workshop_b, worker_a
):
    client = api_for(officer_a)
    response = client.post(
        ASSIGNMENTS,
        {"person": "B-1", "workshop": "RS-SM-CON", "start": "2024-02-01"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"person", "workshop"}
    assert not WorkAssignment.objects.exists()


def test_auditor_reads_but_cannot_write_assignments(api_for, auditor, worker_a, workshop_a):
    client = api_for(auditor)
    assert client.get(ASSIGNMENTS).status_code == 200
    response = client.post(
        ASSIGNMENTS,
        {"person": "A-1", "workshop": "RS-NIS-TAI", "start": "2024-02-01"},
        format="json",
    )
    assert response.status_code == 403


def test_ending_an_assignment_through_the_api(api_for, officer_a, officer_b, assignment_a):
    path = f"{ASSIGNMENTS}{assignment_a.pk}/"
    data = {"end": "2024-05-31", "ended_reason": "other"}

    assert api_for(officer_b).patch(path, data, format="json").status_code == 404
    response = api_for(officer_a).patch(path, data, format="json")

    assert response.status_code == 200, response.content
    assignment_a.refresh_from_db()
    assert (assignment_a.end, assignment_a.ended_reason) == (D(2024, 5, 31), "other")
    assert api_for(officer_a).patch(path, {"end": "2023-01-01"}, format="json").status_code == 400


def test_assignment_list_runs_the_same_queries_for_2_or_20_rows(
    api_for, officer_a, prison_a, workshop_a
):
    client = api_for(officer_a)

    AuditHead.objects.get_or_create(pk=1)

    def add(count, prefix):
        for n in range(count):
            person = in_custody(prison_a, f"{prefix}{n}")
            AssignmentFactory(person=person, workshop=workshop_a)
            WorkMonthFactory(person=person, workshop=workshop_a)

    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    add(2, "F-")
    client.get(PRODUCTION)  # the token's first use is recorded once
    few = queries(ASSIGNMENTS), queries(MONTHS)
    add(18, "M-")
    assert (queries(ASSIGNMENTS), queries(MONTHS)) == few


# Work months


def test_work_month_is_created_with_pay_in_eur(api_for, officer_a, assignment_a, rsd_rate):
    response = api_for(officer_a).post(
        MONTHS,
        {
            "person": "A-1",
            "workshop": "RS-NIS-TAI",
            "month": "2024-03",
            "hours": "100",
            "pay": "2350",
            "currency": "rsd",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["pay_eur"] == "20.00"
    assert response.json()["month"] == "2024-03"
    assert WorkMonth.objects.get().month == D(2024, 3, 1)


def test_work_month_over_the_maximum_answers_400(
    api_for, officer_a, assignment_a, rsd_rate, settings
):
    settings.RESOC_WORK_MAX_HOURS_PER_MONTH = 100
    response = api_for(officer_a).post(
        MONTHS,
        {
            "person": "A-1",
            "workshop": "RS-NIS-TAI",
            "month": "2024-03",
            "hours": "101",
            "pay": "1",
            "currency": "EUR",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "at most 100 hours" in str(response.json()["hours"])


def test_work_months_are_scoped_and_updated_in_place(
    api_for, officer_a, officer_b, assignment_a, rsd_rate
):
    record = WorkMonthFactory(person=assignment_a.person, workshop=assignment_a.workshop)
    path = f"{MONTHS}{record.pk}/"

    assert results(api_for(officer_b).get(MONTHS)) == []
    assert api_for(officer_b).get(path).status_code == 404
    response = api_for(officer_a).patch(path, {"hours": "80", "pay": "1175"}, format="json")

    assert response.status_code == 200, response.content
    record.refresh_from_db()
    assert (record.hours, record.pay_eur) == (Decimal("80"), Decimal("10.00"))
    assert AuditEntry.objects.get(action="work.workmonth.updated").person_ref == "A-1"


# Production


def test_production_is_readable_by_donors_and_procurement_within_scope(
    api_for, donor, procurement, officer_b, workshop_a, buyer
):
    ProductionFactory(workshop=workshop_a, product="Chairs", buyer=buyer)

    for user in (donor, procurement):
        rows = results(api_for(user).get(PRODUCTION))
        assert [(r["product"], r["buyer"], r["month"]) for r in rows] == [
            ("Chairs", "BUY-1", "2024-03")
        ]
    assert results(api_for(officer_b).get(PRODUCTION)) == []
    assert not AuditEntry.objects.filter(action__startswith="work.productionrecord.").exists()


def test_production_filters(api_for, manager, workshop_a, workshop_b, buyer):
    ProductionFactory(workshop=workshop_a, buyer=buyer, month=D(2024, 3, 1))
    ProductionFactory(workshop=workshop_b, month=D(2024, 4, 1))
    client = api_for(manager)

    assert len(results(client.get(PRODUCTION, {"workshop": "RS-SM-CON"}))) == 1
    assert len(results(client.get(PRODUCTION, {"buyer": "BUY-1"}))) == 1
    assert len(results(client.get(PRODUCTION, {"month": "2024-04"}))) == 1


def test_officer_records_production_and_donor_cannot(
    api_for, officer_a, donor, workshop_a, buyer, rsd_rate
):
    data = {
        "workshop": "RS-NIS-TAI",
        "month": "2024-03",
        "product": "Chairs",
        "quantity": "10",
        "unit": "pieces",
        "value": "2350",
        "currency": "RSD",
        "buyer": "BUY-1",
    }

    assert api_for(donor).post(PRODUCTION, data, format="json").status_code == 403
    response = api_for(officer_a).post(PRODUCTION, data, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["value_eur"] == "20.00"
    assert ProductionRecord.objects.get().buyer == buyer


def test_production_buyer_must_be_a_buyer_and_workshop_in_scope(
    api_for, officer_a, workshop_a, workshop_b
):
    from resoc.registry.tests.factories import OrganisationFactory

    OrganisationFactory(code="DONOR-1", kind="donor")
    response = api_for(officer_a).post(
        PRODUCTION,
        {
            "workshop": "RS-SM-CON",
            "month": "2024-03",
            "product": "Chairs",
            "quantity": "10",
            "unit": "pieces",
            "buyer": "DONOR-1",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"workshop", "buyer"}


def test_production_of_another_prison_cannot_be_changed(api_for, officer_b, workshop_a):
    record = ProductionFactory(workshop=workshop_a)
    response = api_for(officer_b).patch(f"{PRODUCTION}{record.pk}/", {"quantity": "1"})
    assert response.status_code == 404
