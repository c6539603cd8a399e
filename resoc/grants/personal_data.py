"""The personal data of micro-grants, for retention and the right of access (see resoc.ops).

When the applicant's identity is due, the business idea, the reasons and notes written about
them (the committee's too), the business plan, the signed handover document and the photos of
the business go. Codes, sectors, decisions, amounts, scores, items, dates and what the visits
found (business active, revenue band, jobs) stay: the grant and survival figures are made of
them.

A grant not closed yet keeps its holder's identity: the equipment is handed over, its ownership
passes later and the business is visited for two years.
"""

from django.db.models import Q

from resoc.grants.models import (
    Application,
    ApplicationItem,
    Evaluation,
    Grant,
    GrantItem,
    Score,
    Visit,
    VisitPhoto,
)
from resoc.ops.retention import register

register(
    Application,
    person_path="person",
    fields=["business_idea", "decision_reason"],
    files=["business_plan"],
    activity=["applied_on", "decided_on", "call__closes_on"],
)
register(ApplicationItem, person_path="application__person")
register(Evaluation, person_path="application__person", fields=["declaration_notes", "notes"])
register(Score, person_path="evaluation__application__person")
register(
    Grant,
    person_path="application__person",
    fields=["notes"],
    files=["handover"],
    activity=["delivered_on", "ownership_on", "closed_on"],
    ongoing=~Q(status=Grant.Status.CLOSED),
)
register(GrantItem, person_path="grant__application__person", activity=["purchased_on"])
register(Visit, person_path="grant__application__person", fields=["notes"], activity=["visited_on"])
register(VisitPhoto, person_path="visit__grant__application__person", files=["file"])
