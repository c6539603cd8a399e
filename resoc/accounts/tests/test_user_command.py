import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIRequestFactory

from resoc.accounts.api_auth import HashedTokenAuthentication
from resoc.accounts.models import ApiToken, Role, User
from resoc.audit.models import AuditEntry

STRONG = "violet tram oblique 42"


def run(*args) -> str:
    out = io.StringIO()
    call_command("user", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def password_stdin(monkeypatch):
    def feed(text):
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return feed


def authenticate(token: str):
    request = APIRequestFactory().get("/api/", HTTP_AUTHORIZATION=f"Token {token}")
    return HashedTokenAuthentication().authenticate(request)


def test_user_add_with_password_from_stdin(db, prison_a, password_stdin):
    password_stdin(STRONG + "\n")
    output = run(
        "add", "ana", "--role", "officer", "--country", "rs", "--institution", prison_a.code,
        "--municipality", "Niš", "--password-stdin",
    )  # fmt: skip
    assert "Created user ana (officer)" in output
    user = User.objects.get(username="ana")
    assert user.role == Role.OFFICER and user.check_password(STRONG)
    assert [c.code for c in user.countries.all()] == ["RS"]
    assert list(user.institutions.all()) == [prison_a]
    assert user.municipalities == ["Niš"]
    created = AuditEntry.objects.get(action="user.created")
    assert created.detail["institutions"] == [prison_a.code]
    assert STRONG not in str(created.detail)


def test_user_add_with_password_from_a_file(db, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text(STRONG + "\n")
    run("add", "bo", "--role", "donor", "--password-file", str(secret))
    assert User.objects.get(username="bo").check_password(STRONG)


def test_user_add_refuses_a_missing_password_file(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read the password file"):
        run("add", "bo", "--role", "donor", "--password-file", str(tmp_path / "none"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "warden"], "invalid choice: 'warden'"),
        (["--role", "coordinator", "--country", "XX"], "Unknown country: XX"),
        (["--role", "officer", "--institution", "NO-SUCH"], "Unknown institution: NO-SUCH"),
    ],
)
def test_user_add_names_an_unknown_role_country_or_institution(db, password_stdin, args, message):
    password_stdin(STRONG + "\n")
    with pytest.raises(CommandError, match=message):
        run("add", "cy", *args, "--password-stdin")
    assert not User.objects.filter(username="cy").exists()


@pytest.mark.parametrize("weak", ["short", "qwerty123456", "12345678901234"])
def test_user_add_rejects_a_weak_password(db, password_stdin, weak):
    password_stdin(weak + "\n")
    with pytest.raises(CommandError, match="Password rejected"):
        run("add", "dee", "--role", "donor", "--password-stdin")
    assert not User.objects.filter(username="dee").exists()


def test_user_add_refuses_an_existing_name(db, donor, password_stdin):
    password_stdin(STRONG + "\n")
    with pytest.raises(CommandError, match="exists already"):
        run("add", "donor", "--role", "donor", "--password-stdin")


def test_user_add_needs_a_password_source(db):
    with pytest.raises(CommandError, match="password"):
        run("add", "eve", "--role", "donor")


def test_user_token_prints_a_token_that_authenticates(donor):
    token = run("token", "donor").strip().splitlines()[-1]
    user, stored = authenticate(token)
    assert user == donor and stored.prefix == token[:8]
    assert ApiToken.objects.get(user=donor).digest != token  # only the digest is kept
    assert AuditEntry.objects.filter(action="user.token_created").exists()


def test_user_token_replaces_the_earlier_token(donor):
    first = run("token", "donor").strip().splitlines()[-1]
    second = run("token", "donor").strip().splitlines()[-1]
    assert authenticate(second)[0] == donor
    with pytest.raises(AuthenticationFailed):
        authenticate(first)


def test_user_token_of_an_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        run("token", "ghost")
