import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from resoc.audit.models import AuditEntry
from resoc.work.models import ProductionRecord, WorkAssignment, WorkMonth
from resoc.work.tests.conftest import in_custody
from resoc.work.tests.factories import AssignmentFactory, ProductionFactory, WorkMonthFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def queries_of(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200
    return len(captured)


def url(name, *args):
    return reverse(f"work:{name}", args=args)


# The work index and navigation


def test_every_role_sees_the_work_index_with_their_workshops(
    client_for, donor, officer_a, workshop_a, workshop_b, assignment_a
):
    page = client_for(donor).get(url("index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "RS-NIS-TAI" in html and "RS-SM-CON" in html
    assert url("assignments", "RS-NIS-TAI") not in html  # donors do not see people
    html = client_for(officer_a).get(url("index")).content.decode()
    assert "RS-NIS-TAI" in html and "RS-SM-CON" not in html
    assert url("assignments", "RS-NIS-TAI") in html
    assert 'href="/work/"' in html


def test_donors_see_a_workshops_few_workers_as_fewer_than_ten(
    client_for, donor, manager, workshop_a, assignment_a
):
    row = "RS-NIS-TAI · {}</td><td>{}</td><td>{}</td><td>{}</td>"
    workshop = workshop_a
    cells = (workshop.name, workshop.institution, workshop.trade)
    assert row.format(*cells, "&lt;10") in client_for(donor).get(url("index")).content.decode()
    assert row.format(*cells, "1") in client_for(manager).get(url("index")).content.decode()


def test_person_detail_links_to_their_work(client_for, officer_a, worker_a):
    html = client_for(officer_a).get(reverse("people:detail", args=[worker_a.ref])).content
    assert url("person", worker_a.ref).encode() in html


# Assignments of a workshop


def test_officer_sees_the_workers_of_their_workshop_and_the_view_is_audited(
    client_for, officer_a, assignment_a
):
    response = client_for(officer_a).get(url("assignments", "RS-NIS-TAI"))

    assert response.status_code == 200
    assert b"A-1" in response.content
    entry = AuditEntry.objects.get(action="work.assignment.listed")
    assert entry.detail["refs"] == ["A-1"]


def test_officer_of_another_prison_gets_404_for_the_workshop(client_for, officer_b, assignment_a):
    assert client_for(officer_b).get(url("assignments", "RS-NIS-TAI")).status_code == 404


@pytest.mark.parametrize("persona", ["donor", "procurement"])
def test_roles_without_personal_data_get_403_on_assignments(
    client_for, request, persona, assignment_a
):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url("assignments", "RS-NIS-TAI")).status_code == 403
    assert client_for(user).get(url("months", "RS-NIS-TAI", "2024-03")).status_code == 403
    assert client_for(user).get(url("person", "A-1")).status_code == 403


def test_ended_assignments_show_only_on_request(client_for, manager, prison_a, workshop_a):
    person = in_custody(prison_a, "OLD-1")
    AssignmentFactory(
        person=person,
        workshop=workshop_a,
        start=D(2023, 1, 1),
        end=D(2023, 6, 30),
        ended_reason="completed",
    )
    client = client_for(manager)
    assert b"OLD-1" not in client.get(url("assignments", "RS-NIS-TAI")).content
    assert b"OLD-1" in client.get(url("assignments", "RS-NIS-TAI") + "?show=all").content


def test_assignment_list_runs_the_same_queries_for_2_or_20_workers(
    client_for, officer_a, prison_a, workshop_a
):
    def add(count, prefix):
        for n in range(count):
            AssignmentFactory(person=in_custody(prison_a, f"{prefix}{n}"), workshop=workshop_a)

    client = client_for(officer_a)
    add(2, "F-")
    few = queries_of(lambda: client.get(url("assignments", "RS-NIS-TAI")))
    add(18, "M-")
    assert queries_of(lambda: client.get(url("assignments", "RS-NIS-TAI"))) == few


def test_officer_assigns_a_prisoner_of_their_institution(
    client_for, officer_a, worker_a, workshop_a
):
    response = client_for(officer_a).post(
        url("assignment_create", "RS-NIS-TAI"),
        {"person_ref": "a-1", "start": "2024-02-01", "role": "cutter", "hours_per_week": "30"},
    )

    assert response.status_code == 302
    assignment = WorkAssignment.objects.get()
    assert (assignment.person, assignment.role) == (worker_a, "cutter")


def test_assignment_breaking_the_custody_rule_is_refused_in_the_form(
    client_for, manager, worker_b, workshop_a
):
    response = client_for(manager).post(
        url("assignment_create", "RS-NIS-TAI"), {"person_ref": "B-1", "start": "2024-02-01"}
    )

    assert response.status_code == 200
    assert "not in custody at the workshop&#x27;s institution" in response.content.decode()
    assert not WorkAssignment.objects.exists()


def test_officer_cannot_assign_someone_outside_their_scope(
    client_for, officer_a, worker_b, workshop_a
):
    response = client_for(officer_a).post(
        url("assignment_create", "RS-NIS-TAI"), {"person_ref": "B-1", "start": "2024-02-01"}
    )
    assert b"nobody with this reference in your scope" in response.content
    assert not WorkAssignment.objects.exists()


@pytest.mark.parametrize("persona", ["auditor", "donor"])
def test_readers_and_others_cannot_create_assignments(client_for, request, persona, workshop_a):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url("assignment_create", "RS-NIS-TAI")).status_code == 403


def test_officer_of_another_prison_cannot_create_there(client_for, officer_b, workshop_a):
    assert client_for(officer_b).get(url("assignment_create", "RS-NIS-TAI")).status_code == 404


def test_ending_an_assignment_in_the_page(client_for, officer_a, assignment_a):
    client = client_for(officer_a)
    assert client.get(url("assignment_end", assignment_a.pk)).status_code == 200
    response = client.post(
        url("assignment_end", assignment_a.pk), {"on": "2024-05-31", "reason": "completed"}
    )

    assert response.status_code == 302
    assignment_a.refresh_from_db()
    assert assignment_a.end == D(2024, 5, 31)


def test_ending_before_the_start_is_shown_in_the_form(client_for, officer_a, assignment_a):
    response = client_for(officer_a).post(
        url("assignment_end", assignment_a.pk), {"on": "2023-05-31", "reason": "completed"}
    )
    assert b"cannot precede the start" in response.content


def test_ending_someone_elses_assignment_answers_404_or_403(
    client_for, officer_b, auditor, assignment_a
):
    assert client_for(officer_b).get(url("assignment_end", assignment_a.pk)).status_code == 404
    assert client_for(auditor).get(url("assignment_end", assignment_a.pk)).status_code == 403


# A person's work


def test_persons_work_page_shows_assignments_and_months(client_for, officer_a, assignment_a):
    WorkMonthFactory(person=assignment_a.person, workshop=assignment_a.workshop)

    response = client_for(officer_a).get(url("person", "A-1"))

    assert response.status_code == 200
    assert b"RS-NIS-TAI" in response.content and b"2024-03" in response.content
    assert AuditEntry.objects.get(action="work.person.viewed").person_ref == "A-1"


def test_persons_work_page_of_someone_out_of_scope_is_404(client_for, officer_b, assignment_a):
    assert client_for(officer_b).get(url("person", "A-1")).status_code == 404


# Monthly records


def post_months(client, month, rows):
    data = {}
    for ref, hours, pay, currency in rows:
        data.update({f"{ref}-hours": hours, f"{ref}-pay": pay, f"{ref}-currency": currency})
    return client.post(url("months", "RS-NIS-TAI", month), data)


def test_monthly_records_form_lists_active_workers_and_saves_them(
    client_for, officer_a, prison_a, workshop_a, assignment_a, rsd_rate
):
    other = in_custody(prison_a, "A-2")
    AssignmentFactory(person=other, workshop=workshop_a, start=D(2024, 3, 10))
    client = client_for(officer_a)

    page = client.get(url("months", "RS-NIS-TAI", "2024-03"))
    assert page.status_code == 200
    assert b"A-1" in page.content and b"A-2" in page.content
    assert b'value="RSD"' in page.content
    response = post_months(
        client, "2024-03", [("A-1", "120", "2350", "RSD"), ("A-2", "", "", "RSD")]
    )

    assert response.status_code == 302
    record = WorkMonth.objects.get()
    assert (record.person.ref, record.month, record.pay_eur) == (
        "A-1",
        D(2024, 3, 1),
        Decimal("20"),
    )


def test_monthly_records_over_the_maximum_are_refused_on_the_row(
    client_for, officer_a, assignment_a, rsd_rate, settings
):
    settings.RESOC_WORK_MAX_HOURS_PER_MONTH = 100
    response = post_months(client_for(officer_a), "2024-03", [("A-1", "101", "100", "RSD")])

    assert response.status_code == 200
    assert b"at most 100 hours a month" in response.content
    assert not WorkMonth.objects.exists()


def test_monthly_records_without_a_rate_are_refused(client_for, officer_a, assignment_a):
    response = post_months(client_for(officer_a), "2024-03", [("A-1", "10", "100", "RSD")])
    assert b"No exchange rate for RSD" in response.content


def test_auditor_reads_monthly_records_but_cannot_post(client_for, auditor, assignment_a):
    client = client_for(auditor)
    assert client.get(url("months", "RS-NIS-TAI", "2024-03")).status_code == 200
    assert post_months(client, "2024-03", [("A-1", "1", "1", "EUR")]).status_code == 403


def test_monthly_records_of_another_prison_are_404(client_for, officer_b, assignment_a):
    assert client_for(officer_b).get(url("months", "RS-NIS-TAI", "2024-03")).status_code == 404


def test_monthly_records_run_the_same_queries_for_2_or_20_workers(
    client_for, officer_a, prison_a, workshop_a, rsd_rate
):
    def add(count, prefix):
        for n in range(count):
            person = in_custody(prison_a, f"{prefix}{n}")
            AssignmentFactory(person=person, workshop=workshop_a)
            WorkMonthFactory(person=person, workshop=workshop_a, month=D(2024, 3, 1))

    client = client_for(officer_a)
    add(2, "F-")
    few_get = queries_of(lambda: client.get(url("months", "RS-NIS-TAI", "2024-03")))
    few_post = len_post(client, [f"F-{n}" for n in range(2)])
    add(18, "M-")
    refs = [f"F-{n}" for n in range(2)] + [f"M-{n}" for n in range(18)]
    assert queries_of(lambda: client.get(url("months", "RS-NIS-TAI", "2024-03"))) == few_get
    assert len_post(client, refs) == few_post


def len_post(client, refs) -> int:
    rows = [(ref, "99", "1175", "RSD") for ref in refs]
    with CaptureQueriesContext(connection) as captured:
        response = post_months(client, "2024-03", rows)
    assert response.status_code == 302
    # Every row changed: a bulk update, not one per row.
    assert set(WorkMonth.objects.values_list("hours", flat=True)) == {Decimal("99")}
    WorkMonth.objects.update(hours=100)
    return len(captured)


def test_months_without_a_month_redirect_to_this_month(client_for, officer_a, workshop_a):
    response = client_for(officer_a).get(url("months_current", "RS-NIS-TAI") + "?month=2024-05")
    assert response["Location"] == url("months", "RS-NIS-TAI", "2024-05")


# Production and sales


def test_donor_and_procurement_read_production_but_cannot_write(
    client_for, donor, procurement, workshop_a
):
    record = ProductionFactory(workshop=workshop_a, product="Uniforms")
    for user in (donor, procurement):
        client = client_for(user)
        page = client.get(url("production", "RS-NIS-TAI"))
        assert page.status_code == 200 and b"Uniforms" in page.content
        assert client.get(url("production_create", "RS-NIS-TAI")).status_code == 403
        assert client.get(url("production_edit", record.pk)).status_code == 403


def test_officer_records_production_sold_to_a_buyer(
    client_for, officer_a, workshop_a, buyer, rsd_rate
):
    response = client_for(officer_a).post(
        url("production_create", "RS-NIS-TAI"),
        {
            "month": "2024-03",
            "product": "Uniforms",
            "quantity": "50",
            "unit": "pieces",
            "value": "23500",
            "currency": "rsd",
            "buyer": buyer.pk,
        },
    )

    assert response.status_code == 302
    record = ProductionRecord.objects.get()
    assert (record.month, record.value_eur, record.buyer) == (D(2024, 3, 1), Decimal("200"), buyer)


def test_production_form_offers_only_buyers(client_for, officer_a, workshop_a, buyer):
    from resoc.registry.tests.factories import OrganisationFactory

    OrganisationFactory(name="Some Donor", kind="donor")
    html = client_for(officer_a).get(url("production_create", "RS-NIS-TAI")).content
    assert b"Buyer One" in html and b"Some Donor" not in html


def test_officer_edits_production_but_not_of_another_prison(
    client_for, officer_a, officer_b, workshop_a, rsd_rate
):
    record = ProductionFactory(workshop=workshop_a, product="Bread", unit="kg")
    data = {"month": "2024-04", "product": "Bread", "quantity": "7", "unit": "kg"}

    assert client_for(officer_b).post(url("production_edit", record.pk), data).status_code == 404
    assert client_for(officer_a).post(url("production_edit", record.pk), data).status_code == 302
    record.refresh_from_db()
    assert (record.month, record.quantity, record.value_eur) == (D(2024, 4, 1), 7, None)


def test_production_list_runs_the_same_queries_for_2_or_20_records(
    client_for, officer_a, workshop_a, buyer
):
    client = client_for(officer_a)
    for _ in range(2):
        ProductionFactory(workshop=workshop_a, buyer=buyer)
    few = queries_of(lambda: client.get(url("production", "RS-NIS-TAI")))
    for _ in range(18):
        ProductionFactory(workshop=workshop_a, buyer=buyer)
    assert queries_of(lambda: client.get(url("production", "RS-NIS-TAI"))) == few


def test_sales_by_buyer_summary_and_purchases(client_for, donor, officer_b, workshop_a, buyer):
    ProductionFactory(workshop=workshop_a, buyer=buyer, product="Chairs", value_eur=Decimal("75"))

    response = client_for(donor).get(url("sales"))
    assert response.status_code == 200 and b"Buyer One" in response.content
    detail = client_for(donor).get(url("sales") + "?buyer=BUY-1")
    assert b"Chairs" in detail.content
    assert b"Chairs" not in client_for(officer_b).get(url("sales") + "?buyer=BUY-1").content


def test_sales_page_runs_the_same_queries_for_2_or_20_sales(client_for, manager, workshop_a):
    from resoc.registry.tests.factories import OrganisationFactory

    client = client_for(manager)

    def add(count):
        for _ in range(count):
            buyer = OrganisationFactory(kind="buyer")
            ProductionFactory(workshop=workshop_a, buyer=buyer)

    add(2)
    few = queries_of(lambda: client.get(url("sales") + "?buyer=ORG0"))
    add(18)
    assert queries_of(lambda: client.get(url("sales") + "?buyer=ORG0")) == few


def test_work_index_runs_the_same_queries_for_2_or_20_workshops(client_for, manager):
    from resoc.registry.tests.factories import WorkshopFactory

    client = client_for(manager)
    for _ in range(2):
        AssignmentFactory(workshop=WorkshopFactory())
    few = queries_of(lambda: client.get(url("index")))
    for _ in range(18):
        AssignmentFactory(workshop=WorkshopFactory())
    assert queries_of(lambda: client.get(url("index"))) == few
