from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError

from resoc.accounts.signals import audit_login_refused


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts are made by an administrator; nobody signs up.
        return False

    def pre_authenticate(self, request, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:  # locked out: the password is not even checked
            audit_login_refused(request, credentials)
            raise
