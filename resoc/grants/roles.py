"""Who may do what with grants. Scope (which countries) is the selectors' business.

Grant records are personal data: donors and procurement officers never read them (the results
they ask for are aggregates, served elsewhere).
"""

from resoc.accounts.models import Role

GRANT_READERS = {Role.ADMIN, Role.MANAGER, Role.GRANTS, Role.COORDINATOR, Role.AUDITOR}
GRANT_WRITERS = {Role.ADMIN, Role.MANAGER, Role.GRANTS}
# Writers of every country's grants; a grants officer keeps those of their own countries.
GRANT_WRITERS_EVERYWHERE = {Role.ADMIN, Role.MANAGER}
# Who may sit on a call's evaluation committee.
EVALUATOR_ROLES = {Role.ADMIN, Role.MANAGER, Role.GRANTS}
# Roles whose view is limited to their countries.
BY_COUNTRY = {Role.COORDINATOR, Role.GRANTS}
