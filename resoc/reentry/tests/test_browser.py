"""An officer drafts a release plan, the commissioner signs it off, a follow-up is recorded."""

import datetime

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import PASSWORD, UserFactory
from resoc.core.browser import page, totp_code  # noqa: F401  (the fixture)
from resoc.people.services import custody_release
from resoc.reentry.models import FollowUp, ReleasePlan
from resoc.reentry.tests.conftest import in_custody

OFFICER_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
COMMISSIONER_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code(secret: str) -> str:
    return totp_code(secret)


def log_in(page, username, secret, next_url):  # noqa: F811
    page.goto(next_url)
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.fill("input[name=code]", code(secret))
    page.click("button[type=submit]")
    page.wait_for_url(f"**{next_url}")


def log_out(page):  # noqa: F811
    page.goto("/accounts/logout/")
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/login/**")


def test_officer_drafts_a_plan_the_commissioner_signs_it_and_follows_up(
    page,  # noqa: F811
    prison_a,
):
    officer = UserFactory(
        username="jelena", role=Role.OFFICER, institutions=[prison_a], with_totp=False
    )
    TOTP.activate(officer, OFFICER_SECRET)
    commissioner = UserFactory(
        username="milan", role=Role.COMMISSIONER, municipalities=["Niš"], with_totp=False
    )
    TOTP.activate(commissioner, COMMISSIONER_SECRET)
    today = timezone.localdate()
    episode = in_custody(prison_a, "P-7", expected=today + datetime.timedelta(days=40))
    person = episode.person

    # The officer finds the prisoner on the worklist and drafts the plan.
    log_in(page, "jelena", OFFICER_SECRET, "/reentry/")
    page.click(f"a:has-text('{person.full_name}') >> nth=0")
    page.wait_for_url("**/reentry/people/P-7/")
    page.click("text=Draft the release plan")
    page.wait_for_url("**/plans/new/")
    assert page.input_value("input[name=destination]") == "Niš"
    page.fill("textarea[name=goal_accommodation]", "Back to the family flat")
    page.fill("textarea[name=goal_education_work]", "Work in a bakery")
    page.click("main button[type=submit]")
    page.wait_for_url("**/reentry/plans/*/")
    assert "milan" in page.content()  # the commissioner of the destination
    page.click("text=Sign as treatment officer")
    page.wait_for_load_state()
    assert "Signed by the treatment officer" in page.locator(".toolbar .badge").inner_text()
    log_out(page)

    # The commissioner finds the plan waiting and signs it off.
    log_in(page, "milan", COMMISSIONER_SECRET, "/reentry/")
    assert page.locator("text=Plans awaiting your sign-off").count() == 1
    page.click(f"section:has-text('Plans awaiting your sign-off') a:has-text('{person.full_name}')")
    page.wait_for_url("**/reentry/plans/*/")
    page.click("text=Sign as commissioner")
    page.wait_for_load_state()
    assert "Agreed with the commissioner" in page.locator(".toolbar .badge").inner_text()
    plan = ReleasePlan.objects.get()
    assert (plan.state, plan.officer_signed_by, plan.commissioner_signed_by) == (
        "agreed",
        officer,
        commissioner,
    )

    # After the release the commissioner records a contact.
    custody_release(actor=officer, person=person, on=today)
    page.goto("/reentry/people/P-7/")
    page.click("text=Record a contact")
    page.wait_for_url("**/follow-ups/new/")
    page.select_option("select[name=mode]", "visit")
    page.select_option("select[name=employment]", "employed")
    page.select_option("select[name=housing]", "stable")
    page.click("main button[type=submit]")
    page.wait_for_url("**/reentry/people/P-7/")
    assert "Employed" in page.content()
    contact = FollowUp.objects.get()
    assert (contact.date, contact.contacted_by, contact.employment) == (
        today,
        commissioner,
        "employed",
    )
