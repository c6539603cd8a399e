import datetime

import factory

from resoc.people.tests.factories import CustodyFactory, PersonFactory
from resoc.reentry.models import (
    AssessmentItem,
    FollowUp,
    NeedsAssessment,
    OutcomeEvent,
    PlanAction,
    Referral,
    ReleasePlan,
)
from resoc.registry.models import Organisation
from resoc.registry.tests.factories import OrganisationFactory


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NeedsAssessment

    person = factory.SubFactory(PersonFactory)
    date = datetime.date(2025, 1, 10)


class AssessmentItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentItem

    assessment = factory.SubFactory(AssessmentFactory)
    domain = "accommodation"
    level = "high"


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReleasePlan

    episode = factory.SubFactory(CustodyFactory)
    person = factory.SelfAttribute("episode.person")
    destination = "Niš"


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanAction

    plan = factory.SubFactory(PlanFactory)
    what = "Register with the employment service"
    due_on = datetime.date(2026, 1, 15)
    responsibility = PlanAction.Responsibility.PROBATION


class AgencyFactory(OrganisationFactory):
    kind = Organisation.Kind.AGENCY


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    person = factory.SubFactory(PersonFactory)
    agency = factory.SubFactory(AgencyFactory)
    shared = ["name", "contact"]


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    person = factory.SubFactory(PersonFactory)
    date = datetime.date(2025, 6, 1)
    mode = FollowUp.Mode.PHONE


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutcomeEvent

    person = factory.SubFactory(PersonFactory)
    kind = OutcomeEvent.Kind.REOFFENDED
    date = datetime.date(2025, 6, 1)
    source = OutcomeEvent.Source.OFFICIAL
