import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.audit.models import AuditEntry
from resoc.people.services import custody_transfer
from resoc.reentry import services
from resoc.reentry.models import ReleasePlan
from resoc.reentry.selectors import plan_list_for_user, worklists_for_user
from resoc.reentry.tests.conftest import in_custody, plan_for, released

pytestmark = pytest.mark.django_db

D = datetime.date
State = ReleasePlan.State


@pytest.fixture
def episode(prison_a):
    return in_custody(prison_a, "P-1", expected=D(2026, 6, 1))


def create(actor, episode, destination="Niš", **kwargs):
    return services.plan_create(actor=actor, episode=episode, destination=destination, **kwargs)


def test_the_destination_assigns_its_commissioner(officer_a, episode, commissioner_nis):
    plan = create(officer_a, episode, " niš ", goals={"accommodation": "A flat", "family": ""})

    assert plan.commissioner == commissioner_nis
    assert plan.destination == "niš"
    assert plan.goals == {"accommodation": "A flat"}
    assert plan.state == State.DRAFT
    assert AuditEntry.objects.get(action="reentry.releaseplan.created").person_ref == "P-1"


def test_of_several_commissioners_the_first_by_username_gets_the_plan(officer_a, episode):
    UserFactory(username="zoran", role=Role.COMMISSIONER, municipalities=["Niš"])
    ana = UserFactory(username="ana", role=Role.COMMISSIONER, municipalities=["Pirot", "Niš"])
    UserFactory(username="aaa", role=Role.COMMISSIONER, municipalities=["Niš"], is_active=False)
    assert create(officer_a, episode).commissioner == ana


def test_without_a_commissioner_the_plan_waits_on_the_managers_worklist(
    officer_a, episode, manager
):
    plan = create(officer_a, episode, "Kuršumlija")

    assert plan.commissioner is None
    assert worklists_for_user(user=manager, today=D(2026, 3, 1)).unassigned == [plan]
    assert worklists_for_user(user=officer_a, today=D(2026, 3, 1)).unassigned == []


def test_a_plan_sets_the_expected_release_of_the_custody(officer_a, episode):
    create(officer_a, episode, expected_release_on=D(2026, 9, 1))
    episode.refresh_from_db()
    assert episode.expected_release_on == D(2026, 9, 1)


def test_one_plan_per_custody_and_only_while_in_custody(officer_a, episode, prison_a):
    create(officer_a, episode)
    with pytest.raises(ValidationError, match="has a release plan already"):
        create(officer_a, episode)
    with pytest.raises(ValidationError, match="while the person is in custody"):
        create(officer_a, released(prison_a, "R-1"))


def test_the_officer_signs_first_then_the_commissioner(
    officer_a, episode, commissioner_nis, commissioner_bg, manager
):
    plan = create(officer_a, episode)
    with pytest.raises(ValidationError, match="officer signs the plan first"):
        services.plan_sign(actor=commissioner_nis, plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_sign(actor=manager, plan=plan)

    services.plan_sign(actor=officer_a, plan=plan, on=D(2026, 2, 1))
    assert (plan.state, plan.officer_signed_by) == (State.SIGNED_BY_OFFICER, officer_a)
    with pytest.raises(ValidationError, match="signed this plan already"):
        services.plan_sign(actor=officer_a, plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_sign(actor=commissioner_bg, plan=plan)  # not the plan's commissioner
    services.plan_sign(actor=commissioner_nis, plan=plan, on=D(2026, 2, 3))

    plan.refresh_from_db()
    assert plan.state == State.AGREED
    assert (plan.commissioner_signed_by, plan.commissioner_signed_on) == (
        commissioner_nis,
        D(2026, 2, 3),
    )
    signed = AuditEntry.objects.filter(action="reentry.releaseplan.signed")
    assert [e.detail["as"] for e in signed.order_by("id")] == ["officer", "commissioner"]


def test_an_officer_of_another_prison_cannot_sign(officer_b, officer_a, episode):
    plan = create(officer_a, episode)
    with pytest.raises(PermissionDenied):
        services.plan_sign(actor=officer_b, plan=plan)


def test_a_changed_plan_must_be_signed_again_and_follows_its_new_destination(
    officer_a, episode, commissioner_nis, commissioner_bg
):
    plan = create(officer_a, episode, goals={"health": "GP"})
    services.plan_sign(actor=officer_a, plan=plan)
    services.plan_sign(actor=commissioner_nis, plan=plan)

    services.plan_update(actor=officer_a, plan=plan, destination="Niš", goals={"health": "GP"})
    assert plan.state == State.AGREED  # nothing changed

    services.plan_update(actor=officer_a, plan=plan, destination="Beograd", goals={"health": "GP"})
    plan.refresh_from_db()
    assert (plan.state, plan.commissioner, plan.officer_signed_on) == (
        State.DRAFT,
        commissioner_bg,
        None,
    )


def test_a_manager_reassigns_the_plan(officer_a, episode, manager, commissioner_bg):
    plan = create(officer_a, episode)
    with pytest.raises(PermissionDenied):
        services.plan_assign(actor=officer_a, plan=plan, commissioner=commissioner_bg)
    with pytest.raises(ValidationError, match="commissioner"):
        services.plan_assign(actor=manager, plan=plan, commissioner=officer_a)

    services.plan_assign(actor=manager, plan=plan, commissioner=commissioner_bg)
    plan.refresh_from_db()
    assert plan.commissioner == commissioner_bg


def test_a_transfer_takes_the_plan_along(officer_a, officer_b, episode, prison_b):
    plan = create(officer_a, episode)
    custody_transfer(
        actor=officer_a, person=episode.person, to_institution=prison_b, on=D(2025, 1, 1)
    )

    plan.refresh_from_db()
    assert plan.episode.institution == prison_b and plan.episode.is_open
    assert list(plan_list_for_user(user=officer_b)) == [plan]
    assert not plan_list_for_user(user=officer_a).exists()


def test_unassigned_plans_get_the_commissioner_created_later(officer_a, episode):
    plan = create(officer_a, episode, "Pirot")
    pirot = UserFactory(username="pirot", role=Role.COMMISSIONER, municipalities=["pirot"])

    assert services.plans_assign_unassigned() == 1
    plan.refresh_from_db()
    assert plan.commissioner == pirot


def test_goals_name_known_domains(episode):
    plan = plan_for(episode, goals={"luck": "x"})
    with pytest.raises(ValidationError, match="Unknown domains: luck"):
        plan.full_clean()
