"""Who may read and change equipment. Equipment is not personal data: every role reads it within
its sites (see `selectors.equipment_list_for_user`); few change it."""

import rules

from resoc.accounts import roles
from resoc.accounts.models import Role
from resoc.accounts.rules import is_staff_member

# Readers: every role, within the sites they see.
EQUIPMENT_WRITERS = {Role.ADMIN, Role.MANAGER, Role.PROCUREMENT, Role.COORDINATOR}
# Writers of every site's equipment; a coordinator keeps that of their own countries.
EQUIPMENT_WRITERS_EVERYWHERE = {Role.ADMIN, Role.MANAGER, Role.PROCUREMENT}


@rules.predicate
def writes_equipment(user):
    return roles.has_role(user, EQUIPMENT_WRITERS)


@rules.predicate
def equipment_in_write_scope(user, obj):
    """An item (or a workshop) in the user's countries, or anywhere for the programme's roles."""
    if obj is None or roles.has_role(user, EQUIPMENT_WRITERS_EVERYWHERE):
        return True
    workshop = getattr(obj, "workshop", obj)
    if workshop is None:
        return False
    return user.countries.filter(pk=workshop.institution.country_id).exists()


@rules.predicate
def equipment_in_read_scope(user, obj):
    if obj is None:
        return True
    from resoc.equipment.selectors import equipment_list_for_user

    return equipment_list_for_user(user=user).filter(pk=obj.pk).exists()


rules.add_perm("equipment.view_item", is_staff_member & equipment_in_read_scope)
rules.add_perm("equipment.add_item", writes_equipment)
rules.add_perm("equipment.change_item", writes_equipment & equipment_in_write_scope)
