"""Permissions of the procurement app, for `rules` (autodiscovered)."""

import rules

from resoc.accounts.roles import has_role
from resoc.procurement import roles


@rules.predicate
def reads_tenders(user):
    return has_role(user, roles.TENDER_READERS)


@rules.predicate
def writes_tenders(user):
    return has_role(user, roles.TENDER_WRITERS)


@rules.predicate
def is_evaluator_of(user, tender):
    """The user sits on the tender's committee (any tender, when asked without one)."""
    if not has_role(user, roles.EVALUATOR_ROLES):
        return False
    qs = user.evaluations.all()
    if tender is not None:
        qs = qs.filter(tender=tender)
    return qs.exists()


rules.add_perm("procurement.view_tender", reads_tenders)
rules.add_perm("procurement.change_tender", writes_tenders)
rules.add_perm("procurement.declare_interest", reads_tenders & is_evaluator_of)
