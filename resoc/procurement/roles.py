"""Who may read and write tenders. Tenders hold no personal data: no scope beyond the role."""

from resoc.accounts.models import Role

TENDER_READERS = {
    Role.ADMIN,
    Role.MANAGER,
    Role.PROCUREMENT,
    Role.COORDINATOR,
    Role.AUDITOR,
    Role.DONOR,
}
TENDER_WRITERS = {Role.ADMIN, Role.MANAGER, Role.PROCUREMENT}
# Who may sit on an evaluation committee (auditors and donors only look on).
EVALUATOR_ROLES = {Role.ADMIN, Role.MANAGER, Role.PROCUREMENT, Role.COORDINATOR}
