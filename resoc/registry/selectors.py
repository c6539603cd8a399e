"""Reading the registry through the user's scope (sites: institutions and workshops)."""

from django.db.models import QuerySet
from django.http import Http404

from resoc.accounts import roles
from resoc.accounts.models import Role
from resoc.registry.models import Institution, Workshop

# Roles whose view of institutions is limited to their own countries or institutions.
_BY_COUNTRY = {Role.COORDINATOR, Role.GRANTS}
_BY_INSTITUTION = {Role.OFFICER}


def institution_list_for_user(*, user) -> QuerySet[Institution]:
    qs = Institution.objects.select_related("country", "administration")
    if not (user and user.is_authenticated):
        return qs.none()
    if user.role in _BY_COUNTRY:
        return qs.filter(country__in=user.countries.values("pk"))
    if user.role in _BY_INSTITUTION:
        return qs.filter(pk__in=user.institutions.values("pk"))
    return qs


def institution_get_for_user(*, user, code: str) -> Institution:
    obj = institution_list_for_user(user=user).filter(code=code).first()
    if obj is None:
        raise Http404
    return obj


def workshop_list_for_user(*, user) -> QuerySet[Workshop]:
    return Workshop.objects.select_related("institution", "institution__country").filter(
        institution__in=institution_list_for_user(user=user).values("pk")
    )


def workshop_get_for_user(*, user, code: str) -> Workshop:
    obj = workshop_list_for_user(user=user).filter(code=code).first()
    if obj is None:
        raise Http404
    return obj


def can_see_sites(user) -> bool:
    return roles.has_role(user, set(Role))
