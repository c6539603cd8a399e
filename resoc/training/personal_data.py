"""The personal data of training, for retention and the right of access (see resoc.ops).

What the person wrote and what staff wrote about them (motivation, assessment, the reason for a
decision) is blanked when their identity is due. Status, education, security level, dates,
scores and attendance stay: they make the training figures. A course keeps the identity of its
participants and peer trainers while it is recent, whatever the dates of the enrollment (an
imported one may have none).
"""

from resoc.ops.retention import register
from resoc.training.models import Attendance, Cohort, Enrollment

register(
    Enrollment,
    person_path="person",
    fields=["motivation", "officer_assessment", "decision_reason"],
    activity=[
        "applied_on",
        "decided_on",
        "completed_on",
        "ended_on",
        "cohort__start",
        "cohort__end",
    ],
)
register(Attendance, person_path="enrollment__person")
# The cohorts a person helped to train (as a peer trainer): nothing of theirs to blank there.
register(Cohort, person_path="peer_trainers", activity=["start", "end"])
