"""Who may read and write work records.

Assignments and work months are personal data: read by the person readers, within their scope
of people and of sites. Production holds no personal data: every role reads it within its sites.
"""

import rules

from resoc.accounts import roles
from resoc.accounts.models import Role
from resoc.accounts.rules import is_staff_member, reads_persons

WORK_WRITERS = {Role.ADMIN, Role.MANAGER, Role.COORDINATOR, Role.OFFICER}


@rules.predicate
def writes_work(user):
    return roles.has_role(user, WORK_WRITERS)


@rules.predicate
def workshop_in_scope(user, workshop):
    """The workshop (or a record's workshop) is one of the user's sites."""
    if workshop is None:
        return True
    from resoc.registry.selectors import workshop_list_for_user

    workshop_id = getattr(workshop, "workshop_id", None) or workshop.pk
    return workshop_list_for_user(user=user).filter(pk=workshop_id).exists()


rules.add_perm("work.view_work", reads_persons)
rules.add_perm("work.change_work", writes_work & workshop_in_scope)
rules.add_perm("work.view_production", is_staff_member)
rules.add_perm("work.change_production", writes_work & workshop_in_scope)
