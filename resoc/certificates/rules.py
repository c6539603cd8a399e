"""Who may read, issue and revoke certificates. Which ones: `selectors.py`."""

import rules

from resoc.accounts import roles
from resoc.accounts.models import Role
from resoc.training.rules import TRAINING_READERS

# Whoever may read enrollments may read their certificates (within the same scope).
CERTIFICATE_READERS = TRAINING_READERS
CERTIFICATE_ISSUERS = {Role.ADMIN, Role.MANAGER, Role.COORDINATOR, Role.OFFICER, Role.TRAINER}
CERTIFICATE_REVOKERS = {Role.ADMIN, Role.MANAGER, Role.COORDINATOR}


def _role_in(allowed, name):
    @rules.predicate(name=name)
    def predicate(user):
        return roles.has_role(user, allowed)

    return predicate


reads_certificates = _role_in(CERTIFICATE_READERS, "reads_certificates")
issues_certificates = _role_in(CERTIFICATE_ISSUERS, "issues_certificates")
revokes_certificates = _role_in(CERTIFICATE_REVOKERS, "revokes_certificates")


@rules.predicate
def certificate_in_scope(user, certificate):
    if certificate is None:
        return True
    from resoc.certificates.selectors import certificate_list_for_user

    return certificate_list_for_user(user=user).filter(pk=certificate.pk).exists()


@rules.predicate
def cohort_in_scope(user, cohort):
    if cohort is None:
        return True
    from resoc.certificates.selectors import cohort_list_for_user

    return cohort_list_for_user(user=user).filter(pk=cohort.pk).exists()


rules.add_perm("certificates.view_certificate", reads_certificates & certificate_in_scope)
rules.add_perm("certificates.issue_certificates", issues_certificates & cohort_in_scope)
rules.add_perm("certificates.revoke_certificate", revokes_certificates & certificate_in_scope)
