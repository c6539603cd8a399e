import pytest
from allauth.mfa.totp.internal.auth import TOTP

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import PASSWORD, UserFactory
from resoc.core.browser import page, totp_code  # noqa: F401  (the fixture)
from resoc.people.tests.factories import prisoner_at

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

pytestmark = [
    pytest.mark.browser,
    # The data of the migrations (countries) is restored for each test: another transactional
    # test empties the database when it ends.
    pytest.mark.django_db(transaction=True),
]


def current_code() -> str:
    return totp_code(SECRET)


def test_officer_logs_in_with_second_factor_finds_a_person_and_opens_the_record(
    page,  # noqa: F811
    prison_a,
    prison_b,
):
    officer = UserFactory(
        username="jelena", role=Role.OFFICER, institutions=[prison_a], with_totp=False
    )
    TOTP.activate(officer, SECRET)
    marko = prisoner_at(prison_a, person__given_name="Marko", person__family_name="Đorđević")
    other = prisoner_at(prison_b, person__given_name="Marko", person__family_name="Đorić")

    page.goto("/people/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=login]", "jelena")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.fill("input[name=code]", current_code())
    page.click("button[type=submit]")
    page.wait_for_url("**/people/**")

    page.fill("input[name=q]", "marko djor")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state()
    assert page.locator(f"text={marko.ref}").count() >= 1
    assert page.locator(f"text={other.ref}").count() == 0  # another prison's prisoner

    page.click(f"a:has-text('{marko.ref}')")
    page.wait_for_url(f"**/people/{marko.ref}/")
    assert page.locator("h1").inner_text().startswith("Marko Đorđević")
    assert "CI Niš" in page.content()
