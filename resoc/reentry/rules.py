"""Who may read and write the release-and-after records.

Needs, plans, referrals and follow-ups are among the most sensitive data Resoc holds: only the
staff who work on a person's release read them (trainers and grants officers do not), each within
their scope of people (`resoc.people.selectors.person_list_for_user`): officers the prisoners of
their institutions, commissioners their cases, coordinators their countries.
"""

import rules

from resoc.accounts import roles
from resoc.accounts.models import Role
from resoc.accounts.rules import person_in_scope

REENTRY_READERS = {
    Role.ADMIN,
    Role.MANAGER,
    Role.AUDITOR,
    Role.COORDINATOR,
    Role.OFFICER,
    Role.COMMISSIONER,
}
REENTRY_WRITERS = {Role.ADMIN, Role.MANAGER, Role.COORDINATOR, Role.OFFICER, Role.COMMISSIONER}
# Who hands a plan to another commissioner.
COMMISSIONER_ASSIGNERS = {Role.ADMIN, Role.MANAGER}


def _role_in(allowed, name):
    @rules.predicate(name=name)
    def predicate(user):
        return roles.has_role(user, allowed)

    return predicate


reads_reentry = _role_in(REENTRY_READERS, "reads_reentry")
writes_reentry = _role_in(REENTRY_WRITERS, "writes_reentry")
assigns_commissioners = _role_in(COMMISSIONER_ASSIGNERS, "assigns_commissioners")
is_officer = _role_in({Role.OFFICER}, "is_officer")


@rules.predicate
def is_plans_commissioner(user, plan):
    return plan is not None and plan.commissioner_id is not None and plan.commissioner_id == user.pk


@rules.predicate
def plans_person_in_scope(user, plan):
    return plan is None or person_in_scope(user, plan.person)


# The object of view/change is a person (or None for the role alone).
rules.add_perm("reentry.view_reentry", reads_reentry & person_in_scope)
rules.add_perm("reentry.change_reentry", writes_reentry & person_in_scope)
rules.add_perm("reentry.assign_commissioner", assigns_commissioners)
rules.add_perm("reentry.sign_as_officer", is_officer & plans_person_in_scope)
rules.add_perm("reentry.sign_as_commissioner", is_plans_commissioner)
