"""Which roles may do what. Scope (which records) is the selectors' business; this is the role."""

from resoc.accounts.models import Role

GLOBAL_READERS = {Role.ADMIN, Role.MANAGER, Role.AUDITOR}
PERSON_READERS = {
    Role.ADMIN,
    Role.MANAGER,
    Role.COORDINATOR,
    Role.OFFICER,
    Role.TRAINER,
    Role.COMMISSIONER,
    Role.GRANTS,
    Role.AUDITOR,
}
PERSON_WRITERS = {Role.ADMIN, Role.MANAGER, Role.COORDINATOR, Role.OFFICER}
REGISTRY_WRITERS = {Role.ADMIN, Role.MANAGER}
# Coordinators also keep the institutions and workshops of their own countries.
SITE_WRITERS = {Role.ADMIN, Role.MANAGER, Role.COORDINATOR}
IMPORTERS = {Role.ADMIN, Role.MANAGER}
AUDIT_READERS = {Role.ADMIN, Role.AUDITOR}
USER_ADMINS = {Role.ADMIN}


def has_role(user, roles) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in roles)
