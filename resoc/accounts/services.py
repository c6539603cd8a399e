"""Creating users and their API tokens (the operator's `resoc user` command and admin pages)."""

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from resoc.accounts.models import ApiToken, Role, User, token_digest
from resoc.audit.services import audit_record
from resoc.registry.models import Country, Institution


class UserError(ValueError):
    pass


@transaction.atomic
def user_add(
    *,
    username: str,
    role: str,
    password: str,
    countries: list[str] = (),
    institutions: list[str] = (),
    municipalities: list[str] = (),
    actor=None,
) -> User:
    if role not in Role.values:
        raise UserError(f"Unknown role {role!r}; choose one of: {', '.join(Role.values)}.")
    if User.objects.filter(username=username).exists():
        raise UserError(f"A user named {username!r} exists already.")
    country_objs = _lookup(Country, "code", [c.upper() for c in countries], "country")
    institution_objs = _lookup(Institution, "code", list(institutions), "institution")
    user = User(username=username, role=role, municipalities=list(municipalities))
    validate_password(password, user)
    user.set_password(password)
    user.save()
    user.countries.set(country_objs)
    user.institutions.set(institution_objs)
    audit_record(
        "user.created",
        actor=actor,
        obj=user,
        detail={
            "username": username,
            "role": role,
            "countries": sorted(c.code for c in country_objs),
            "institutions": sorted(i.code for i in institution_objs),
            "municipalities": list(municipalities),
        },
    )
    return user


def _lookup(model, field, values, label):
    found = {getattr(o, field): o for o in model.objects.filter(**{f"{field}__in": values})}
    missing = [v for v in values if v not in found]
    if missing:
        raise UserError(f"Unknown {label}: {', '.join(missing)}.")
    return list(found.values())


@transaction.atomic
def user_token_create(*, user: User, actor=None) -> str:
    """A new API token for the user, replacing any earlier one. Returns the token (shown once)."""
    raw = ApiToken.new_raw()
    ApiToken.objects.filter(user=user).delete()
    ApiToken.objects.create(user=user, digest=token_digest(raw), prefix=raw[:8])
    audit_record("user.token_created", actor=actor, obj=user, detail={"prefix": raw[:8]})
    return raw
