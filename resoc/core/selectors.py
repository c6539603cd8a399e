from django.db.models import Q
from django.utils import timezone

from resoc.accounts import roles
from resoc.accounts.models import Role
from resoc.people.selectors import person_list_for_user
from resoc.registry.models import Organisation, ProjectCycle
from resoc.registry.selectors import institution_list_for_user, workshop_list_for_user


def home_counts(*, user) -> list[tuple[str, int, str]]:
    """(label, count, url name) for the home page, each counted inside the user's scope."""
    from django.utils.translation import gettext as _

    counts = [
        (
            _("Institutions"),
            institution_list_for_user(user=user).count(),
            "registry:institution_list",
        ),
        (_("Workshops"), workshop_list_for_user(user=user).count(), "registry:workshop_list"),
        (_("Organisations"), Organisation.objects.count(), "registry:organisation_list"),
        (_("Project cycles"), ProjectCycle.objects.count(), "registry:cycle_list"),
    ]
    if roles.has_role(user, roles.PERSON_READERS):
        counts.append((_("People"), person_list_for_user(user=user).count(), "people:list"))
    from resoc.reentry.selectors import worklists_for_user  # reentry builds on core

    # Officers and commissioners start from their release worklist: a card with what is due.
    if roles.has_role(user, {Role.OFFICER, Role.COMMISSIONER}):
        counts.append(
            (_("Release: to do"), worklists_for_user(user=user).attention, "reentry:index")
        )
    from resoc.grants.selectors import awaiting_my_evaluation
    from resoc.training.selectors import cohort_list_for_user

    if user.has_perm("training.view_training"):
        today = timezone.localdate()
        running = cohort_list_for_user(user=user).filter(
            Q(end__isnull=True) | Q(end__gte=today), start__lte=today
        )
        counts.append((_("Cohorts running"), running.count(), "training:index"))
    if user.has_perm("grants.view_grants"):
        waiting = len(awaiting_my_evaluation(user=user))
        counts.append((_("Applications to score"), waiting, "grants:index"))
    return counts
