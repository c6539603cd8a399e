"""Logins, logouts, failed logins and second-factor changes go to the audit trail."""

from allauth.account.signals import password_changed
from allauth.mfa import signals as mfa_signals
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from resoc.audit import context
from resoc.audit.services import audit_record


def _record(action, *, request, user=None, obj=None, detail=None):
    with context.from_request(request):
        audit_record(action, actor=user, obj=obj, detail=detail)


def attempted_username(credentials) -> str:
    """The name typed in; never anything else of the credentials (the password)."""
    return str((credentials or {}).get("username") or "")[:150]


@receiver(user_logged_in, dispatch_uid="resoc_audit_logged_in")
def on_logged_in(sender, request, user, **kwargs):
    _record("user.logged_in", request=request, user=user, obj=user)


@receiver(user_logged_out, dispatch_uid="resoc_audit_logged_out")
def on_logged_out(sender, request, user, **kwargs):
    if user is not None and user.is_authenticated:
        _record("user.logged_out", request=request, user=user, obj=user)


@receiver(user_login_failed, dispatch_uid="resoc_audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    detail = {"username": attempted_username(credentials)}
    _record("user.login_failed", request=request, detail=detail)


def audit_login_refused(request, credentials) -> None:
    """An attempt refused without checking the password: the account is locked out."""
    detail = {"username": attempted_username(credentials), "reason": "too_many_attempts"}
    _record("user.login_refused", request=request, detail=detail)


@receiver(password_changed, dispatch_uid="resoc_audit_password_changed")
def on_password_changed(sender, request, user, **kwargs):
    _record("user.password_changed", request=request, user=user, obj=user)


def _on_authenticator(action):
    def handler(sender, request, user, authenticator, **kwargs):
        # The user's account is the object: a removed authenticator has no id any more.
        detail = {"type": authenticator.type}
        _record(action, request=request, user=user, obj=user, detail=detail)

    return handler


MFA_EVENTS = {
    mfa_signals.authenticator_added: "mfa.authenticator_added",
    mfa_signals.authenticator_removed: "mfa.authenticator_removed",
    mfa_signals.authenticator_reset: "mfa.authenticator_reset",
    mfa_signals.authentication_failed: "mfa.authentication_failed",
}
for signal, action in MFA_EVENTS.items():
    signal.connect(_on_authenticator(action), weak=False, dispatch_uid=f"resoc_audit_{action}")
