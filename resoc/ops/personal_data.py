"""The personal data of the apps that came before retention: people and work.

Other apps declare theirs in their own `personal_data.py` (see resoc.ops.retention).
"""

from django.db.models import Exists, OuterRef, Q

from resoc.ops.retention import due_persons, register, rule
from resoc.people.models import Consent, CustodyEpisode, Person, StaffPosition
from resoc.work.models import WorkAssignment, WorkMonth

# Names, contacts and the folded search keys go; sex, birth year, kind and home municipality
# stay, so that the programme's figures (by sex, age group, municipality) are unchanged.
register(
    Person,
    person_path="",
    fields=["given_name", "family_name", "phone", "email", "address", "given_key", "family_key"],
)
register(
    CustodyEpisode,
    person_path="person",
    activity=["admitted_on", "released_on", "transferred_out_on"],
    ongoing=Q(released_on__isnull=True, transferred_out_on__isnull=True),
)
register(
    StaffPosition,
    person_path="person",
    activity=["started_on", "ended_on"],
    ongoing=Q(ended_on__isnull=True),
)
register(Consent, person_path="person", files=["evidence"])
register(
    WorkAssignment,
    person_path="person",
    fields=["notes"],
    activity=["start", "end"],
    ongoing=Q(end__isnull=True),
)
register(WorkMonth, person_path="person", activity=["month"])


@rule("released")
def released(cutoff):
    """People released from custody on or before the cutoff, in nothing since."""
    old_release = CustodyEpisode.objects.filter(person=OuterRef("pk"), released_on__lte=cutoff)
    return due_persons(Q(Exists(old_release)), cutoff)


@rule("staff_left")
def staff_left(cutoff):
    """Prison staff whose last position ended on or before the cutoff."""
    old_position = StaffPosition.objects.filter(person=OuterRef("pk"), ended_on__lte=cutoff)
    return due_persons(Q(Exists(old_position)), cutoff)
