import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from resoc.accounts.models import Role
from resoc.accounts.services import user_add
from resoc.accounts.tests.factories import PASSWORD, UserFactory
from resoc.accounts.tests.helpers import post_login, totp_code

T0 = datetime.datetime(2025, 5, 5, 10, 0, tzinfo=datetime.UTC)


def logged_in_user(client):
    return client.get(reverse("home")).wsgi_request.user


def test_account_is_locked_for_fifteen_minutes_after_five_failed_attempts(client, donor):
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(5):
            assert post_login(client, "donor", "wrong password!!").status_code == 200
        response = post_login(client, "donor")
        assert response.status_code == 200
        assert "Too many failed login attempts" in response.content.decode()
        assert not logged_in_user(client).is_authenticated

        clock.shift(datetime.timedelta(minutes=14))
        assert post_login(client, "donor").status_code == 200
        assert not logged_in_user(client).is_authenticated

        clock.shift(datetime.timedelta(minutes=1, seconds=1))
        response = post_login(client, "donor")
        assert response.status_code == 302
        assert logged_in_user(client) == donor


def test_failed_attempts_of_one_account_do_not_lock_another(client, donor, procurement):
    for _ in range(5):
        post_login(client, "donor", "wrong password!!")
    assert post_login(client, "procurement").status_code == 302


def test_session_expires_after_thirty_idle_minutes(client, donor):
    with time_machine.travel(T0, tick=False) as clock:
        client.force_login(donor)
        for _ in range(3):  # each request renews the thirty minutes
            clock.shift(datetime.timedelta(minutes=29))
            assert client.get(reverse("home")).status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER, Role.AUDITOR, Role.ADMIN])
@pytest.mark.parametrize("path", ["/", "/audit/", "/people/", "/registry/institutions/"])
def test_personal_data_role_without_totp_must_set_it_up_first(client, role, path):
    client.force_login(UserFactory(role=role, with_totp=False))
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_personal_data_role_without_totp_can_reach_the_setup_after_login(client):
    UserFactory(username="newofficer", role=Role.OFFICER, with_totp=False)
    response = client.get(post_login(client, "newofficer").url, follow=True)
    assert response.redirect_chain[0][0] == reverse("mfa_activate_totp")
    # allauth asks for the password once more before a second factor is added.
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    response = client.post(
        response.redirect_chain[-1][0], {"password": PASSWORD, "next": reverse("mfa_activate_totp")}
    )
    response = client.get(response.url)
    assert response.status_code == 200
    assert "code" in response.context["form"].fields


def test_personal_data_role_without_totp_gets_403_json_from_the_api(client):
    client.force_login(UserFactory(role=Role.OFFICER, with_totp=False))
    response = client.get("/api/schema/")
    assert response.status_code == 403
    assert response.json() == {"detail": "A second factor is required for this account."}


def test_donor_without_totp_is_not_sent_to_set_it_up(client, donor):
    client.force_login(donor)
    assert client.get(reverse("home")).status_code == 200


@time_machine.travel(T0, tick=False)  # the code stays valid between computing and sending it
def test_login_with_totp_takes_two_steps_and_ends_at_home(client, officer_a):
    response = post_login(client, "officer_a")
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert not logged_in_user(client).is_authenticated

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert response.url == reverse("home")
    home = client.get(response.url)
    assert home.status_code == 200
    assert home.wsgi_request.user == officer_a


@time_machine.travel(T0, tick=False)
def test_login_with_a_wrong_totp_code_is_refused(client, officer_a):
    post_login(client, "officer_a")
    wrong = f"{(int(totp_code()) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert not logged_in_user(client).is_authenticated


def test_signup_is_closed(client):
    users = get_user_model().objects.count()
    client.get(reverse("account_signup"))
    client.post(
        reverse("account_signup"),
        {"username": "newcomer", "password1": "a long and unusual passphrase"},
    )
    assert get_user_model().objects.count() == users
    assert not get_user_model().objects.filter(username="newcomer").exists()


@pytest.mark.parametrize("password", ["short1!", "qwerty123456", "784512963074", "anna.smith12"])
def test_weak_passwords_are_rejected(db, password):
    with pytest.raises(ValidationError):
        user_add(username="anna.smith", role=Role.DONOR, password=password)
    assert not get_user_model().objects.filter(username="anna.smith").exists()


def test_strong_password_is_accepted(db):
    user = user_add(username="anna", role=Role.DONOR, password="violet tram oblique 42")
    assert user.check_password("violet tram oblique 42")
