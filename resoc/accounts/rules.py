"""Permissions for `rules`: role predicates, and object predicates that ask the scoped selectors."""

import rules

from resoc.accounts import roles


def _role_in(allowed, name):
    @rules.predicate(name=name)
    def predicate(user):
        return roles.has_role(user, allowed)

    return predicate


reads_persons = _role_in(roles.PERSON_READERS, "reads_persons")
writes_persons = _role_in(roles.PERSON_WRITERS, "writes_persons")
writes_registry = _role_in(roles.REGISTRY_WRITERS, "writes_registry")
writes_sites = _role_in(roles.SITE_WRITERS, "writes_sites")
imports_data = _role_in(roles.IMPORTERS, "imports_data")
reads_audit = _role_in(roles.AUDIT_READERS, "reads_audit")
is_user_admin = _role_in(roles.USER_ADMINS, "is_user_admin")
is_staff_member = rules.is_authenticated & rules.is_active


@rules.predicate
def person_in_scope(user, person):
    if person is None:
        return True
    from resoc.people.selectors import person_list_for_user

    return person_list_for_user(user=user).filter(pk=person.pk).exists()


@rules.predicate
def site_in_scope(user, obj):
    """An institution or workshop inside the user's countries (or any, for global roles)."""
    if obj is None or roles.has_role(user, roles.REGISTRY_WRITERS):
        return True
    institution = getattr(obj, "institution", obj)
    return user.countries.filter(pk=institution.country_id).exists()


rules.add_perm("people.view_person", reads_persons & person_in_scope)
rules.add_perm("people.change_person", writes_persons & person_in_scope)
rules.add_perm("people.add_person", writes_persons)
rules.add_perm("registry.view_registry", is_staff_member)
rules.add_perm("registry.change_registry", writes_registry)
rules.add_perm("registry.change_site", writes_sites & site_in_scope)
rules.add_perm("imports.run_import", imports_data)
rules.add_perm("audit.view_trail", reads_audit)
rules.add_perm("accounts.manage_users", is_user_admin)
