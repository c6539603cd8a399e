import datetime
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.utils import timezone

from resoc.accounts.models import User
from resoc.core.seeding import REFERENCE_DAY, seed_run
from resoc.people.models import Consent, CustodyEpisode, Person
from resoc.people.selectors import person_list_for_user
from resoc.reentry.models import (
    FollowUp,
    NeedsAssessment,
    OutcomeEvent,
    PlanAction,
    Referral,
    ReleasePlan,
)
from resoc.reentry.outcomes import outcomes_aggregate
from resoc.reentry.selectors import worklists_for_user

pytestmark = pytest.mark.django_db


def test_seed_builds_release_records_that_keep_the_rules():
    counts = seed_run(persons=600, seed=5)

    plans = list(ReleasePlan.objects.select_related("episode"))
    assert len(plans) == counts["releaseplan"] > 20
    assert {p.state for p in plans} == {"draft", "signed_by_officer", "agreed"}
    for plan in plans:
        assert plan.episode.person_id == plan.person_id
        assert plan.destination == Person.objects.get(pk=plan.person_id).home_municipality
        assert plan.commissioner_signed_on is None or plan.officer_signed_on is not None
    assert PlanAction.objects.count() == counts["planaction"] > len(plans)
    assert NeedsAssessment.objects.count() == counts["needsassessment"]
    assert all(a.items.count() == 8 for a in NeedsAssessment.objects.all()[:20])
    releases = defaultdict(list)
    for person_id, day in CustodyEpisode.objects.filter(released_on__isnull=False).values_list(
        "person_id", "released_on"
    ):
        releases[person_id].append(day)
    for contact in FollowUp.objects.all():
        assert min(releases[contact.person_id]) < contact.date <= REFERENCE_DAY
    assert OutcomeEvent.objects.count() == counts["outcomeevent"] > 0
    # Every sent referral had the person's consent on the day it was sent.
    consents = defaultdict(list)
    for consent in Consent.objects.filter(purpose="referral"):
        consents[consent.person_id].append(consent)
    sent = Referral.objects.exclude(status="draft")
    assert sent.exists()
    for referral in sent:
        assert any(c.is_active_on(referral.sent_on) for c in consents[referral.person_id])
    outcomes = outcomes_aggregate(as_of=REFERENCE_DAY)
    assert 0 < outcomes["followed"]["followed"] < outcomes["followed"]["released"]
    assert 0 < outcomes["employed_6m_after_release"]["rate"] < 1
    assert 0 < outcomes["recidivism_12m"]["rate"] < 1


def test_seeding_release_records_is_deterministic():
    def snapshot():
        return (
            list(
                ReleasePlan.objects.order_by("person__ref").values_list(
                    "person__ref", "destination", "state", "officer_signed_on"
                )
            ),
            list(
                FollowUp.objects.order_by("person__ref", "date").values_list(
                    "person__ref", "date", "employment"
                )
            ),
        )

    seed_run(persons=150, seed=7)
    first = snapshot()
    Person.objects.all().delete()
    seed_run(persons=150, seed=7)
    assert snapshot() == first


def test_the_demo_gives_its_commissioner_cases_and_its_officer_plans_to_draft(settings):
    settings.DEMO = True
    call_command("demo", no_serve=True, stdout=open("/dev/null", "w"))  # noqa: SIM115

    commissioner = User.objects.get(username="commissioner.nis")
    assigned = ReleasePlan.objects.filter(commissioner=commissioner)
    assert assigned.exists()
    assert not assigned.exclude(destination="Niš").exists()
    cases = person_list_for_user(user=commissioner)
    assert cases.filter(pk__in=assigned.values("person_id")).exists()
    lists = worklists_for_user(user=commissioner, today=REFERENCE_DAY)
    assert lists.follow_ups or lists.to_sign
    # The seeded custody keeps its dates while the demo ages: from a year after the seed's
    # reference day on, the officer's prisoners near release wait for their plans.
    officer = User.objects.get(username="officer.nis")
    today = max(timezone.localdate(), REFERENCE_DAY + datetime.timedelta(days=365))
    lists = worklists_for_user(user=officer, today=today)
    assert lists.plans_overdue + lists.plans_due_soon
    assert ReleasePlan.objects.filter(officer_signed_by=officer).exists()
