"""A trainer records a session's attendance on a phone: taps, then "All present"."""

import datetime

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import PASSWORD, UserFactory
from resoc.core.browser import phone_page  # noqa: F401  (the fixture)
from resoc.people.tests.test_browser import SECRET, current_code
from resoc.training.models import Attendance, Enrollment
from resoc.training.tests.conftest import in_custody
from resoc.training.tests.factories import CohortFactory, EnrollmentFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = datetime.timedelta(days=1)


def test_a_trainer_records_a_sessions_attendance_on_a_phone(phone_page, prison_a):  # noqa: F811
    from django.utils import timezone

    page = phone_page
    today = timezone.localdate()
    trainer = UserFactory(
        username="vesna", role=Role.TRAINER, institutions=[prison_a], with_totp=False
    )
    TOTP.activate(trainer, SECRET)
    cohort = CohortFactory(
        code="NIS-WELD-NOW",
        institution=prison_a,
        start=today - 7 * DAY,
        end=today + 30 * DAY,
        trainers=[trainer],
    )
    session = SessionFactory(cohort=cohort, date=today)
    absent, excused, present = (
        EnrollmentFactory(
            cohort=cohort,
            person=in_custody(prison_a, ref, person__family_name=name),
            status=Enrollment.Status.ENROLLED,
        )
        for ref, name in (("A-1", "Anić"), ("A-2", "Babić"), ("A-3", "Cvetić"))
    )

    page.goto(f"/training/sessions/{session.pk}/attendance/")
    page.fill("input[name=login]", "vesna")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.fill("input[name=code]", current_code())
    page.click("button[type=submit]")
    page.wait_for_url(f"**/training/sessions/{session.pk}/attendance/")

    assert page.evaluate("window.innerWidth") <= 390
    for e in (absent, excused, present):
        assert page.locator(f"#att-{e.pk}").is_visible()
    choice = page.locator(f"#att-{absent.pk} label.att-absent")
    box = choice.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 80  # a target for a thumb

    choice.tap()
    page.locator(f"#att-{absent.pk} .att-saved").wait_for()
    page.locator(f"#att-{excused.pk} label.att-excused").tap()
    page.locator(f"#att-{excused.pk} .att-saved").wait_for()
    assert Attendance.objects.get(enrollment=absent).status == "absent"  # saved on the tap

    page.get_by_role("button", name="All present").tap()
    page.wait_for_load_state()
    page.locator("text=Attendance saved").wait_for()

    stored = dict(session.attendance.values_list("enrollment__person__ref", "status"))
    assert stored == {"A-1": "absent", "A-2": "excused", "A-3": "present"}
    assert page.locator(f"#att-{present.pk} input[value=present]").is_checked()
    assert page.locator(f"#att-{absent.pk} input[value=absent]").is_checked()
