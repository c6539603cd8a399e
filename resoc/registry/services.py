"""Writing the registry: every save is validated and audited."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from resoc.core.services import audited_delete, audited_save
from resoc.registry.models import CycleFunder, ProjectCycle


def registry_save(*, actor, instance):
    return audited_save(actor=actor, instance=instance)


def funder_shares_check(shares: list[Decimal]) -> None:
    """A cycle that has funders must have shares totalling exactly 100 %."""
    total = sum(shares, Decimal("0"))
    if shares and total != Decimal("100"):
        raise ValidationError(
            _("Funder shares must total 100%%; they total %(total)s%%.") % {"total": total}
        )


@transaction.atomic
def cycle_funders_set(*, actor, cycle: ProjectCycle, shares: dict) -> None:
    """Replace a cycle's funders with {organisation: share_percent}."""
    funder_shares_check(list(shares.values()))
    existing = {f.organisation_id: f for f in cycle.funders.all()}
    for organisation, share in shares.items():
        funder = existing.pop(organisation.pk, None) or CycleFunder(
            cycle=cycle, organisation=organisation
        )
        funder.share_percent = share
        audited_save(actor=actor, instance=funder)
    for funder in existing.values():
        audited_delete(actor=actor, instance=funder)
