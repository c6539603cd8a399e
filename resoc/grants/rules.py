"""Permissions of the grants app, for `rules` (autodiscovered)."""

import rules

from resoc.accounts.roles import has_role
from resoc.grants import roles


@rules.predicate
def reads_grants(user):
    return has_role(user, roles.GRANT_READERS)


@rules.predicate
def writes_grants(user):
    return has_role(user, roles.GRANT_WRITERS)


def country_of(obj):
    """The country id of a call, application, grant or visit (or a country itself)."""
    for path in ("country_id", "application.country_id", "grant.application.country_id"):
        value = obj
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                break
        if value is not None:
            return value
    return getattr(obj, "pk", None)


@rules.predicate
def in_write_scope(user, obj):
    """The record's country is one the user keeps (every country for the programme's roles)."""
    if obj is None or has_role(user, roles.GRANT_WRITERS_EVERYWHERE):
        return True
    return user.countries.filter(pk=country_of(obj)).exists()


@rules.predicate
def sits_on_committee(user, application):
    """The user is on the committee of the application's call (any call, asked without one)."""
    if not has_role(user, roles.EVALUATOR_ROLES):
        return False
    if application is None:
        return user.grant_committees.exists()
    if application.call_id is None:
        return False
    return user.grant_committees.filter(pk=application.call_id).exists()


rules.add_perm("grants.view_grants", reads_grants)
rules.add_perm("grants.add_call", writes_grants)
rules.add_perm("grants.write_grants", writes_grants)
rules.add_perm("grants.change_grants", writes_grants & in_write_scope)
rules.add_perm("grants.evaluate", reads_grants & sits_on_committee)
