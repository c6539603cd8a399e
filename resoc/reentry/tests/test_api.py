import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from resoc.audit.models import AuditEntry
from resoc.reentry.models import FollowUp, NeedsAssessment, OutcomeEvent, PlanAction, ReleasePlan
from resoc.reentry.tests.conftest import in_custody, plan_for, released
from resoc.reentry.tests.factories import (
    ActionFactory,
    AgencyFactory,
    AssessmentFactory,
    AssessmentItemFactory,
    EventFactory,
    FollowUpFactory,
    ReferralFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
V1 = "/api/v1"
ENDPOINTS = [
    "needs-assessments",
    "release-plans",
    "plan-actions",
    "referrals",
    "follow-ups",
    "outcome-events",
]


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def prisoner(prison_a):
    return in_custody(prison_a, "P-1", expected=D(2026, 6, 1))


@pytest.fixture
def former(prison_a):
    return released(prison_a, "R-1", on=D(2025, 1, 15)).person


def test_endpoints_need_credentials():
    for path in ENDPOINTS:
        assert APIClient().get(f"{V1}/{path}/").status_code == 401


@pytest.mark.parametrize("persona", ["donor", "procurement"])
def test_roles_without_personal_data_get_403(api_for, request, persona, prisoner):
    client = api_for(request.getfixturevalue(persona))
    for path in ENDPOINTS:
        assert client.get(f"{V1}/{path}/").status_code == 403
        assert client.post(f"{V1}/{path}/", {}, format="json").status_code == 403


def test_auditor_reads_and_cannot_write(api_for, auditor, prisoner):
    plan_for(prisoner)
    client = api_for(auditor)
    assert len(results(client.get(f"{V1}/release-plans/"))) == 1
    response = client.post(f"{V1}/release-plans/", {"person": "P-1", "destination": "Niš"})
    assert response.status_code == 403


def test_officer_creates_a_plan_and_the_commissioner_signs_it(
    api_for, officer_a, commissioner_nis, prisoner
):
    client = api_for(officer_a)
    response = client.post(
        f"{V1}/release-plans/",
        {
            "person": "p-1",
            "destination": "Niš",
            "expected_release_on": "2026-07-01",
            "goals": {"health": "Keep seeing the GP"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["commissioner"], body["state"], body["expected_release_on"]) == (
        "commissioner",
        "draft",
        "2026-07-01",
    )
    plan_id = body["id"]
    action = client.post(
        f"{V1}/plan-actions/",
        {
            "plan": plan_id,
            "what": "Apply for benefits",
            "responsibility": "probation",
            "due_on": "2026-07-15",
        },
        format="json",
    )
    assert action.status_code == 201, action.content
    assert client.post(f"{V1}/release-plans/{plan_id}/sign/").json()["state"] == "signed_by_officer"

    signed = api_for(commissioner_nis).post(f"{V1}/release-plans/{plan_id}/sign/")
    assert signed.status_code == 200
    assert signed.json()["state"] == "agreed"
    assert [a["what"] for a in signed.json()["actions"]] == ["Apply for benefits"]


def test_plan_rules_answer_400_with_the_reason(
    api_for, officer_a, commissioner_nis, prisoner, former
):
    client = api_for(officer_a)
    response = client.post(
        f"{V1}/release-plans/",
        {"person": "P-1", "destination": "Niš", "goals": {"luck": "x"}},
        format="json",
    )
    assert response.status_code == 400 and "luck" in str(response.json())
    response = api_for(commissioner_nis).post(
        f"{V1}/release-plans/", {"person": "R-1", "destination": "Niš"}, format="json"
    )
    assert response.status_code == 400 and "in custody" in str(response.json())
    plan = plan_for(prisoner, commissioner=commissioner_nis)
    response = api_for(commissioner_nis).post(f"{V1}/release-plans/{plan.pk}/sign/")
    assert response.status_code == 400 and "officer signs the plan first" in str(response.json())


def test_only_managers_reassign(api_for, manager, officer_a, prisoner, commissioner_bg):
    plan = plan_for(prisoner)
    path = f"{V1}/release-plans/{plan.pk}/assign/"
    assert api_for(officer_a).post(path, {"commissioner": "commissioner_bg"}).status_code == 403
    response = api_for(manager).post(path, {"commissioner": "commissioner_bg"}, format="json")
    assert response.status_code == 200
    assert response.json()["commissioner"] == "commissioner_bg"
    assert api_for(manager).post(path, {"commissioner": "nobody"}, format="json").status_code == 400


def test_assessments_with_their_domains(api_for, officer_a, prisoner):
    client = api_for(officer_a)
    response = client.post(
        f"{V1}/needs-assessments/",
        {
            "person": "P-1",
            "date": "2025-05-01",
            "items": [
                {"domain": "accommodation", "level": "high", "notes": "No address"},
                {"domain": "health", "level": "low"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assessment = NeedsAssessment.objects.get()
    assert assessment.assessor == officer_a
    assert dict(assessment.items.values_list("domain", "level")) == {
        "accommodation": "high",
        "health": "low",
    }
    patched = client.patch(
        f"{V1}/needs-assessments/{assessment.pk}/",
        {"items": [{"domain": "health", "level": "medium"}]},
        format="json",
    )
    assert patched.status_code == 200
    assert assessment.items.get(domain="health").level == "medium"
    again = client.post(
        f"{V1}/needs-assessments/",
        {"person": "P-1", "date": "2025-05-01", "items": []},
        format="json",
    )
    assert again.status_code == 400


def test_follow_ups_and_events(api_for, commissioner_nis, former):
    client = api_for(commissioner_nis)
    response = client.post(
        f"{V1}/follow-ups/",
        {"person": "R-1", "date": "2025-02-15", "mode": "phone", "employment": "employed"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert FollowUp.objects.get().contacted_by == commissioner_nis
    event = client.post(
        f"{V1}/outcome-events/",
        {"person": "R-1", "kind": "reimprisoned", "date": "2025-09-01", "source": "official"},
        format="json",
    )
    assert event.status_code == 201, event.content
    assert OutcomeEvent.objects.get().kind == "reimprisoned"
    early = client.post(f"{V1}/follow-ups/", {"person": "R-1", "date": "2024-12-01"}, format="json")
    assert early.status_code == 400 and "after release" in str(early.json())
    assert (
        results(client.get(f"{V1}/follow-ups/", {"person": "r-1"}))[0]["employment"] == "employed"
    )
    assert AuditEntry.objects.filter(action="reentry.followup.listed").exists()


def test_referral_create_is_a_draft(api_for, officer_a, prisoner):
    agency = AgencyFactory(code="NSZ")
    response = api_for(officer_a).post(
        f"{V1}/referrals/",
        {"person": "P-1", "agency": agency.code, "shared": ["name", "needs"], "status": "sent"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["status"], response.json()["shared"]) == ("draft", ["name", "needs"])


def test_lists_run_a_constant_number_of_queries(api_for, manager, prison_a):
    client = api_for(manager)

    def add(count, prefix):
        for n in range(count):
            plan = plan_for(in_custody(prison_a, f"{prefix}{n}"))
            ActionFactory(plan=plan)
            AssessmentItemFactory(assessment=AssessmentFactory(person=plan.person))
            ReferralFactory(person=plan.person, agency=agency)
            person = released(prison_a, f"{prefix}R{n}").person
            FollowUpFactory(person=person)
            EventFactory(person=person)

    def counts():
        found = {}
        for path in ENDPOINTS:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(f"{V1}/{path}/").status_code == 200
            found[path] = len(captured)
        return found

    agency = AgencyFactory(code="AG")
    add(2, "A")
    counts()  # the first request with a token costs more
    few = counts()
    add(10, "B")
    assert counts() == few


def test_the_plan_list_filters_by_state(api_for, manager, prisoner, prison_a):
    plan_for(prisoner, state=ReleasePlan.State.AGREED, officer_signed_on=timezone.localdate())
    plan_for(in_custody(prison_a, "P-2"))
    rows = results(api_for(manager).get(f"{V1}/release-plans/", {"state": "agreed"}))
    assert [r["person"] for r in rows] == ["P-1"]
    assert PlanAction.objects.count() == 0
