"""Who may do what in operations: the right-of-access export is for administrators and
programme managers, within their scope (both see everyone today)."""

import rules

from resoc.accounts import roles
from resoc.accounts.models import Role
from resoc.accounts.rules import person_in_scope

ACCESS_EXPORTERS = {Role.ADMIN, Role.MANAGER}


@rules.predicate
def exports_person_data(user):
    return roles.has_role(user, ACCESS_EXPORTERS)


rules.add_perm("ops.export_person_data", exports_person_data & person_in_scope)
