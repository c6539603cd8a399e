import pytest
from allauth.mfa.totp.internal.auth import TOTP

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import PASSWORD, UserFactory
from resoc.core.browser import page, totp_code  # noqa: F401  (the fixture)
from resoc.grants.models import Application, Grant, Visit
from resoc.grants.tests.conftest import PDF, apply, make_call, released
from resoc.registry.tests.factories import country

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

pytestmark = [
    pytest.mark.browser,
    # The data of the migrations (countries) is restored for each test: another transactional
    # test empties the database when it ends.
    pytest.mark.django_db(transaction=True),
]


def current_code() -> str:
    return totp_code(SECRET)


def officer(username):
    user = UserFactory(
        username=username, role=Role.GRANTS, countries=[country("RS")], with_totp=False
    )
    TOTP.activate(user, SECRET)
    return user


def log_in(page, username, then):  # noqa: F811
    page.goto(then)
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.fill("input[name=code]", current_code())
    page.click("button[type=submit]")
    page.wait_for_url(f"**{then}")


def log_out(page):  # noqa: F811
    page.goto("/accounts/logout/")
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/login/**")


def declare_and_score(page, application, scores):  # noqa: F811
    page.click("a:has-text('Declare and score')")
    page.check("input[name=declaration][value=none]")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/grants/applications/{application.code}/score/")
    for field, value in zip(page.locator("main input[type=number]").all(), scores, strict=True):
        field.fill(str(value))
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/grants/applications/{application.code}/")


def test_an_application_is_scored_by_two_evaluators_approved_delivered_and_visited(
    page,  # noqa: F811
    prison_a,
    tmp_path,
    settings,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    milena, eva = officer("milena"), officer("eva")
    from resoc.registry.tests.factories import CycleFactory

    cycle = CycleFactory(code="RESOC-7")
    cycle.countries.set([country("RS")])
    call = make_call(milena, cycle, country("RS"), committee=[milena, eva])
    application = apply(milena, call, released(prison_a, "A-1"))
    handover = tmp_path / "handover.pdf"
    handover.write_bytes(PDF)
    detail = f"/grants/applications/{application.code}/"

    # The first committee member scores.
    log_in(page, "eva", detail)
    assert "eligible" in page.locator("#eligibility h2").inner_text()
    declare_and_score(page, application, (8, 7, 6))
    assert "1 complete evaluation" in page.locator("#evaluation").inner_text()
    log_out(page)

    # The second scores and, as grants officer, approves.
    log_in(page, "milena", detail)
    declare_and_score(page, application, (6, 5, 4))
    assert page.locator("#average").inner_text() == "61.00"  # (71 + 51) / 2
    page.click("a:has-text('Decide')")
    page.check("input[name=decision][value=approved]")
    page.fill("textarea[name=reason]", "Solid plan; within the budget.")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/grants/g/{application.code}/")
    assert page.locator("#status").inner_text() == "Approved"

    # The items are bought and delivered with the signed handover.
    page.click("a:has-text('Record an item bought')")
    page.fill("input[name=description]", "Bread oven")
    page.fill("input[name=quantity]", "1")
    page.fill("input[name=unit_price]", "2800")
    page.fill("input[name=currency]", "EUR")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/grants/g/{application.code}/")
    assert "Bread oven" in page.locator("#items").inner_text()
    page.click("a:has-text('Record the delivery')")
    page.set_input_files("input[name=handover]", str(handover))
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/grants/g/{application.code}/")
    assert page.locator("#status").inner_text() == "Delivered"

    # A monitoring visit finds the business running.
    page.click("a:has-text('Record a visit')")
    page.check("input[name=business_active][value=yes]")
    page.select_option("select[name=revenue_band]", "500-1000")
    page.fill("input[name=jobs_created]", "1")
    page.fill("textarea[name=notes]", "Bakes for two shops.")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/grants/g/{application.code}/")
    assert "Bakes for two shops." in page.locator("#visits").inner_text()

    application = Application.objects.get(pk=application.pk)
    assert (application.decision, application.approved_eur) == ("approved", 3000)
    assert application.evaluations.filter(weighted_score__isnull=False).count() == 2
    grant = Grant.objects.get(application=application)
    assert grant.status == "delivered" and grant.handover.read() == PDF
    visit = Visit.objects.get(grant=grant)
    assert (visit.business_active, visit.jobs_created, visit.visited_by) == (True, 1, milena)
