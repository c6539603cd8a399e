from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Q, Sum

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.core.seeding import REFERENCE_DAY, seed_run
from resoc.core.seeding.grants import seed_grant_committees
from resoc.grants import eligibility
from resoc.grants.models import Application, Call, Evaluation, Grant, GrantItem, Visit
from resoc.registry.tests.factories import country

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(
            Application.objects.order_by("code").values_list(
                "code", "person__ref", "call__code", "decision", "requested_eur", "approved_eur"
            )
        ),
        list(Grant.objects.order_by("code").values_list("code", "status", "delivered_on")),
        list(
            Visit.objects.order_by("grant__code", "visited_on").values_list(
                "visited_on", "business_active"
            )
        ),
    )


@pytest.fixture
def committee():
    """Evaluators exist before seeding: a grants officer for Serbia and a manager."""
    UserFactory(username="grants.rs", role=Role.GRANTS, countries=[country("RS")])
    UserFactory(username="manager", role=Role.MANAGER)
    UserFactory(username="admin", role=Role.ADMIN)


def test_seeding_makes_grants_that_keep_the_rules(committee):
    counts = seed_run(persons=500, seed=3)
    assert counts["grant"] == Grant.objects.count() > 30
    assert Application.objects.filter(call__isnull=True).exists()  # historical grants
    for call in Call.objects.annotate(
        approved=Sum("applications__approved_eur", filter=Q(applications__decision="approved"))
    ):
        assert (call.approved or 0) <= call.budget_eur, call.code
        assert sum(c.weight for c in call.criteria.all()) == 100
        assert call.committee.count() == 2
    decided = Application.objects.filter(call__isnull=False).exclude(decision="pending")
    complete = Q(evaluations__declared_no_conflict=True, evaluations__weighted_score__isnull=False)
    for application in decided.annotate(n=Count("evaluations", filter=complete)):
        failed = eligibility.not_met(application.eligibility)
        if application.decision == "approved":
            assert not failed, application.code
        if not (application.decision == "rejected" and failed):
            assert application.n >= 2, application.code
    for grant in Grant.objects.select_related("application"):
        spent = grant.items.aggregate(total=Sum("value_eur"))["total"] or Decimal("0")
        assert spent <= grant.application.approved_eur
        if grant.status != "approved":
            assert grant.delivered_on <= REFERENCE_DAY
    assert not Visit.objects.filter(visited_on__gt=REFERENCE_DAY).exists()
    for visit in Visit.objects.select_related("grant"):
        assert visit.visited_on >= visit.grant.delivered_on
    assert GrantItem.objects.filter(supplier__kind="supplier").exists()


def test_the_grants_officer_has_applications_to_score(committee):
    seed_run(persons=500, seed=3)
    pending = Application.objects.filter(call__code="RESOC-7-RS", decision="pending")
    assert pending.exists()
    assert not Evaluation.objects.filter(
        application__in=pending, evaluator__username="grants.rs"
    ).exists()
    assert Evaluation.objects.filter(application__in=pending, evaluator__username="manager").count()
    assert Call.objects.get(code="RESOC-7-RS").committee.filter(username="grants.rs").exists()


def test_the_same_seed_gives_the_same_grants():
    with transaction.atomic():
        seed_run(persons=300, seed=7)
        first = snapshot()
        transaction.set_rollback(True)  # back to the empty database
    assert not Application.objects.exists()
    seed_run(persons=300, seed=7)
    assert snapshot() == first


def test_committees_are_seated_once_users_exist():
    seed_run(persons=300, seed=5)
    assert not Evaluation.objects.exists()
    UserFactory(username="manager", role=Role.MANAGER)
    UserFactory(username="admin", role=Role.ADMIN)
    made = seed_grant_committees(seed=5)
    assert made == Evaluation.objects.count() > 0
    assert seed_grant_committees(seed=5) == 0  # seated once


def test_seeding_again_adds_grants_for_the_new_people_only():
    seed_run(persons=300, seed=9)
    codes = set(Application.objects.values_list("code", flat=True))
    people = set(Application.objects.values_list("person_id", flat=True))
    seed_run(persons=300, seed=9)
    assert codes < set(Application.objects.values_list("code", flat=True))
    assert Application.objects.values("person").distinct().count() == Application.objects.count()
    assert people < set(Application.objects.values_list("person_id", flat=True))
