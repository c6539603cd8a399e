from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.audit.models import AuditEntry
from resoc.grants import services
from resoc.grants.models import Application, Evaluation, Grant, GrantItem, Visit
from resoc.grants.tests.conftest import (
    D,
    apply,
    approve,
    evaluate,
    make_call,
    pdf,
    png,
    released,
)
from resoc.people.models import Person
from resoc.people.tests.factories import ConsentFactory, PersonFactory
from resoc.registry.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def messages_of(exc) -> str:
    return " ".join(exc.value.messages)


# Calls and criteria


def test_criteria_weights_must_add_up_to_100(call, manager):
    with pytest.raises(ValidationError) as exc:
        services.criteria_set(actor=manager, call=call, criteria=[("Idea", 50), ("Market", 40)])
    assert "add up to 90" in messages_of(exc)
    assert [c.weight for c in call.criteria.all()] == [40, 30, 30]


def test_criteria_are_fixed_once_an_application_is_scored(application, grants_rs, manager):
    evaluate(grants_rs, application)
    with pytest.raises(ValidationError) as exc:
        services.criteria_set(actor=manager, call=application.call, criteria=[("Idea", 100)])
    assert "scored" in messages_of(exc)


def test_call_country_must_be_one_of_the_cycle(manager, cycle):
    from resoc.registry.tests.factories import country

    with pytest.raises(ValidationError) as exc:
        make_call(manager, cycle, country("AL"), code="C-AL")
    assert "does not run in" in messages_of(exc)


def test_committee_members_must_evaluate_and_work_in_the_country(
    manager, cycle, rs, grants_ba, coordinator_rs
):
    with pytest.raises(ValidationError) as exc:
        make_call(manager, cycle, rs, committee=[grants_ba, coordinator_rs])
    text = messages_of(exc)
    assert "grants_ba does not work in Serbia" in text
    assert "coord_rs cannot evaluate" in text


def test_budget_cannot_drop_below_what_is_approved(grant, manager):
    call = grant.application.call
    call.budget_eur = Decimal("2999.99")
    with pytest.raises(ValidationError) as exc:
        services.call_save(actor=manager, call=call)
    assert "3,000.00 EUR are approved" in messages_of(exc)


# Applications


def test_application_converts_the_items_at_the_rate_of_its_date(
    call, applicant, grants_rs, rsd_rate
):
    application = apply(
        grants_rs,
        call,
        applicant,
        currency="RSD",
        own_contribution=Decimal("11700"),
        items=[("Oven", 1, "234000"), ("Trays", 10, "1170")],
    )
    assert application.code == "C-RS-001"
    assert application.requested_eur == Decimal("2100.00")
    assert application.own_contribution_eur == Decimal("100.00")
    assert [i.cost_eur for i in application.items.order_by("pk")] == [
        Decimal("2000.00"),
        Decimal("100.00"),
    ]
    assert (application.cycle, application.country.code) == (call.cycle, "RS")
    entry = AuditEntry.objects.get(action="grants.application.created")
    assert entry.person_ref == "A-1"


def test_application_without_a_rate_is_refused(call, applicant, grants_rs):
    with pytest.raises(ValidationError) as exc:
        apply(grants_rs, call, applicant, currency="RSD")
    assert "No exchange rate for RSD" in messages_of(exc)


def test_application_date_lies_within_the_call(call, applicant, grants_rs):
    with pytest.raises(ValidationError) as exc:
        apply(grants_rs, call, applicant, applied_on=D(2025, 4, 1))
    assert "open from 2025-01-01 to 2025-03-31" in messages_of(exc)


def test_one_application_per_person_and_call(application, grants_rs):
    with pytest.raises(ValidationError) as exc:
        apply(grants_rs, application.call, application.person)
    assert "has applied to this call already" in messages_of(exc)


def test_only_prisoners_and_former_prisoners_apply(call, grants_rs):
    staff = PersonFactory(ref="S-1", kind=Person.Kind.STAFF)
    with pytest.raises(ValidationError) as exc:
        apply(grants_rs, call, staff)
    assert "only they can apply" in messages_of(exc)


def test_an_application_lists_items(call, applicant, grants_rs):
    with pytest.raises(ValidationError) as exc:
        apply(grants_rs, call, applicant, items=[])
    assert "at least one item" in messages_of(exc)


def test_business_plan_must_be_a_pdf(application, grants_rs):
    with pytest.raises(ValidationError):
        services.application_plan_upload(actor=grants_rs, application=application, upload=png())
    services.application_plan_upload(actor=grants_rs, application=application, upload=pdf())
    application.refresh_from_db()
    assert application.business_plan.name.endswith(".pdf")


def test_eligibility_is_kept_with_the_application(application):
    assert [c["status"] for c in application.eligibility] == ["met", "met", "met"]
    assert application.overall_eligibility == "met"


# Evaluation


def test_only_committee_members_evaluate(application, manager):
    with pytest.raises(ValidationError) as exc:
        services.evaluation_declare(actor=manager, application=application, no_conflict=True)
    assert "committee" in messages_of(exc)


def test_scores_need_a_declaration_first(application, grants_rs):
    criteria = list(application.call.criteria.all())
    with pytest.raises(ValidationError) as exc:
        services.evaluation_score(
            actor=grants_rs, application=application, scores={c.pk: 5 for c in criteria}
        )
    assert "Declare that you have no conflict" in messages_of(exc)


def test_a_declared_conflict_stops_scoring_and_cannot_be_withdrawn(application, grants_rs):
    with pytest.raises(ValidationError):
        services.evaluation_declare(actor=grants_rs, application=application, no_conflict=False)
    services.evaluation_declare(
        actor=grants_rs, application=application, no_conflict=False, notes="My cousin"
    )
    with pytest.raises(ValidationError) as exc:
        services.evaluation_declare(actor=grants_rs, application=application, no_conflict=True)
    assert "cannot be withdrawn" in messages_of(exc)
    criteria = list(application.call.criteria.all())
    with pytest.raises(ValidationError) as exc:
        services.evaluation_score(
            actor=grants_rs, application=application, scores={c.pk: 5 for c in criteria}
        )
    assert "conflict of interest" in messages_of(exc)


def test_weighted_score_uses_the_weights(application, grants_rs):
    evaluation = evaluate(grants_rs, application, (10, 5, 0))
    # (40 × 10 + 30 × 5 + 30 × 0) / 10 = 55
    assert evaluation.weighted_score == Decimal("55.00")
    assert evaluation.scores.count() == 3


def test_every_criterion_must_be_scored_within_range(application, grants_rs):
    services.evaluation_declare(actor=grants_rs, application=application, no_conflict=True)
    first, second, third = application.call.criteria.order_by("number")
    with pytest.raises(ValidationError) as exc:
        services.evaluation_score(
            actor=grants_rs, application=application, scores={first.pk: 5, second.pk: 5}
        )
    assert "missing: Local market" in messages_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.evaluation_score(
            actor=grants_rs,
            application=application,
            scores={first.pk: 5, second.pk: 5, third.pk: 11},
        )
    assert "between 0 and 10" in messages_of(exc)


# Decision: the two-evaluator rule, eligibility and the budget


def test_a_decision_needs_two_complete_evaluations(application, grants_rs, evaluator):
    evaluate(grants_rs, application)
    for decision in ("approved", "waitlisted", "rejected"):
        with pytest.raises(ValidationError) as exc:
            services.application_decide(
                actor=grants_rs, application=application, decision=decision, reason="x"
            )
        assert "at least 2 committee members" in messages_of(exc)
    services.evaluation_declare(
        actor=evaluator, application=application, no_conflict=False, notes="Neighbour"
    )
    with pytest.raises(ValidationError):
        approve(grants_rs, application)  # a conflicted member does not count


def test_approval_creates_the_grant(evaluated, grants_rs):
    approve(grants_rs, evaluated)
    evaluated.refresh_from_db()
    assert evaluated.decision == "approved"
    assert evaluated.approved_eur == Decimal("3000.00")
    assert evaluated.decided_by == grants_rs
    grant = Grant.objects.get(application=evaluated)
    assert (grant.code, grant.status) == (evaluated.code, "approved")
    assert AuditEntry.objects.filter(action="grants.grant.created", person_ref="A-1").exists()


def test_a_decision_needs_a_reason(evaluated, grants_rs):
    with pytest.raises(ValidationError) as exc:
        approve(grants_rs, evaluated, reason="  ")
    assert "reason" in messages_of(exc)


def test_approvals_cannot_exceed_the_budget(call, prison_a, grants_rs, evaluator):
    call.budget_eur = Decimal("5000")
    call.save()
    first = apply(grants_rs, call, released(prison_a, "A-2"))
    second = apply(grants_rs, call, released(prison_a, "A-3"))
    for application in (first, second):
        evaluate(grants_rs, application)
        evaluate(evaluator, application)
    approve(grants_rs, first)
    with pytest.raises(ValidationError) as exc:
        approve(grants_rs, second)
    assert "exceed the budget of call C-RS: 3,000.00 of 5,000.00 EUR" in messages_of(exc)
    approve(grants_rs, second, amount="2000")  # what remains fits
    assert services.call_approved_total(call) == Decimal("5000.00")


def test_no_more_than_asked_for_is_approved(evaluated, grants_rs):
    with pytest.raises(ValidationError) as exc:
        approve(grants_rs, evaluated, amount="3000.01")
    assert "asks for 3,000.00 EUR" in messages_of(exc)


def test_an_ineligible_applicant_cannot_be_approved_but_may_be_rejected_unscored(
    call, prison_a, grants_rs, evaluator
):
    untrained = released(prison_a, "A-9", trained=False)
    application = apply(grants_rs, call, untrained)
    assert application.overall_eligibility == "not_met"
    evaluate(grants_rs, application)
    evaluate(evaluator, application)
    with pytest.raises(ValidationError) as exc:
        approve(grants_rs, application)
    assert "not eligible" in messages_of(exc)
    assert "No completed training" in messages_of(exc)
    other = apply(grants_rs, call, released(prison_a, "A-8", trained=False))
    services.application_decide(
        actor=grants_rs, application=other, decision="rejected", reason="No training"
    )
    assert Application.objects.get(pk=other.pk).decision == "rejected"


def test_un_approving_removes_a_grant_with_nothing_bought(grant, grants_rs):
    application = grant.application
    services.application_decide(
        actor=grants_rs, application=application, decision="waitlisted", reason="Budget cut"
    )
    assert not Grant.objects.filter(pk=grant.pk).exists()
    application.refresh_from_db()
    assert application.approved_eur is None


def test_the_approval_stands_once_items_are_bought(grant, grants_rs):
    add_item(grants_rs, grant)
    with pytest.raises(ValidationError) as exc:
        services.application_decide(
            actor=grants_rs, application=grant.application, decision="rejected", reason="x"
        )
    assert "approval stands" in messages_of(exc)


def test_decided_applications_are_not_evaluated_or_changed(grant, evaluator, grants_rs):
    with pytest.raises(ValidationError):
        services.evaluation_declare(
            actor=evaluator, application=grant.application, no_conflict=True
        )
    with pytest.raises(ValidationError):
        services.application_save(actor=grants_rs, application=grant.application)


# Grants: items, delivery, ownership, closing


BOUGHT, DELIVERED = D(2025, 5, 2), D(2025, 5, 10)


def add_item(actor, grant, *, price="1000", currency="EUR", on=BOUGHT, **fields):
    item = GrantItem(
        description=fields.pop("description", "Oven"),
        quantity=fields.pop("quantity", 1),
        unit_price=Decimal(price),
        currency=currency,
        purchased_on=on,
        **fields,
    )
    return services.grant_item_add(actor=actor, grant=grant, item=item)


def test_items_are_valued_at_the_purchase_date_rate(grant, grants_rs, rsd_rate):
    from resoc.registry.tests.factories import ExchangeRateFactory

    ExchangeRateFactory(currency="RSD", valid_from=D(2025, 5, 1), units_per_eur=Decimal("120"))
    supplier = OrganisationFactory(code="SUP-1", kind="supplier")
    item = add_item(grants_rs, grant, price="120000", currency="rsd", supplier=supplier)
    assert (item.currency, item.value_eur, item.rate_units_per_eur) == (
        "RSD",
        Decimal("1000.00"),
        Decimal("120"),
    )
    grant.refresh_from_db()
    assert grant.value_eur == Decimal("1000.00")


def test_items_come_from_suppliers(grant, grants_rs):
    with pytest.raises(ValidationError) as exc:
        add_item(grants_rs, grant, supplier=OrganisationFactory(code="DON", kind="donor"))
    assert "not an organisation of kind supplier" in messages_of(exc)


def test_items_cannot_cost_more_than_approved(grant, grants_rs):
    add_item(grants_rs, grant, price="2500")
    with pytest.raises(ValidationError) as exc:
        add_item(grants_rs, grant, price="500.01")
    assert "3,000.01 EUR, more than the 3,000.00 EUR approved" in messages_of(exc)


def test_delivery_needs_items_and_the_signed_handover(grant, grants_rs):
    with pytest.raises(ValidationError) as exc:
        services.grant_deliver(
            actor=grants_rs, grant=grant, delivered_on=D(2025, 5, 10), handover=None
        )
    assert "Record the items" in messages_of(exc) and "handover" in messages_of(exc)
    add_item(grants_rs, grant)
    services.grant_deliver(
        actor=grants_rs,
        grant=grant,
        delivered_on=D(2025, 5, 10),
        handover=pdf("handover.pdf"),
        ownership_on=D(2026, 5, 10),
    )
    grant.refresh_from_db()
    assert (grant.status, grant.delivered_on, grant.ownership_on) == (
        "delivered",
        D(2025, 5, 10),
        D(2026, 5, 10),
    )
    assert grant.handover.name.endswith(".pdf")


def test_delivery_follows_the_purchases_and_precedes_ownership(grant, grants_rs):
    add_item(grants_rs, grant, on=D(2025, 5, 2))
    with pytest.raises(ValidationError) as exc:
        services.grant_deliver(
            actor=grants_rs, grant=grant, delivered_on=D(2025, 5, 1), handover=pdf()
        )
    assert "last purchase (2025-05-02)" in messages_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.grant_deliver(
            actor=grants_rs,
            grant=grant,
            delivered_on=D(2025, 5, 3),
            handover=pdf(),
            ownership_on=D(2025, 5, 2),
        )
    assert "Ownership cannot pass before the delivery" in messages_of(exc)


def delivered(actor, grant, on=DELIVERED):
    add_item(actor, grant)
    return services.grant_deliver(actor=actor, grant=grant, delivered_on=on, handover=pdf())


def test_ownership_and_closing(grant, grants_rs):
    delivered(grants_rs, grant)
    services.grant_ownership_set(actor=grants_rs, grant=grant, ownership_on=D(2026, 5, 10))
    with pytest.raises(ValidationError):
        services.grant_close(actor=grants_rs, grant=grant, closed_on=D(2026, 6, 1), reason="")
    services.grant_close(
        actor=grants_rs, grant=grant, closed_on=D(2026, 6, 1), reason="Monitoring over"
    )
    grant.refresh_from_db()
    assert grant.status == "closed" and "Monitoring over" in grant.notes
    with pytest.raises(ValidationError):
        add_item(grants_rs, grant)


# Visits and photos


def test_visits_come_after_delivery(grant, grants_rs):
    visit = Visit(grant=grant, visited_on=D(2025, 8, 10), business_active=True)
    with pytest.raises(ValidationError) as exc:
        services.visit_save(actor=grants_rs, visit=visit)
    assert "not delivered yet" in messages_of(exc)
    delivered(grants_rs, grant)
    visit = Visit(grant=grant, visited_on=D(2025, 5, 9), business_active=True)
    with pytest.raises(ValidationError) as exc:
        services.visit_save(actor=grants_rs, visit=visit)
    assert "precede the delivery" in messages_of(exc)
    visit = Visit(grant=grant, visited_on=D(2025, 8, 10), business_active=True, jobs_created=1)
    services.visit_save(actor=grants_rs, visit=visit)
    assert visit.visited_by == grants_rs
    assert AuditEntry.objects.filter(action="grants.visit.created", person_ref="A-1").exists()


def test_photos_need_the_photo_consent_on_the_visit_day(grant, grants_rs):
    delivered(grants_rs, grant)
    visit = services.visit_save(
        actor=grants_rs,
        visit=Visit(grant=grant, visited_on=D(2025, 8, 10), business_active=True),
    )
    person = grant.application.person
    ConsentFactory(
        person=person, purpose="photo", given_on=D(2024, 1, 1), withdrawn_on=D(2025, 8, 1)
    )
    ConsentFactory(person=person, purpose="story", given_on=D(2024, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.visit_photo_add(actor=grants_rs, visit=visit, upload=png())
    assert "no consent to photographs active on 2025-08-10" in messages_of(exc)
    ConsentFactory(person=person, purpose="photo", given_on=D(2025, 8, 5))
    photo = services.visit_photo_add(actor=grants_rs, visit=visit, upload=png())
    assert photo.file.name.endswith(".png")
    with pytest.raises(ValidationError):
        services.visit_photo_add(actor=grants_rs, visit=visit, upload=pdf())


def test_the_evaluations_are_audited_with_the_person(evaluated):
    assert Evaluation.objects.filter(application=evaluated).count() == 2
    scored = AuditEntry.objects.filter(action="grants.evaluation.scored")
    assert scored.count() == 2 and {e.person_ref for e in scored} == {"A-1"}


def test_managers_and_admins_may_sit_on_any_committee(cycle, rs, manager):
    admin = UserFactory(username="boss", role=Role.ADMIN)
    call = make_call(manager, cycle, rs, committee=[manager, admin])
    assert set(call.committee.all()) == {manager, admin}


def test_a_prisoner_close_to_release_may_apply(call, prison_a, grants_rs):
    from resoc.people.tests.factories import CustodyFactory

    prisoner = CustodyFactory(
        institution=prison_a,
        person__ref="P-1",
        admitted_on=D(2021, 1, 1),
        expected_release_on=D(2025, 3, 15),
    ).person
    application = apply(grants_rs, call, prisoner)
    release = application.eligibility[0]
    assert release["status"] == "met" and "expected release on 2025-03-15" in release["reason"]
