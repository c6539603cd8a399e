from django.conf import settings

from resoc.accounts import roles
from resoc.ops.rules import ACCESS_EXPORTERS


def navigation(request):
    user = getattr(request, "user", None)
    return {
        "can_see_people": roles.has_role(user, roles.PERSON_READERS),
        "can_import": roles.has_role(user, roles.IMPORTERS),
        "can_see_audit": roles.has_role(user, roles.AUDIT_READERS),
        "can_manage_users": roles.has_role(user, roles.USER_ADMINS),
        "can_export_person_data": roles.has_role(user, ACCESS_EXPORTERS),
        "LANGUAGES": settings.LANGUAGES,
    }
