from decimal import Decimal

import pytest

from resoc.audit.models import AuditEntry
from resoc.core.testing import queries_of
from resoc.grants.models import Application, Call, Grant, Visit
from resoc.grants.tests.conftest import D, apply, evaluate, pdf, released
from resoc.grants.tests.factories import VisitFactory, grant_in

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


def application_body(person, call="C-RS", **extra):
    return {
        "call": call,
        "person": person.ref.lower(),
        "applied_on": "2025-02-03",
        "business_idea": "A car wash",
        "sector": "car_wash",
        "currency": "eur",
        "own_contribution": "200.00",
        "items": [
            {"description": "Pressure washer", "quantity": 2, "unit_cost": "600.00"},
            {"description": "Vacuum cleaner", "quantity": 1, "unit_cost": "400.00"},
        ],
        **extra,
    }


# Calls


def test_calls_are_read_by_country(api_for, call, call_ba, grants_rs, manager):
    codes = [c["code"] for c in api_for(grants_rs).get(f"{V1}/grant-calls/").json()["results"]]
    assert codes == ["C-RS"]
    assert api_for(grants_rs).get(f"{V1}/grant-calls/C-BA/").status_code == 404
    body = api_for(manager).get(f"{V1}/grant-calls/C-RS/").json()
    assert body["remaining_eur"] == "10000.00"
    assert [c["weight"] for c in body["criteria"]] == [40, 30, 30]
    assert body["committee"] == ["eva", "grants_rs"]


@pytest.mark.parametrize("persona", ["donor", "procurement", "officer_a"])
def test_roles_without_grants_are_refused(request, api_for, call, persona):
    client = api_for(request.getfixturevalue(persona))
    for path in ("grant-calls", "grant-applications", "grants", "grant-visits"):
        assert client.get(f"{V1}/{path}/").status_code == 403, path
    assert client.get(f"{V1}/grant-calls/C-RS/").status_code == 403


def test_a_grants_officer_creates_a_call_with_criteria(api_for, grants_rs, cycle, evaluator):
    body = {
        "code": "RESOC-7-RS",
        "cycle": "RESOC-7",
        "country": "rs",
        "title": "Start-up grants",
        "budget_eur": "20000.00",
        "opens_on": "2025-01-01",
        "closes_on": "2025-03-31",
        "committee": ["grants_rs", "eva"],
        "criteria": [{"name": "Idea", "weight": 70}, {"name": "Market", "weight": 20}],
    }
    client = api_for(grants_rs)
    response = client.post(f"{V1}/grant-calls/", body, format="json")
    assert response.status_code == 400
    assert "add up to 90" in str(response.json())
    assert not Call.objects.exists()
    body["criteria"][1]["weight"] = 30
    response = client.post(f"{V1}/grant-calls/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["released_within_months"] == 24
    body["country"] = "BA"
    body["code"] = "RESOC-7-BA"
    assert client.post(f"{V1}/grant-calls/", body, format="json").status_code == 403


def test_coordinators_read_calls_but_do_not_write(api_for, call, coordinator_rs):
    client = api_for(coordinator_rs)
    assert client.get(f"{V1}/grant-calls/C-RS/").status_code == 200
    response = client.patch(f"{V1}/grant-calls/C-RS/", {"title": "x"}, format="json")
    assert response.status_code == 403


# Applications


def test_an_application_is_created_and_checked(api_for, call, applicant, grants_rs):
    response = api_for(grants_rs).post(
        f"{V1}/grant-applications/", application_body(applicant), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["code"], body["requested_eur"], body["country"]) == ("C-RS-001", "1600.00", "RS")
    assert [c["status"] for c in body["eligibility"]] == ["met", "met", "met"]
    assert body["decision"] == "pending"


def test_applications_are_scoped_and_audited(
    api_for, application, call_ba, applicant_ba, grants_ba, grants_rs
):
    other = apply(grants_ba, call_ba, applicant_ba)
    rows = api_for(grants_rs).get(f"{V1}/grant-applications/").json()["results"]
    assert [r["code"] for r in rows] == [application.code]
    assert api_for(grants_rs).get(f"{V1}/grant-applications/{other.code}/").status_code == 404
    assert api_for(grants_rs).get(f"{V1}/grant-applications/{application.code}/").status_code == 200
    assert AuditEntry.objects.filter(
        action="grants.application.viewed", person_ref="A-1", actor_name="grants_rs"
    ).exists()
    assert AuditEntry.objects.get(action="grants.application.listed").detail["refs"] == ["A-1"]


def test_applicants_outside_the_scope_are_unknown(api_for, call, applicant_ba, grants_rs):
    response = api_for(grants_rs).post(
        f"{V1}/grant-applications/", application_body(applicant_ba), format="json"
    )
    assert response.status_code == 400 and "person" in response.json()


def test_coordinators_cannot_apply_on_behalf(api_for, call, applicant, coordinator_rs):
    response = api_for(coordinator_rs).post(
        f"{V1}/grant-applications/", application_body(applicant), format="json"
    )
    assert response.status_code == 403


def test_evaluation_through_the_api(api_for, application, evaluator, manager):
    path = f"{V1}/grant-applications/{application.code}/evaluation/"
    body = {"no_conflict": True, "scores": {"1": 10, "2": 5, "3": 5}, "notes": "Solid"}
    assert api_for(manager).post(path, body, format="json").status_code == 403
    response = api_for(evaluator).post(path, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["weighted_score"] == "70.00"
    response = api_for(evaluator).post(
        path, {"no_conflict": True, "scores": {"1": 10, "9": 5}}, format="json"
    )
    assert response.status_code == 400 and "Unknown criteria: 9" in str(response.json())


def test_decision_through_the_api_holds_the_rules(api_for, application, grants_rs, evaluator):
    path = f"{V1}/grant-applications/{application.code}/decision/"
    client = api_for(grants_rs)
    evaluate(grants_rs, application)
    response = client.post(path, {"decision": "approved", "reason": "Good"}, format="json")
    assert response.status_code == 400
    assert "at least 2 committee members" in str(response.json())
    evaluate(evaluator, application)
    Call.objects.filter(pk=application.call_id).update(budget_eur=Decimal("1000"))
    response = client.post(path, {"decision": "approved", "reason": "Good"}, format="json")
    assert response.status_code == 400 and "exceed the budget" in str(response.json())
    response = client.post(
        path, {"decision": "approved", "reason": "Good", "approved_eur": "1000"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["decision"] == "approved"
    assert Grant.objects.get().code == application.code


def test_decision_is_for_writers_in_scope(api_for, evaluated, coordinator_rs, grants_ba):
    path = f"{V1}/grant-applications/{evaluated.code}/decision/"
    body = {"decision": "approved", "reason": "Good"}
    assert api_for(coordinator_rs).post(path, body, format="json").status_code == 403
    assert api_for(grants_ba).post(path, body, format="json").status_code == 404


def test_business_plan_upload(api_for, application, grants_rs):
    path = f"{V1}/grant-applications/{application.code}/business-plan/"
    response = api_for(grants_rs).post(path, {"business_plan": pdf()}, format="multipart")
    assert response.status_code == 200 and response.json()["has_business_plan"] is True


# Grants and visits


def test_a_grant_is_bought_delivered_and_visited_through_the_api(api_for, grant, grants_rs):
    client = api_for(grants_rs)
    base = f"{V1}/grants/{grant.code}"
    response = client.post(
        f"{base}/items/",
        {
            "description": "Oven",
            "quantity": 1,
            "unit_price": "2000",
            "currency": "eur",
            "purchased_on": "2025-05-02",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["value_eur"] == "2000.00"
    response = client.post(f"{base}/delivery/", {"delivered_on": "2025-05-10"})
    assert response.status_code == 400 and "handover" in response.json()
    response = client.post(
        f"{base}/delivery/",
        {"delivered_on": "2025-05-10", "handover": pdf()},
        format="multipart",
    )
    assert response.status_code == 200 and response.json()["status"] == "delivered"
    response = client.post(
        f"{V1}/grant-visits/",
        {"grant": grant.code, "visited_on": "2025-08-12", "business_active": True},
        format="json",
    )
    assert response.status_code == 201, response.json()
    visit_id = response.json()["id"]
    response = client.patch(f"{V1}/grant-visits/{visit_id}/", {"jobs_created": 2}, format="json")
    assert response.status_code == 200 and Visit.objects.get().jobs_created == 2
    response = client.post(
        f"{V1}/grant-visits/",
        {"grant": grant.code, "visited_on": "2025-05-01", "business_active": True},
        format="json",
    )
    assert response.status_code == 400 and "precede the delivery" in str(response.json())
    response = client.post(
        f"{base}/close/", {"closed_on": "2026-06-01", "reason": "Monitoring over"}, format="json"
    )
    assert response.json()["status"] == "closed"


def test_grants_and_visits_are_scoped(api_for, prison_a, prison_ba, coordinator_rs):
    rs = grant_in(prison_a, ref="R-1", delivered_on=D(2024, 1, 1))
    ba = grant_in(prison_ba, ref="B-1", delivered_on=D(2024, 1, 1))
    rs_visit = VisitFactory(grant=rs, visited_on=D(2024, 4, 2))
    ba_visit = VisitFactory(grant=ba, visited_on=D(2024, 4, 2))
    client = api_for(coordinator_rs)
    assert [g["code"] for g in client.get(f"{V1}/grants/").json()["results"]] == [rs.code]
    assert client.get(f"{V1}/grants/{ba.code}/").status_code == 404
    assert [v["id"] for v in client.get(f"{V1}/grant-visits/").json()["results"]] == [rs_visit.pk]
    assert client.get(f"{V1}/grant-visits/{ba_visit.pk}/").status_code == 404
    response = client.patch(f"{V1}/grant-visits/{rs_visit.pk}/", {"notes": "x"}, format="json")
    assert response.status_code == 403
    response = client.post(
        f"{V1}/grant-visits/",
        {"grant": rs.code, "visited_on": "2024-05-01", "business_active": True},
        format="json",
    )
    assert response.status_code == 403


def test_grant_lists_run_a_constant_number_of_queries(api_for, prison_a, manager):
    client = api_for(manager)
    client.get(f"{V1}/grants/")  # the token's first use is recorded once
    for n in range(2):
        VisitFactory(grant=grant_in(prison_a, ref=f"N-{n}", delivered_on=D(2024, 1, 1)))
    counts = {}
    for path in ("grants", "grant-visits", "grant-applications", "grant-calls"):
        counts[path] = queries_of(lambda path=path: client.get(f"{V1}/{path}/"))
    for n in range(2, 10):
        VisitFactory(grant=grant_in(prison_a, ref=f"N-{n}", delivered_on=D(2024, 1, 1)))
    for path, few in counts.items():
        assert queries_of(lambda path=path: client.get(f"{V1}/{path}/")) == few, path


def test_application_list_is_constant_in_queries(api_for, call, prison_a, grants_rs):
    client = api_for(grants_rs)
    client.get(f"{V1}/grant-applications/")
    apply(grants_rs, call, released(prison_a, "M-1"))
    few = queries_of(lambda: client.get(f"{V1}/grant-applications/"))
    for n in range(2, 8):
        apply(grants_rs, call, released(prison_a, f"M-{n}"))
    assert queries_of(lambda: client.get(f"{V1}/grant-applications/")) == few
    assert Application.objects.count() == 7


def test_grant_actions_are_for_writers_in_scope(
    api_for, grant, coordinator_rs, grants_ba, grants_rs
):
    body = {"ownership_on": "2026-05-10"}
    for client, expected in ((api_for(coordinator_rs), 403), (api_for(grants_ba), 404)):
        for action in ("items", "delivery", "ownership", "close"):
            response = client.post(f"{V1}/grants/{grant.code}/{action}/", body, format="json")
            assert response.status_code == expected, action
    response = api_for(grants_rs).post(f"{V1}/grants/{grant.code}/ownership/", body, format="json")
    assert response.status_code == 400 and "after the delivery" in str(response.json())


def test_an_application_is_changed_while_pending(api_for, application, grants_rs, coordinator_rs):
    path = f"{V1}/grant-applications/{application.code}/"
    body = {"business_idea": "A bakery and a café"}
    assert api_for(coordinator_rs).patch(path, body, format="json").status_code == 403
    response = api_for(grants_rs).patch(path, body, format="json")
    assert response.status_code == 200 and response.json()["business_idea"] == body["business_idea"]
    assert response.json()["requested_eur"] == "3000.00"


def test_the_api_refuses_an_ineligible_approval(api_for, call, prison_a, grants_rs, evaluator):
    application = apply(grants_rs, call, released(prison_a, "N-1", trained=False))
    evaluate(grants_rs, application)
    evaluate(evaluator, application)
    response = api_for(grants_rs).post(
        f"{V1}/grant-applications/{application.code}/decision/",
        {"decision": "approved", "reason": "Good"},
        format="json",
    )
    assert response.status_code == 400 and "not eligible" in str(response.json())
