import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from resoc.accounts.tests.factories import PASSWORD

TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # the factory's


def totp_code(secret: str = TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def post_login(client, username: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": username, "password": password})
