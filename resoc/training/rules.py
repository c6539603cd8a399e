"""Who may read and change training records.

Scope (which cohorts and people) is the selectors' business; these are the roles, plus the two
object rules of training: a coordinator manages the cohorts of their countries, and a trainer
runs (sessions, attendance, outcomes) only the cohorts they teach. Donors, procurement officers
and probation commissioners have no training pages: the records name people in custody.
"""

import rules

from resoc.accounts import roles
from resoc.accounts.models import Role

TRAINING_READERS = {
    Role.ADMIN,
    Role.MANAGER,
    Role.COORDINATOR,
    Role.OFFICER,
    Role.TRAINER,
    Role.GRANTS,
    Role.AUDITOR,
}
CATALOGUE_WRITERS = {Role.ADMIN, Role.MANAGER}
COHORT_WRITERS = {Role.ADMIN, Role.MANAGER, Role.COORDINATOR}
# Applications and selection decisions, for the people in the user's scope.
APPLICATION_WRITERS = {Role.ADMIN, Role.MANAGER, Role.COORDINATOR, Role.OFFICER}


def _role_in(allowed, name):
    @rules.predicate(name=name)
    def predicate(user):
        return roles.has_role(user, allowed)

    return predicate


reads_training = _role_in(TRAINING_READERS, "reads_training")
writes_catalogue = _role_in(CATALOGUE_WRITERS, "writes_catalogue")
writes_cohorts = _role_in(COHORT_WRITERS, "writes_cohorts")
writes_applications = _role_in(APPLICATION_WRITERS, "writes_applications")
is_trainer = _role_in({Role.TRAINER}, "is_trainer")


def _cohort_of(obj):
    return getattr(obj, "cohort", obj)


@rules.predicate
def manages_cohort(user, cohort):
    """Admins and managers manage every cohort; coordinators those held in their countries."""
    if not roles.has_role(user, COHORT_WRITERS):
        return False
    if cohort is None or user.role in (Role.ADMIN, Role.MANAGER):
        return True
    cohort = _cohort_of(cohort)
    if cohort.institution_id is None:  # an online cohort open to several countries
        return False
    return user.countries.filter(institutions=cohort.institution_id).exists()


@rules.predicate
def teaches_cohort(user, cohort):
    if not roles.has_role(user, {Role.TRAINER}) or cohort is None:
        return False
    return _cohort_of(cohort).trainers.filter(pk=user.pk).exists()


@rules.predicate
def cohort_visible(user, cohort):
    if cohort is None:
        return True
    from resoc.training.selectors import cohort_list_for_user

    return cohort_list_for_user(user=user).filter(pk=_cohort_of(cohort).pk).exists()


rules.add_perm("training.view_training", reads_training)
rules.add_perm("training.change_course", writes_catalogue)
rules.add_perm("training.add_cohort", writes_cohorts)
rules.add_perm("training.change_cohort", manages_cohort)
# Sessions, attendance and outcomes: the cohort's managers and its own trainers.
rules.add_perm("training.run_cohort", manages_cohort | teaches_cohort)
# Applications are read by the training readers but trainers, who see their participants only.
rules.add_perm("training.view_applications", reads_training & ~is_trainer & cohort_visible)
rules.add_perm("training.manage_applications", writes_applications & cohort_visible)
