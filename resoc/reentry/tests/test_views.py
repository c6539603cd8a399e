import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.audit.models import AuditEntry
from resoc.reentry.models import FollowUp, NeedsAssessment, OutcomeEvent, PlanAction, ReleasePlan
from resoc.reentry.tests.conftest import in_custody, plan_for, released
from resoc.reentry.tests.factories import AssessmentFactory, AssessmentItemFactory

pytestmark = pytest.mark.django_db

D = datetime.date
DOMAINS = [
    "accommodation",
    "education_work",
    "finance",
    "identity",
    "health",
    "drugs_alcohol",
    "family",
    "attitudes",
]


@pytest.fixture
def prisoner(prison_a):
    return in_custody(prison_a, "P-1", expected=timezone.localdate() + datetime.timedelta(days=60))


@pytest.fixture
def plan(prisoner, commissioner_nis):
    return plan_for(prisoner, commissioner=commissioner_nis)


def url(name, *args):
    return reverse(f"reentry:{name}", args=args)


@pytest.mark.parametrize("persona", ["donor", "procurement"])
def test_roles_without_personal_data_get_403_and_no_link(client_for, request, persona, plan):
    client = client_for(request.getfixturevalue(persona))
    for target in (url("index"), url("person", "P-1"), url("plan", plan.pk)):
        assert client.get(target).status_code == 403
    assert url("index") not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("role", [Role.TRAINER, Role.GRANTS])
def test_trainers_and_grants_officers_do_not_read_release_records(client_for, role, plan):
    client = client_for(UserFactory(role=role))
    assert client.get(url("index")).status_code == 403
    assert client.get(url("person", "P-1")).status_code == 403


def test_auditor_reads_but_does_not_write(client_for, auditor, plan):
    client = client_for(auditor)
    assert client.get(url("index")).status_code == 200
    assert client.get(url("person", "P-1")).status_code == 200
    assert client.get(url("plan", plan.pk)).status_code == 200
    assert client.get(url("plan_create", "P-1")).status_code == 403
    assert client.get(url("assessment_create", "P-1")).status_code == 403
    assert client.post(url("plan_sign", plan.pk)).status_code == 403


def test_officer_of_another_prison_and_coordinator_of_another_country_get_404(
    client_for, officer_b, coordinator_ba, plan
):
    for user in (officer_b, coordinator_ba):
        client = client_for(user)
        assert client.get(url("person", "P-1")).status_code == 404
        assert client.get(url("plan", plan.pk)).status_code == 404
        assert client.get(url("plan_create", "P-1")).status_code == 404


def test_release_link_in_the_menu_and_a_card_on_the_home_page(client_for, officer_a, prisoner):
    html = client_for(officer_a).get(reverse("home")).content.decode()
    assert f'href="{url("index")}"' in html
    assert "Release: to do" in html


def test_person_page_shows_the_change_of_needs_and_is_audited(client_for, officer_a, prisoner):
    person = prisoner.person
    first = AssessmentFactory(person=person, date=D(2024, 1, 10))
    AssessmentItemFactory(assessment=first, domain="accommodation", level="high")
    later = AssessmentFactory(person=person, date=D(2025, 1, 10))
    AssessmentItemFactory(assessment=later, domain="accommodation", level="low", notes="A flat")

    response = client_for(officer_a).get(url("person", "P-1"))

    html = response.content.decode()
    assert html.index("2024-01-10") < html.index("2025-01-10")
    assert "↓" in html and "A flat" in html
    assert AuditEntry.objects.get(action="reentry.person.viewed").person_ref == "P-1"
    assert url("plan_create", "P-1") in html


def test_officer_records_a_needs_assessment(client_for, officer_a, prisoner):
    data = {"date": "2025-02-01"}
    for domain in DOMAINS:
        data[f"{domain}_level"] = "medium"
        data[f"{domain}_notes"] = ""
    data["health_level"], data["health_notes"] = "high", "Diabetes"

    response = client_for(officer_a).post(url("assessment_create", "P-1"), data)

    assert response.status_code == 302
    assessment = NeedsAssessment.objects.get()
    assert (assessment.assessor, assessment.items.count()) == (officer_a, 8)
    assert assessment.items.get(domain="health").notes == "Diabetes"


def test_officer_drafts_a_plan_and_adds_an_action(
    client_for, officer_a, prisoner, commissioner_nis
):
    client = client_for(officer_a)
    page = client.get(url("plan_create", "P-1")).content.decode()
    assert 'value="Niš"' in page  # the home municipality is proposed as destination
    response = client.post(
        url("plan_create", "P-1"),
        {
            "destination": "Niš",
            "expected_release_on": prisoner.expected_release_on.isoformat(),
            "goal_accommodation": "Back to the family flat",
        },
    )
    plan = ReleasePlan.objects.get()
    assert response.status_code == 302 and response.url == url("plan", plan.pk)
    assert plan.commissioner == commissioner_nis
    response = client.post(
        url("action_create", plan.pk),
        {
            "what": "Get an ID card",
            "domain": "identity",
            "responsibility": "prison",
            "due_on": "2026-01-10",
            "status": "open",
        },
    )
    assert response.status_code == 302
    assert PlanAction.objects.get().plan == plan
    html = client.get(url("plan", plan.pk)).content.decode()
    assert "Get an ID card" in html and "Back to the family flat" in html


def test_no_plan_for_someone_not_in_custody(client_for, manager, prison_a):
    released(prison_a, "R-1")
    response = client_for(manager).get(url("plan_create", "R-1"))
    assert response.status_code == 302


def test_signing_on_the_plan_page(client_for, officer_a, commissioner_nis, plan):
    client_for(officer_a).post(url("plan_sign", plan.pk))
    plan.refresh_from_db()
    assert plan.state == "signed_by_officer"
    html = client_for(commissioner_nis).get(url("plan", plan.pk)).content.decode()
    assert "Sign as commissioner" in html
    client_for(commissioner_nis).post(url("plan_sign", plan.pk))
    plan.refresh_from_db()
    assert plan.state == "agreed"


def test_the_wrong_signer_is_told_why(client_for, commissioner_nis, plan):
    response = client_for(commissioner_nis).post(url("plan_sign", plan.pk), follow=True)
    assert "officer signs the plan first" in response.content.decode()


def test_manager_reassigns_on_the_plan_page(client_for, manager, officer_a, plan, commissioner_bg):
    assert client_for(officer_a).post(url("plan_assign", plan.pk)).status_code == 403
    client_for(manager).post(url("plan_assign", plan.pk), {"commissioner": commissioner_bg.pk})
    plan.refresh_from_db()
    assert plan.commissioner == commissioner_bg


def test_commissioner_records_a_follow_up_with_an_event(client_for, commissioner_nis, prison_a):
    released(prison_a, "R-1", on=D(2025, 1, 15))
    response = client_for(commissioner_nis).post(
        url("follow_up_create", "R-1"),
        {
            "date": "2025-02-20",
            "mode": "visit",
            "employment": "in_training",
            "housing": "temporary",
            "event": "reoffended",
            "event_date": "2025-02-10",
            "event_source": "self_reported",
        },
    )
    assert response.status_code == 302
    contact = FollowUp.objects.get()
    assert (contact.contacted_by, contact.employment) == (commissioner_nis, "in_training")
    event = OutcomeEvent.objects.get()
    assert (event.follow_up, event.date) == (contact, D(2025, 2, 10))


def test_a_follow_up_before_release_is_refused_with_the_reason(client_for, manager, prison_a):
    released(prison_a, "R-1", on=D(2025, 1, 15))
    in_custody(prison_a, "P-2")
    client = client_for(manager)
    response = client.post(url("follow_up_create", "R-1"), {"date": "2025-01-10", "mode": "phone"})
    assert "follow-up comes after release" in response.content.decode()
    response = client.post(url("follow_up_create", "P-2"), {"date": "2025-01-10"})
    assert "follow-up comes after release" in response.content.decode()
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(url("follow_up_create", "R-1"), {"date": future})
    assert "cannot be in the future" in response.content.decode()
    assert not FollowUp.objects.exists()


def test_person_page_runs_the_same_queries_for_few_or_many_records(client_for, officer_a, prisoner):
    person = prisoner.person
    client = client_for(officer_a)
    client.get(url("person", "P-1"))

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("person", "P-1")).status_code == 200
        return len(captured)

    AssessmentItemFactory(assessment=AssessmentFactory(person=person, date=D(2023, 1, 1)))
    few = count()
    for year in range(2010, 2020):
        AssessmentItemFactory(assessment=AssessmentFactory(person=person, date=D(year, 1, 1)))
    assert count() == few
