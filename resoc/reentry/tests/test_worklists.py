import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from resoc.reentry.models import ReleasePlan
from resoc.reentry.selectors import scheduled_contact, worklists_for_user
from resoc.reentry.tests.conftest import in_custody, plan_for, released
from resoc.reentry.tests.factories import ActionFactory, FollowUpFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 3, 2)
State = ReleasePlan.State


def refs(rows) -> list[str]:
    return [r.person.ref for r in rows]


def test_officer_sees_releases_and_the_plans_due(prison_a, prison_b, officer_a, commissioner_nis):
    in_custody(prison_a, "SOON", expected=D(2026, 3, 20))  # 18 days, no plan: overdue
    agreed = in_custody(prison_a, "AGREED", expected=D(2026, 3, 30))
    plan_for(agreed, state=State.AGREED, officer_signed_on=TODAY, commissioner_signed_on=TODAY)
    plan_for(in_custody(prison_a, "LATER", expected=D(2026, 5, 20)))  # 79 days, draft: overdue
    in_custody(prison_a, "DUE", expected=D(2026, 7, 15))  # plan due 2026-04-16: due soon
    in_custody(prison_a, "FAR", expected=D(2027, 7, 15))
    in_custody(prison_a, "PAST", expected=D(2026, 2, 1))  # still held after the expected day
    in_custody(prison_b, "ELSEWHERE", expected=D(2026, 3, 20))

    lists = worklists_for_user(user=officer_a, today=TODAY)

    assert refs(lists.releases_30) == ["SOON", "AGREED"]
    assert refs(lists.releases_90) == ["LATER"]
    assert refs(lists.plans_overdue) == ["PAST", "SOON", "LATER"]
    assert refs(lists.plans_due_soon) == ["DUE"]
    assert lists.to_sign == [] and lists.unassigned == []


def test_commissioner_sees_plans_to_sign_actions_and_contacts_due(
    prison_a, officer_a, commissioner_nis, commissioner_bg
):
    waiting = plan_for(
        in_custody(prison_a, "SIGN"),
        commissioner=commissioner_nis,
        state=State.SIGNED_BY_OFFICER,
        officer_signed_on=TODAY,
    )
    ActionFactory(plan=waiting, due_on=TODAY + datetime.timedelta(days=10))
    ActionFactory(plan=waiting, due_on=TODAY + datetime.timedelta(days=40))
    ActionFactory(plan=waiting, due_on=TODAY - datetime.timedelta(days=1), status="done")
    plan_for(
        in_custody(prison_a, "OTHER"),
        destination="Beograd",
        commissioner=commissioner_bg,
        state=State.SIGNED_BY_OFFICER,
        officer_signed_on=TODAY,
    )
    released(prison_a, "MONTH-1", on=D(2026, 2, 10))  # 1 month on 2026-03-10: due
    late = released(prison_a, "MONTH-3", on=D(2025, 11, 20)).person  # 3 months on 2026-02-20
    FollowUpFactory(person=late, date=D(2025, 12, 22))  # covers month 1 only: month 3 overdue
    done = released(prison_a, "DONE", on=D(2025, 12, 1)).person
    FollowUpFactory(person=done, date=D(2026, 2, 25))  # covers month 3 (due 2026-03-01)
    released(prison_a, "OLD", on=D(2022, 1, 1))  # past the schedule
    released(prison_a, "BG", on=D(2026, 2, 10), home="Beograd")

    lists = worklists_for_user(user=commissioner_nis, today=TODAY)

    assert lists.to_sign == [waiting]
    assert [a.due_on for a in lists.actions_due] == [TODAY + datetime.timedelta(days=10)]
    due = {d.person.ref: (d.contact.months, d.contact.overdue) for d in lists.follow_ups}
    assert due == {"MONTH-1": (1, False), "MONTH-3": (3, True)}
    assert [d.person.ref for d in lists.follow_ups] == ["MONTH-3", "MONTH-1"]


def test_the_follow_up_schedule():
    release = D(2025, 1, 31)
    # Nothing yet a month before the first contact; due within 30 days of it; then overdue.
    assert scheduled_contact(release, [], D(2025, 1, 31)) is not None
    assert scheduled_contact(release, [], D(2025, 2, 27)).overdue is False
    assert scheduled_contact(release, [], D(2025, 3, 1)).overdue is True
    # The 1-month window closes 14 days before the 3-month contact: then that one is due.
    assert scheduled_contact(release, [], D(2025, 4, 20)).months == 3
    # A contact in the window covers the point.
    assert scheduled_contact(release, [D(2025, 2, 20)], D(2025, 3, 10)) is None
    assert scheduled_contact(release, [D(2025, 4, 25)], D(2025, 5, 10)) is None
    # The last contact stays due 90 days, then the schedule is over.
    assert scheduled_contact(release, [], D(2027, 2, 27)).months == 24
    assert scheduled_contact(release, [], D(2027, 6, 1)) is None


def test_worklists_run_a_constant_number_of_queries(prison_a, commissioner_nis, officer_a):
    today = timezone.localdate()
    clients = {}
    for user in (commissioner_nis, officer_a):
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)

    def add(count, prefix):
        for n in range(count):
            expected = today + datetime.timedelta(days=20 + n)
            plan = plan_for(
                in_custody(prison_a, f"{prefix}C{n}", expected=expected),
                commissioner=commissioner_nis,
                state=State.SIGNED_BY_OFFICER,
                officer_signed_on=today,
            )
            ActionFactory(plan=plan, due_on=today)
            on = today - datetime.timedelta(days=95)
            person = released(prison_a, f"{prefix}R{n}", on=on).person
            FollowUpFactory(person=person, date=today - datetime.timedelta(days=60))

    def queries() -> dict:
        counts = {}
        for pk, client in clients.items():
            with CaptureQueriesContext(connection) as captured:
                response = client.get(reverse("reentry:index"))
            assert response.status_code == 200
            counts[pk] = len(captured)
        return counts

    add(2, "A")
    queries()  # the first request of a session costs more
    few = queries()
    add(12, "B")
    assert queries() == few
    html = clients[commissioner_nis.pk].get(reverse("reentry:index")).content.decode()
    assert "BR11" in html and "BC11" in html
