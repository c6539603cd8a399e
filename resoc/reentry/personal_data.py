"""The personal data of release preparation and follow-up (see resoc.ops.retention).

The notes of needs assessments, follow-ups and outcome events, the plan's goals and actions
(which may name relatives or a landlord), and what a referral said and heard back are blanked
when the person's identity is due. Levels, domains, states, statuses, dates, employment and
housing stay: the outcome figures (employment after release, reoffending) are made of them.

A release plan keeps the identity while its custody episode is open: the person is still to be
released.
"""

from django.db.models import Q

from resoc.ops.retention import register
from resoc.reentry.models import (
    AssessmentItem,
    FollowUp,
    NeedsAssessment,
    OutcomeEvent,
    PlanAction,
    Referral,
    ReleasePlan,
)

register(NeedsAssessment, person_path="person", activity=["date"])
register(AssessmentItem, person_path="assessment__person", fields=["notes"])
register(
    ReleasePlan,
    person_path="person",
    fields=["goals"],
    activity=["officer_signed_on", "commissioner_signed_on"],
    ongoing=Q(episode__released_on__isnull=True, episode__transferred_out_on__isnull=True),
)
register(
    PlanAction,
    person_path="plan__person",
    fields=["what", "responsible_person"],
    activity=["due_on"],
)
register(
    Referral,
    person_path="person",
    fields=["reason", "outcome"],
    activity=["sent_on", "answered_on", "completed_on"],
)
register(FollowUp, person_path="person", fields=["notes"], activity=["date"])
register(OutcomeEvent, person_path="person", fields=["notes"], activity=["date"])
