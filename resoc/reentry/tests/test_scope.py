"""A commissioner sees only their cases: the people returning to their municipalities, and the
people whose plan is assigned to them. Tested on the selector and on every page and endpoint."""

import datetime

import pytest
from django.urls import reverse

from resoc.people.selectors import person_list_for_user
from resoc.people.tests.factories import CustodyFactory
from resoc.reentry.tests.conftest import in_custody, plan_for, released
from resoc.reentry.tests.factories import (
    ActionFactory,
    AgencyFactory,
    AssessmentFactory,
    EventFactory,
    FollowUpFactory,
    ReferralFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def cases(prison_a, commissioner_nis, commissioner_bg):
    """{ref: person} of ten situations; the comment says who sees them."""
    people = {}

    def keep(episode):
        people[episode.person.ref] = episode.person
        return episode

    keep(in_custody(prison_a, "C-NOPLAN"))  # nobody: in custody, no plan
    plan_for(keep(in_custody(prison_a, "C-NIS")), commissioner=commissioner_nis)  # nis
    plan_for(
        keep(in_custody(prison_a, "C-BG")), destination="Beograd", commissioner=commissioner_bg
    )  # bg
    keep(released(prison_a, "R-HOME-NIS"))  # nis: released home, no plan
    plan_for(
        keep(released(prison_a, "R-TO-BG")), destination="Beograd", commissioner=commissioner_bg
    )  # bg: home Niš but returning to Beograd
    plan_for(keep(released(prison_a, "R-TO-NIS", home="Beograd")))  # nis: unassigned, to Niš
    keep(released(prison_a, "R-HOME-BG", home="Beograd"))  # bg
    plan_for(
        keep(released(prison_a, "R-REASSIGNED")), commissioner=commissioner_bg
    )  # both: returning to Niš, assigned to bg
    # Released twice: the earlier plan went to Niš, the current one to Beograd.
    twice = keep(released(prison_a, "R-TWICE", home="Beograd", on=D(2023, 1, 1)))
    plan_for(twice, commissioner=commissioner_nis)
    again = CustodyFactory(
        person=twice.person,
        institution=prison_a,
        admitted_on=D(2024, 1, 1),
        expected_release_on=D(2025, 3, 1),
        released_on=D(2025, 3, 1),
    )
    plan_for(again, destination="Beograd", commissioner=commissioner_bg)  # bg only
    plan_for(
        keep(in_custody(prison_a, "C-REASSIGNED")), commissioner=commissioner_bg
    )  # bg: in custody, assigned to bg
    # Back in custody for a new sentence: the plan of the earlier one no longer counts.
    back = keep(released(prison_a, "C-BACK", on=D(2023, 1, 1)))
    plan_for(back, commissioner=commissioner_nis)
    CustodyFactory(person=back.person, institution=prison_a, admitted_on=D(2024, 1, 1))
    # Released again without a new plan: returning home (Niš), not to the old destination.
    again = keep(released(prison_a, "R-AGAIN", on=D(2023, 1, 1)))
    plan_for(again, destination="Beograd", commissioner=commissioner_bg)
    CustodyFactory(
        person=again.person,
        institution=prison_a,
        admitted_on=D(2024, 1, 1),
        released_on=D(2025, 1, 1),
        expected_release_on=D(2025, 1, 1),
    )
    return people


NIS_SEES = {"C-NIS", "R-HOME-NIS", "R-TO-NIS", "R-REASSIGNED", "R-AGAIN"}
BG_SEES = {"C-BG", "R-TO-BG", "R-HOME-BG", "R-REASSIGNED", "R-TWICE", "C-REASSIGNED"}


def refs(user) -> set[str]:
    return set(person_list_for_user(user=user).values_list("ref", flat=True))


def test_commissioner_sees_their_cases_and_nobody_else(cases, commissioner_nis, commissioner_bg):
    assert refs(commissioner_nis) == NIS_SEES
    assert refs(commissioner_bg) == BG_SEES


def test_commissioner_without_municipalities_sees_only_assigned_cases(cases, commissioner_nis):
    commissioner_nis.municipalities = []
    commissioner_nis.save()
    assert refs(commissioner_nis) == {"C-NIS"}


def test_officer_sees_plans_of_their_prisoners_only_until_release(cases, officer_a, officer_b):
    from resoc.reentry.selectors import plan_list_for_user

    # Back in custody, C-BACK's earlier plan is part of the record the officer sees again.
    assert {p.person.ref for p in plan_list_for_user(user=officer_a)} == {
        "C-NIS",
        "C-BG",
        "C-REASSIGNED",
        "C-BACK",
    }
    assert not plan_list_for_user(user=officer_b).exists()


def test_coordinator_sees_the_plans_of_their_country(cases, coordinator_rs, coordinator_ba):
    from resoc.reentry.selectors import plan_list_for_user

    assert plan_list_for_user(user=coordinator_rs).count() == 10
    assert not plan_list_for_user(user=coordinator_ba).exists()


# Every page and endpoint, for a person of the commissioner and one who is not.


@pytest.fixture
def records(cases, commissioner_nis):
    """A record of every kind for an in-scope person (R-TO-NIS) and an outsider (R-TO-BG)."""
    made = {}
    agency = AgencyFactory(code="AG-1")
    for ref in ("R-TO-NIS", "R-TO-BG"):
        person = cases[ref]
        plan = person.release_plans.get()
        made[ref] = {
            "person": person,
            "plan": plan,
            "action": ActionFactory(plan=plan),
            "assessment": AssessmentFactory(person=person),
            "referral": ReferralFactory(person=person, agency=agency, plan=plan),
            "follow_up": FollowUpFactory(person=person),
            "event": EventFactory(person=person),
        }
    return made


def page_urls(r) -> list[str]:
    ref = r["person"].ref
    return [
        reverse("reentry:person", args=[ref]),
        reverse("reentry:assessment_create", args=[ref]),
        reverse("reentry:assessment_edit", args=[r["assessment"].pk]),
        reverse("reentry:plan", args=[r["plan"].pk]),
        reverse("reentry:plan_edit", args=[r["plan"].pk]),
        reverse("reentry:action_create", args=[r["plan"].pk]),
        reverse("reentry:action_edit", args=[r["action"].pk]),
        reverse("reentry:referral_create", args=[ref]),
        reverse("reentry:referral", args=[r["referral"].pk]),
        reverse("reentry:referral_edit", args=[r["referral"].pk]),
        reverse("reentry:follow_up_create", args=[ref]),
        reverse("reentry:follow_up_edit", args=[r["follow_up"].pk]),
        reverse("reentry:event_create", args=[ref]),
        reverse("people:detail", args=[ref]),
    ]


def post_urls(r) -> list[str]:
    return [
        reverse("reentry:plan_sign", args=[r["plan"].pk]),
        reverse("reentry:referral_send", args=[r["referral"].pk]),
        reverse("reentry:referral_answer", args=[r["referral"].pk]),
    ]


def test_every_page_answers_the_commissioner_for_their_case_and_404_for_another(
    client_for, commissioner_nis, records
):
    client = client_for(commissioner_nis)
    for url in page_urls(records["R-TO-NIS"]):
        assert client.get(url).status_code == 200, url
    for url in page_urls(records["R-TO-BG"]) + post_urls(records["R-TO-BG"]):
        method = client.post if url in post_urls(records["R-TO-BG"]) else client.get
        assert method(url).status_code == 404, url


def test_the_worklist_names_only_the_commissioners_cases(client_for, commissioner_nis, records):
    html = client_for(commissioner_nis).get(reverse("reentry:index")).content.decode()
    for ref in ("R-TO-BG", "R-HOME-BG", "C-BG", "C-REASSIGNED", "R-TWICE", "C-NOPLAN"):
        assert ref not in html


API = {
    "needs-assessments": "assessment",
    "release-plans": "plan",
    "plan-actions": "action",
    "referrals": "referral",
    "follow-ups": "follow_up",
    "outcome-events": "event",
}


def test_every_endpoint_lists_only_the_commissioners_cases_and_404s_the_others(
    api_for, commissioner_nis, records
):
    client = api_for(commissioner_nis)
    for path, name in API.items():
        listed = client.get(f"/api/v1/{path}/")
        assert listed.status_code == 200, path
        ids = {row["id"] for row in listed.json()["results"]}
        assert records["R-TO-NIS"][name].pk in ids, path
        assert records["R-TO-BG"][name].pk not in ids, path
        model = type(records["R-TO-NIS"][name])
        person = "plan__person__ref" if name == "action" else "person__ref"
        listed_refs = set(model.objects.filter(pk__in=ids).values_list(person, flat=True))
        assert listed_refs <= NIS_SEES, path
        assert client.get(f"/api/v1/{path}/{records['R-TO-NIS'][name].pk}/").status_code == 200
        assert client.get(f"/api/v1/{path}/{records['R-TO-BG'][name].pk}/").status_code == 404
        outsider = client.patch(f"/api/v1/{path}/{records['R-TO-BG'][name].pk}/", {}, format="json")
        assert outsider.status_code == 404, path
    other = records["R-TO-BG"]
    assert client.post(f"/api/v1/release-plans/{other['plan'].pk}/sign/").status_code == 404
    assert client.post(f"/api/v1/referrals/{other['referral'].pk}/send/").status_code == 404
    assert client.get("/api/v1/persons/R-TO-BG/").status_code == 404


def test_commissioner_cannot_create_records_for_someone_else(api_for, commissioner_nis, records):
    client = api_for(commissioner_nis)
    response = client.post(
        "/api/v1/follow-ups/", {"person": "R-TO-BG", "date": "2025-06-02"}, format="json"
    )
    assert response.status_code == 400
    assert "person" in response.json()
