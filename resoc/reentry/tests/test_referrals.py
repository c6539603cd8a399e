"""A referral shares only what the person consented to; without consent it is not sent, and a
withdrawn consent stops the sharing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from resoc.audit.models import AuditEntry
from resoc.people.models import Consent
from resoc.people.tests.factories import ConsentFactory
from resoc.reentry import services
from resoc.reentry.models import Referral
from resoc.reentry.selectors import referral_shared_data
from resoc.reentry.tests.conftest import in_custody
from resoc.reentry.tests.factories import AgencyFactory, ReferralFactory

pytestmark = pytest.mark.django_db

D = datetime.date
REFERRAL = Consent.Purpose.REFERRAL


@pytest.fixture
def person(prison_a):
    episode = in_custody(prison_a, "P-1")
    person = episode.person
    person.phone = "+381 60 123"
    person.save()
    return person


@pytest.fixture
def referral(person):
    return ReferralFactory(
        person=person, agency=AgencyFactory(code="CSR"), shared=["name", "contact"]
    )


GIVEN = D(2025, 1, 1)


def consent(person, given=GIVEN, withdrawn=None, purpose=REFERRAL):
    return ConsentFactory(person=person, purpose=purpose, given_on=given, withdrawn_on=withdrawn)


def test_a_referral_without_consent_is_refused(officer_a, referral, person):
    consent(person, purpose=Consent.Purpose.DATA_PROCESSING)  # another purpose does not count
    with pytest.raises(ValidationError, match="no consent to referrals on 2025-03-01"):
        services.referral_send(actor=officer_a, referral=referral, on=D(2025, 3, 1))
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DRAFT


def test_consent_given_later_or_withdrawn_before_does_not_count(officer_a, referral, person):
    consent(person, given=D(2025, 4, 1))
    with pytest.raises(ValidationError, match="no consent"):
        services.referral_send(actor=officer_a, referral=referral, on=D(2025, 3, 1))
    Consent.objects.all().delete()
    consent(person, given=D(2025, 1, 1), withdrawn=D(2025, 2, 1))
    with pytest.raises(ValidationError, match="no consent"):
        services.referral_send(actor=officer_a, referral=referral, on=D(2025, 3, 1))


def test_with_consent_the_referral_is_sent_and_audited(officer_a, referral, person):
    consent(person)
    services.referral_send(actor=officer_a, referral=referral, on=D(2025, 3, 1))

    referral.refresh_from_db()
    assert (referral.status, referral.sent_on) == (Referral.Status.SENT, D(2025, 3, 1))
    entry = AuditEntry.objects.get(action="reentry.referral.sent")
    assert (entry.person_ref, entry.detail["shared"]) == ("P-1", ["name", "contact"])
    with pytest.raises(ValidationError, match="sent already"):
        services.referral_send(actor=officer_a, referral=referral, on=D(2025, 3, 2))


def test_only_the_chosen_data_is_shared_and_only_while_consent_holds(referral, person):
    consent(person, given=D(2025, 1, 1), withdrawn=D(2025, 6, 1))
    shared = referral_shared_data(referral=referral, on=D(2025, 5, 31))
    assert [str(label) for label, _v in shared] == ["Name", "Phone, email and address"]
    assert shared[1][1] == "+381 60 123"
    assert referral_shared_data(referral=referral, on=D(2025, 6, 1)) is None


def test_the_answers_follow_the_sending(officer_a, referral, person):
    with pytest.raises(ValidationError, match="cannot become accepted"):
        services.referral_answer(
            actor=officer_a, referral=referral, status="accepted", on=D(2025, 3, 5)
        )
    consent(person)
    services.referral_send(actor=officer_a, referral=referral, on=D(2025, 3, 1))
    with pytest.raises(ValidationError):
        services.referral_answer(
            actor=officer_a, referral=referral, status="completed", on=D(2025, 3, 5)
        )
    with pytest.raises(ValidationError):
        services.referral_answer(
            actor=officer_a, referral=referral, status="accepted", on=D(2025, 2, 5)
        )
    services.referral_answer(
        actor=officer_a, referral=referral, status="accepted", on=D(2025, 3, 5)
    )
    services.referral_answer(
        actor=officer_a, referral=referral, status="completed", on=D(2025, 5, 5), outcome="Placed"
    )
    referral.refresh_from_db()
    assert (referral.answered_on, referral.completed_on, referral.outcome) == (
        D(2025, 3, 5),
        D(2025, 5, 5),
        "Placed",
    )


def test_a_sent_referral_is_not_changed_any_more(officer_a, referral, person):
    consent(person)
    services.referral_send(actor=officer_a, referral=referral, on=D(2025, 3, 1))
    referral.reason = "other"
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.referral_save(actor=officer_a, referral=referral)


# Pages and API


def test_the_page_refuses_to_send_without_consent_with_the_reason(client_for, officer_a, referral):
    client = client_for(officer_a)
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("reentry:referral_send", args=[referral.pk]), {"on": today}, follow=True
    )
    assert "has no consent to referrals" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "draft"


def test_the_page_shows_shared_data_only_while_consent_holds(
    client_for, officer_a, referral, person
):
    client = client_for(officer_a)
    url = reverse("reentry:referral", args=[referral.pk])
    given = consent(person)
    assert "+381 60 123" in client.get(url).content.decode()
    given.withdrawn_on = timezone.localdate()
    given.save()
    html = client.get(url).content.decode()
    assert "+381 60 123" not in html
    assert "no data is shared" in html


def test_officer_creates_and_sends_a_referral_on_the_page(client_for, officer_a, person):
    agency = AgencyFactory(code="NSZ")
    consent(person)
    client = client_for(officer_a)
    response = client.post(
        reverse("reentry:referral_create", args=["P-1"]),
        {"agency": agency.pk, "domain": "education_work", "reason": "Job", "shared": ["name"]},
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert (referral.created_by, referral.shared, referral.status) == (officer_a, ["name"], "draft")
    client.post(
        reverse("reentry:referral_send", args=[referral.pk]),
        {"on": timezone.localdate().isoformat()},
    )
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_the_api_refuses_to_send_without_consent(api_for, officer_a, referral, person):
    client = api_for(officer_a)
    response = client.post(
        f"/api/v1/referrals/{referral.pk}/send/", {"on": "2025-03-01"}, format="json"
    )
    assert response.status_code == 400
    assert "no consent to referrals" in str(response.json())
    detail = client.get(f"/api/v1/referrals/{referral.pk}/").json()
    assert detail["shared_data"] is None

    consent(person)
    response = client.post(
        f"/api/v1/referrals/{referral.pk}/send/", {"on": "2025-03-01"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "sent"
    assert response.json()["shared_data"] == {
        "Name": person.full_name,
        "Phone, email and address": "+381 60 123",
    }
    answer = client.post(
        f"/api/v1/referrals/{referral.pk}/answer/",
        {"status": "declined", "on": "2025-03-04", "outcome": "Full"},
        format="json",
    )
    assert answer.json()["status"] == "declined"
