"""Who reads the results and who sees them in full. Results are aggregates: every role reads
them, as a donor sees them (small counts hidden); the programme's global readers see them in
full, and coordinators and grants officers for their own countries.

The IATI file covers every cycle, country and funder: only the programme-wide readers (admins,
managers, auditors) make it. Its counts are disclosure-controlled as published data, but whether
and when the programme publishes is not a donor's or a country team's call."""

import rules

from resoc.accounts import roles
from resoc.accounts.models import Role
from resoc.accounts.rules import is_staff_member

FRAMEWORK_WRITERS = {Role.ADMIN, Role.MANAGER}
FULL_RESULT_READERS = roles.GLOBAL_READERS
COUNTRY_RESULT_READERS = {Role.COORDINATOR, Role.GRANTS}
IATI_EXPORTERS = roles.GLOBAL_READERS


def sees_full_results(user, country: str | None = None) -> bool:
    """Whether the user sees the figures (of `country`, or all) without disclosure control."""
    if roles.has_role(user, FULL_RESULT_READERS):
        return True
    if country and roles.has_role(user, COUNTRY_RESULT_READERS):
        return user.countries.filter(code=country).exists()
    return False


@rules.predicate
def writes_framework(user):
    return roles.has_role(user, FRAMEWORK_WRITERS)


@rules.predicate
def exports_iati(user):
    return roles.has_role(user, IATI_EXPORTERS)


rules.add_perm("reporting.view_results", is_staff_member)
rules.add_perm("reporting.export_iati", exports_iati)
rules.add_perm("reporting.change_framework", writes_framework)
