from django.utils import timezone
from rest_framework import authentication, exceptions

from resoc.accounts.models import ApiToken, token_digest


class HashedTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <t>`, checked against the stored SHA-256 digest."""

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid token.")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
