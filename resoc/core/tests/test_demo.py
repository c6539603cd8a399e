from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q

from resoc.accounts.models import Role, User
from resoc.accounts.tests.factories import UserFactory
from resoc.core.demo_data import DEMO_PASSWORD, DEMO_PERSONS, DemoError, demo_totp_code
from resoc.people.models import CustodyEpisode, Person
from resoc.people.selectors import person_list_for_user
from resoc.registry.models import Institution

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_mode(settings):
    settings.DEMO = True
    return settings


def run_demo(**options) -> str:
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out, **options)
    return out.getvalue()


def test_demo_loads_once_into_an_empty_database(demo_mode):
    first = run_demo()
    counts = (Institution.objects.count(), Person.objects.count(), User.objects.count())
    second = run_demo()
    assert "Loaded" in first and "not loaded again" in second
    assert counts == (25, DEMO_PERSONS, len(Role.values))
    assert (Institution.objects.count(), Person.objects.count(), User.objects.count()) == counts


def test_demo_prints_how_to_log_in(demo_mode):
    out = run_demo(port=8123)
    assert "http://127.0.0.1:8123/accounts/login/" in out
    assert DEMO_PASSWORD in out
    assert "officer.nis" in out and "--totp" in out


def test_demo_refuses_to_run_outside_demo_or_debug_mode(settings):
    settings.DEMO = False
    settings.DEBUG = False
    with pytest.raises(CommandError, match="RESOC_DEMO"):
        run_demo()
    assert not Institution.objects.exists()


def test_demo_has_one_user_per_role_who_can_log_in(demo_mode):
    run_demo()
    assert sorted(User.objects.values_list("role", flat=True)) == sorted(Role.values)
    for user in User.objects.all():
        assert authenticate(username=user.username, password=DEMO_PASSWORD) == user


def test_roles_that_see_personal_data_have_totp_and_the_others_do_not(demo_mode):
    run_demo()
    with_totp = set(
        Authenticator.objects.filter(type=Authenticator.Type.TOTP).values_list(
            "user__role", flat=True
        )
    )
    assert with_totp == {r for r in Role.values if User(role=r).sees_personal_data}
    assert Role.DONOR not in with_totp and Role.PROCUREMENT not in with_totp


def test_demo_officer_sees_only_the_people_of_ci_nis(demo_mode):
    run_demo()
    officer = User.objects.get(username="officer.nis")
    assert list(officer.institutions.values_list("code", flat=True)) == ["RS-NIS"]
    visible = person_list_for_user(user=officer)
    assert 0 < visible.count() < Person.objects.count()
    open_at_nis = CustodyEpisode.objects.filter(
        Q(released_on__isnull=True, transferred_out_on__isnull=True), institution__code="RS-NIS"
    )
    staff_at_nis = Person.objects.filter(
        staff_positions__institution__code="RS-NIS", staff_positions__ended_on__isnull=True
    )
    for person in visible:
        assert open_at_nis.filter(person=person).exists() or person in staff_at_nis


def test_demo_commissioner_and_coordinator_are_scoped(demo_mode):
    run_demo()
    commissioner = User.objects.get(username="commissioner.nis")
    released = person_list_for_user(user=commissioner)
    assert released.exists()
    assert set(released.values_list("home_municipality", flat=True)) == {"Niš"}
    coordinator = User.objects.get(username="coordinator.rs")
    assert list(coordinator.countries.values_list("code", flat=True)) == ["RS"]
    assert 0 < person_list_for_user(user=coordinator).count() < Person.objects.count()


def test_printed_totp_code_is_accepted_by_allauth(demo_mode):
    run_demo()
    out = StringIO()
    call_command("demo", totp="officer.nis", stdout=out)
    code = out.getvalue().split()[0]
    assert code == demo_totp_code("officer.nis")[0]
    authenticator = Authenticator.objects.get(user__username="officer.nis")
    assert TOTP(authenticator).validate_code(code)


def test_no_code_is_printed_for_a_user_with_a_real_secret(demo_mode):
    user = UserFactory(username="real", with_totp=False)
    TOTP.activate(user, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    with pytest.raises(DemoError):
        demo_totp_code("real")
    with pytest.raises(CommandError, match="no authenticator"):
        call_command("demo", totp="nobody", stdout=StringIO())


def test_demo_has_certificates_of_ended_cohorts_that_anyone_can_verify(demo_mode, client):
    from resoc.certificates.models import Certificate

    run_demo()
    certificates = Certificate.objects.select_related("enrollment__cohort")
    assert certificates.exists()
    assert all(c.issued_on == c.enrollment.cohort.end for c in certificates)
    first = certificates.first()
    assert client.get(first.verify_path).status_code == 200
