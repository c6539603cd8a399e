"""Logins, logouts, failed and refused logins and second-factor changes are in the audit trail."""

import datetime

import time_machine
from allauth.mfa.models import Authenticator
from django.urls import reverse

from resoc.accounts.tests.factories import PASSWORD
from resoc.accounts.tests.helpers import post_login, totp_code
from resoc.audit.models import AuditEntry
from resoc.audit.selectors import audit_verify

T0 = datetime.datetime(2025, 5, 5, 10, 0, tzinfo=datetime.UTC)


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def no_password_anywhere():
    for entry in AuditEntry.objects.all():
        assert PASSWORD not in str(entry.detail)
        assert "wrong password" not in str(entry.detail)


def test_login_and_logout_are_audited_with_the_address(client, donor):
    post_login(client, "donor")
    client.post(reverse("account_logout"), REMOTE_ADDR="10.0.0.7")
    logged_in, logged_out = AuditEntry.objects.order_by("id")
    assert (logged_in.action, logged_in.actor_id, logged_in.ip) == (
        "user.logged_in",
        donor.pk,
        "127.0.0.1",
    )
    assert (logged_in.object_type, logged_in.object_id) == ("accounts.user", str(donor.pk))
    assert (logged_out.action, logged_out.actor_name, logged_out.ip) == (
        "user.logged_out",
        "donor",
        "10.0.0.7",
    )
    assert logged_in.request_id and logged_in.request_id != logged_out.request_id


def test_failed_login_is_audited_with_the_username_and_no_password(client, donor):
    client.post(
        reverse("account_login"),
        {"login": "donor", "password": "wrong password!!"},
        REMOTE_ADDR="192.0.2.1",
    )
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_id, entry.ip) == ("user.login_failed", None, "192.0.2.1")
    assert entry.detail == {"username": "donor"}
    no_password_anywhere()


def test_failed_login_of_an_unknown_name_is_audited(client, db):
    post_login(client, "nobody", "whatever it is")
    assert AuditEntry.objects.get().detail == {"username": "nobody"}


def test_attempts_refused_during_a_lock_out_are_audited(client, donor):
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            post_login(client, "donor", "wrong password!!")
        post_login(client, "donor")
    assert actions() == ["user.login_failed"] * 5 + ["user.login_refused"]
    refused = AuditEntry.objects.get(action="user.login_refused")
    assert refused.detail == {"username": "donor", "reason": "too_many_attempts"}
    no_password_anywhere()


@time_machine.travel(T0, tick=False)
def test_login_with_totp_is_audited_once_after_the_second_step(client, officer_a):
    post_login(client, "officer_a")
    assert actions() == []
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert actions() == ["user.logged_in"]


@time_machine.travel(T0, tick=False)
def test_wrong_totp_code_is_audited(client, officer_a):
    post_login(client, "officer_a")
    wrong = f"{(int(totp_code()) + 1) % 1_000_000:06d}"
    client.post(reverse("mfa_authenticate"), {"code": wrong})
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_id, entry.detail) == (
        "mfa.authentication_failed",
        officer_a.pk,
        {"type": "totp"},
    )


def test_adding_and_removing_an_authenticator_is_audited(client, officer_a, rf):
    from allauth.mfa import signals

    request = rf.get("/", REMOTE_ADDR="10.1.1.1")
    totp = Authenticator.objects.get(user=officer_a)
    signals.authenticator_added.send(
        sender=Authenticator, request=request, user=officer_a, authenticator=totp
    )
    signals.authenticator_removed.send(
        sender=Authenticator, request=request, user=officer_a, authenticator=totp
    )
    added, removed = AuditEntry.objects.order_by("id")
    assert (added.action, added.actor_id, added.ip, added.detail) == (
        "mfa.authenticator_added",
        officer_a.pk,
        "10.1.1.1",
        {"type": "totp"},
    )
    assert removed.action == "mfa.authenticator_removed"


def test_password_change_is_audited(client, donor):
    post_login(client, "donor")
    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "violet tram oblique 42",
            "password2": "violet tram oblique 42",
        },
    )
    assert "user.password_changed" in actions()
    no_password_anywhere()


def test_login_entries_keep_the_chain_verifiable(client, donor):
    post_login(client, "donor", "wrong password!!")
    post_login(client, "donor")
    client.post(reverse("account_logout"))
    assert audit_verify().ok
    assert audit_verify().checked == 3
