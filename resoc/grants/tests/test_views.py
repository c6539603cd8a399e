from decimal import Decimal

import pytest
from django.urls import reverse

from resoc.audit.models import AuditEntry
from resoc.core.testing import queries_of
from resoc.grants import services
from resoc.grants.models import Application, Call, Grant, GrantItem, Visit
from resoc.grants.tests.conftest import (
    PDF,
    PNG,
    D,
    apply,
    approve,
    evaluate,
    pdf,
    png,
    released,
)
from resoc.grants.tests.factories import VisitFactory, grant_in
from resoc.people.tests.factories import ConsentFactory

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"grants:{name}", args=args)


@pytest.fixture
def world(grant, grants_rs):
    """A delivered RS grant with a business plan, a visit and a photo."""
    application = grant.application
    services.application_plan_upload(actor=grants_rs, application=application, upload=pdf())
    services.grant_item_add(
        actor=grants_rs,
        grant=grant,
        item=GrantItem(
            description="Oven",
            quantity=1,
            unit_price=Decimal("2500"),
            currency="EUR",
            purchased_on=D(2025, 5, 2),
        ),
    )
    services.grant_deliver(
        actor=grants_rs, grant=grant, delivered_on=D(2025, 5, 10), handover=pdf("handover.pdf")
    )
    visit = services.visit_save(
        actor=grants_rs,
        visit=Visit(grant=grant, visited_on=D(2025, 8, 12), business_active=True),
    )
    ConsentFactory(person=application.person, purpose="photo", given_on=D(2025, 1, 1))
    photo = services.visit_photo_add(actor=grants_rs, visit=visit, upload=png())
    return {"grant": grant, "application": application, "visit": visit, "photo": photo}


def page_urls(world) -> dict:
    call = world["application"].call.code
    code = world["application"].code
    visit, photo = world["visit"], world["photo"]
    return {
        "index": url("index"),
        "call": url("call_detail", call),
        "application": url("application_detail", code),
        "plan": url("application_plan", code),
        "grants": url("grant_list"),
        "grant": url("grant_detail", code),
        "handover": url("handover", code),
        "photo": url("photo_download", visit.pk, photo.pk),
        "worklist": url("worklist"),
        "survival": url("survival"),
    }


def write_urls(world) -> dict:
    call = world["application"].call.code
    code = world["application"].code
    visit = world["visit"]
    return {
        "call_edit": url("call_edit", call),
        "criteria": url("call_criteria", call),
        "apply": url("application_create", call),
        "decide": url("decide", code),
        "item": url("grant_item_add", code),
        "ownership": url("grant_ownership", code),
        "close": url("grant_close", code),
        "visit": url("visit_create", code),
        "visit_edit": url("visit_edit", visit.pk),
        "photo_add": url("photo_add", visit.pk),
        "application_edit": url("application_edit", code),
        "declaration": url("declaration", code),
        "score": url("score", code),
    }


# Who may read


@pytest.mark.parametrize(
    "persona", ["manager", "admin_user", "auditor", "grants_rs", "coordinator_rs"]
)
def test_readers_open_every_page(request, client_for, world, persona):
    client = client_for(request.getfixturevalue(persona))
    for name, address in page_urls(world).items():
        assert client.get(address).status_code == 200, name


@pytest.mark.parametrize("persona", ["donor", "procurement", "officer_a", "commissioner_nis"])
def test_roles_without_grants_get_403_everywhere(request, client_for, world, persona):
    client = client_for(request.getfixturevalue(persona))
    for name, address in {**page_urls(world), **write_urls(world)}.items():
        assert client.get(address).status_code == 403, name


@pytest.mark.parametrize("persona", ["grants_ba", "coordinator_ba"])
def test_records_of_another_country_answer_404(request, client_for, world, persona):
    client = client_for(request.getfixturevalue(persona))
    for name, address in {**page_urls(world), **write_urls(world)}.items():
        if name in ("index", "grants", "worklist", "survival"):
            continue
        assert client.get(address).status_code == 404, name
    text = client.get(url("grant_list")).text
    assert world["application"].code not in text
    assert world["application"].code not in client.get(url("index")).text


def test_writers_open_the_forms_and_coordinators_may_not(
    client_for, world, grants_rs, coordinator_rs
):
    writer, reader = client_for(grants_rs), None
    for name, address in write_urls(world).items():
        assert writer.get(address).status_code == 200, name
    reader = client_for(coordinator_rs)
    for name, address in write_urls(world).items():
        assert reader.get(address).status_code == 403, name
    assert reader.get(url("call_create")).status_code == 403


def test_nav_shows_grants_to_readers_only(client_for, grants_rs, donor):
    assert url("index") in client_for(grants_rs).get(reverse("home")).text
    assert url("index") not in client_for(donor).get(reverse("home")).text


def test_downloads_are_audited(client_for, world, coordinator_rs):
    client = client_for(coordinator_rs)
    urls = page_urls(world)
    response = client.get(urls["plan"])
    assert b"".join(response.streaming_content) == PDF
    assert b"".join(client.get(urls["handover"]).streaming_content) == PDF
    assert b"".join(client.get(urls["photo"]).streaming_content) == PNG
    for action in (
        "grants.application.business_plan_downloaded",
        "grants.grant.handover_downloaded",
        "grants.visitphoto.downloaded",
    ):
        entry = AuditEntry.objects.get(action=action)
        assert (entry.actor_name, entry.person_ref) == ("coord_rs", "A-1")


def test_reading_an_application_is_audited(client_for, application, coordinator_rs):
    client_for(coordinator_rs).get(url("application_detail", application.code))
    assert AuditEntry.objects.filter(
        action="grants.application.viewed", person_ref="A-1", actor_name="coord_rs"
    ).exists()


# The call page


def test_call_page_ranks_by_weighted_score_and_shows_the_remaining_budget(
    client_for, call, prison_a, grants_rs, evaluator
):
    low = apply(grants_rs, call, released(prison_a, "L-1"))
    high = apply(grants_rs, call, released(prison_a, "H-1"))
    unscored = apply(grants_rs, call, released(prison_a, "U-1"))
    for member in (grants_rs, evaluator):
        evaluate(member, low, (3, 3, 3))
        evaluate(member, high, (9, 9, 9))
    approve(grants_rs, high, amount="2500")
    text = client_for(grants_rs).get(url("call_detail", call.code)).text
    ranking = text[text.index('id="ranking"') :]
    positions = [ranking.index(a.code) for a in (high, low, unscored)]
    assert positions == sorted(positions)
    assert "90.00" in ranking and "30.00" in ranking
    assert '<span class="number" id="remaining">7,500.00</span>' in text


def test_call_page_runs_a_constant_number_of_queries(client_for, call, prison_a, grants_rs):
    client = client_for(grants_rs)
    apply(grants_rs, call, released(prison_a, "K-1"))
    few = queries_of(lambda: client.get(url("call_detail", call.code)))
    for n in range(6):
        application = apply(grants_rs, call, released(prison_a, f"K-{n + 2}"))
        evaluate(grants_rs, application)
    assert queries_of(lambda: client.get(url("call_detail", call.code))) == few


def test_index_lists_what_awaits_my_evaluation(client_for, application, evaluator, grants_rs):
    text = client_for(evaluator).get(url("index")).text
    assert 'id="waiting"' in text and application.code in text
    evaluate(evaluator, application)
    assert 'id="waiting"' not in client_for(evaluator).get(url("index")).text


# Creating a call and its criteria


def test_a_grants_officer_creates_a_call_and_its_criteria(
    client_for, grants_rs, cycle, rs, evaluator
):
    client = client_for(grants_rs)
    response = client.post(
        url("call_create"),
        {
            "code": "RESOC-7-RS",
            "cycle": cycle.pk,
            "country": rs.pk,
            "title": "Start-up grants 2025",
            "budget_eur": "50000",
            "opens_on": "2025-01-01",
            "closes_on": "2025-03-31",
            "released_within_months": "24",
            "release_within_days": "90",
            "requires_training": "on",
            "requires_no_reoffending": "on",
            "committee": [grants_rs.pk, evaluator.pk],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("call_criteria", "RESOC-7-RS")
    call = Call.objects.get(code="RESOC-7-RS")
    assert set(call.committee.all()) == {grants_rs, evaluator}

    def criteria(*rows):
        data = {
            "criteria-TOTAL_FORMS": "6",
            "criteria-INITIAL_FORMS": "0",
            "criteria-MIN_NUM_FORMS": "6",
            "criteria-MAX_NUM_FORMS": "12",
        }
        for n, (name, weight) in enumerate(rows):
            data[f"criteria-{n}-name"], data[f"criteria-{n}-weight"] = name, weight
        return client.post(url("call_criteria", call.code), data)

    response = criteria(("Idea", "60"), ("Market", "30"))
    assert "add up to 90" in response.text
    assert criteria(("Idea", "60"), ("Market", "40")).status_code == 302
    assert list(call.criteria.values_list("name", "weight")) == [("Idea", 60), ("Market", 40)]


def test_a_grants_officer_cannot_create_a_call_in_another_country(client_for, grants_rs, cycle, ba):
    response = client_for(grants_rs).post(
        url("call_create"),
        {
            "code": "C-BA",
            "cycle": cycle.pk,
            "country": ba.pk,
            "title": "x",
            "budget_eur": "1000",
            "opens_on": "2025-01-01",
            "closes_on": "2025-03-31",
            "released_within_months": "24",
            "release_within_days": "90",
        },
    )
    assert response.status_code == 200
    assert not Call.objects.filter(code="C-BA").exists()


# Applying, evaluating and deciding on the pages


def test_an_application_is_made_on_the_page_with_items_and_plan(
    client_for, call, applicant, grants_rs
):
    data = {
        "person_ref": "a-1",
        "applied_on": "2025-02-03",
        "sector": "bakery",
        "business_idea": "Bread for the neighbourhood",
        "currency": "eur",
        "own_contribution": "300",
        "business_plan": pdf(),
        "items-TOTAL_FORMS": "5",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "5",
        "items-MAX_NUM_FORMS": "30",
        "items-0-description": "Oven",
        "items-0-quantity": "1",
        "items-0-unit_cost": "2400",
    }
    response = client_for(grants_rs).post(url("application_create", call.code), data)
    assert response.status_code == 302
    application = Application.objects.get()
    assert (application.requested_eur, application.currency) == (Decimal("2400.00"), "EUR")
    assert application.business_plan
    text = client_for(grants_rs).get(url("application_detail", application.code)).text
    assert "Released on 2024-06-01, within 24 months" in text


def test_an_applicant_outside_the_officers_scope_is_unknown(
    client_for, call, applicant_ba, grants_rs
):
    data = {
        "person_ref": applicant_ba.ref,
        "applied_on": "2025-02-03",
        "sector": "bakery",
        "business_idea": "x",
        "currency": "EUR",
        "own_contribution": "0",
        "items-TOTAL_FORMS": "5",
        "items-INITIAL_FORMS": "0",
        "items-0-description": "Oven",
        "items-0-quantity": "1",
        "items-0-unit_cost": "100",
    }
    response = client_for(grants_rs).post(url("application_create", call.code), data)
    assert "nobody with this reference in your scope" in response.text
    assert not Application.objects.exists()


def test_declaring_and_scoring_on_the_pages(client_for, application, evaluator):
    client = client_for(evaluator)
    assert client.get(url("score", application.code))["Location"] == url(
        "declaration", application.code
    )
    response = client.post(url("declaration", application.code), {"declaration": "none"})
    assert response["Location"] == url("score", application.code)
    criteria = list(application.call.criteria.order_by("number"))
    data = {f"c{c.pk}": v for c, v in zip(criteria, (10, 10, 0), strict=True)}
    response = client.post(url("score", application.code), data)
    assert response.status_code == 302
    assert application.evaluations.get(evaluator=evaluator).weighted_score == Decimal("70.00")


def test_a_declared_conflict_sends_the_member_away_from_scoring(client_for, application, evaluator):
    client = client_for(evaluator)
    response = client.post(url("declaration", application.code), {"declaration": "conflict"})
    assert "Describe the conflict" in response.text
    client.post(
        url("declaration", application.code), {"declaration": "conflict", "notes": "Brother"}
    )
    response = client.get(url("score", application.code))
    assert response["Location"] == url("application_detail", application.code)


def test_committee_members_only_evaluate(client_for, application, manager):
    assert client_for(manager).get(url("declaration", application.code)).status_code == 403


def test_the_decision_page_holds_the_two_evaluator_rule(client_for, application, grants_rs):
    evaluate(grants_rs, application)
    response = client_for(grants_rs).post(
        url("decide", application.code),
        {"decision": "approved", "reason": "Good", "decided_on": "2025-04-10"},
    )
    assert response.status_code == 200
    assert "at least 2 committee members" in response.text
    assert Application.objects.get(pk=application.pk).decision == "pending"


def test_the_decision_page_holds_the_budget(client_for, evaluated, grants_rs):
    Call.objects.filter(pk=evaluated.call_id).update(budget_eur=Decimal("2000"))
    response = client_for(grants_rs).post(
        url("decide", evaluated.code),
        {"decision": "approved", "reason": "Good", "decided_on": "2025-04-10"},
    )
    assert "would exceed the budget" in response.text
    response = client_for(grants_rs).post(
        url("decide", evaluated.code),
        {
            "decision": "approved",
            "reason": "Good",
            "decided_on": "2025-04-10",
            "approved_eur": "2000",
        },
    )
    assert response["Location"] == url("grant_detail", evaluated.code)
    assert Grant.objects.get().application.approved_eur == Decimal("2000.00")


# The grant: items, delivery, visits


def test_delivery_and_visit_on_the_pages(client_for, grant, grants_rs):
    client = client_for(grants_rs)
    response = client.post(
        url("grant_item_add", grant.code),
        {
            "description": "Oven",
            "quantity": "1",
            "unit_price": "2000",
            "currency": "EUR",
            "purchased_on": "2025-05-02",
        },
    )
    assert response.status_code == 302
    response = client.post(url("grant_deliver", grant.code), {"delivered_on": "2025-05-10"})
    assert "This field is required" in response.text  # the handover document
    response = client.post(
        url("grant_deliver", grant.code),
        {"delivered_on": "2025-05-10", "handover": pdf("signed.pdf")},
    )
    assert response.status_code == 302
    response = client.post(
        url("visit_create", grant.code),
        {
            "visited_on": "2025-08-11",
            "business_active": "yes",
            "revenue_band": "250-500",
            "jobs_created": "1",
            "photo": png(),
        },
    )
    assert "no consent to photographs" in response.text
    assert not Visit.objects.exists()
    response = client.post(
        url("visit_create", grant.code),
        {"visited_on": "2025-08-11", "business_active": "no", "revenue_band": "none"},
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.business_active, visit.visited_by) == (False, grants_rs)
    text = client.get(url("grant_detail", grant.code)).text
    assert "3 months: 2025-08-10" in text and "Delivered" in text


# Lists run a constant number of queries


def test_lists_run_a_constant_number_of_queries(client_for, prison_a, manager):
    client = client_for(manager)

    def grants_with_visits(n, offset):
        for i in range(n):
            made = grant_in(prison_a, ref=f"C-{offset + i}", delivered_on=D(2024, 1, 1))
            VisitFactory(grant=made, visited_on=D(2025, 2, 1), business_active=True)

    grants_with_visits(2, 0)
    pages = [url("grant_list"), url("worklist"), url("survival"), url("index")]
    few = [queries_of(lambda p=p: client.get(p)) for p in pages]
    grants_with_visits(8, 100)
    assert [queries_of(lambda p=p: client.get(p)) for p in pages] == few


def test_the_survival_page_shows_the_figures(client_for, prison_a, manager):
    active = grant_in(prison_a, ref="S-1", delivered_on=D(2024, 1, 1))
    closed = grant_in(prison_a, ref="S-2", delivered_on=D(2024, 1, 1))
    VisitFactory(grant=active, visited_on=D(2025, 2, 1), business_active=True)
    VisitFactory(grant=closed, visited_on=D(2025, 2, 1), business_active=False)
    text = client_for(manager).get(url("survival")).text
    section = text[text.index('id="survival-12"') : text.index('id="survival-24"')]
    assert "50%" in section and "1 of 2 businesses active" in section
    assert "Bakery" in section and "Serbia" in section


def test_checking_eligibility_again_is_for_writers_in_scope(
    client_for, application, grants_rs, coordinator_rs, grants_ba
):
    address = url("application_recheck", application.code)
    assert client_for(coordinator_rs).post(address).status_code == 403
    assert client_for(grants_ba).post(address).status_code == 404
    assert client_for(grants_rs).get(address).status_code == 405
    assert client_for(grants_rs).post(address).status_code == 302
    assert AuditEntry.objects.filter(action="grants.application.eligibility_checked").exists()


def test_the_decision_page_refuses_an_ineligible_approval(
    client_for, call, prison_a, grants_rs, evaluator
):
    application = apply(grants_rs, call, released(prison_a, "N-1", trained=False))
    evaluate(grants_rs, application)
    evaluate(evaluator, application)
    text = client_for(grants_rs).get(url("application_detail", application.code)).text
    assert "Eligibility: not eligible" in text and "No completed training is recorded." in text
    response = client_for(grants_rs).post(
        url("decide", application.code),
        {"decision": "approved", "reason": "Good", "decided_on": "2025-04-10"},
    )
    assert "not eligible" in response.text
    assert not Grant.objects.exists()
