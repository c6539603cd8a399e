"""The public verification page: no login, not indexable, rate-limited, audited."""

import pytest
from django.urls import reverse

from resoc.accounts.models import Role
from resoc.accounts.tests.factories import UserFactory
from resoc.audit.models import AuditEntry
from resoc.certificates.services import certificate_revoke


def test_anyone_can_check_a_certificate_without_logging_in(client, certificate):
    response = client.get(f"/verify/{certificate.code}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This certificate is valid." in html
    assert "Dragan Kovačević" in html
    assert certificate.number in html
    assert "June 27, 2025" in html and "Feb. 3, 2025" in html
    # With or without the trailing slash: the printed address has none.
    assert client.get(f"/verify/{certificate.code}/").status_code == 200


def test_verification_page_is_not_indexable(client, certificate):
    response = client.get(f"/verify/{certificate.code}")
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex' in response.content.decode()
    badge = client.get(f"/verify/{certificate.code}/badge.json")
    assert "noindex" in badge["X-Robots-Tag"]


def test_revocation_shows_with_its_reason(client, certificate, manager):
    certificate_revoke(actor=manager, certificate=certificate, reason="Issued to the wrong person")
    html = client.get(f"/verify/{certificate.code}").content.decode()
    assert "This certificate has been revoked." in html
    assert "Issued to the wrong person" in html
    assert "is valid" not in html


def test_a_check_is_audited_with_the_address_only(client, certificate):
    client.get(f"/verify/{certificate.code}", REMOTE_ADDR="203.0.113.9")
    entry = AuditEntry.objects.get(action="certificate.verified")
    assert entry.actor_id is None and entry.actor_name == ""
    assert entry.ip == "203.0.113.9"
    assert entry.person_ref == certificate.enrollment.person.ref
    assert entry.detail == {"number": certificate.number, "revoked": False}


def test_unknown_code_is_404_and_not_audited(client, certificate):
    assert client.get("/verify/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404
    assert client.get("/verify/AAAAAAAAAAAAAAAAAAAAAA/badge.json").status_code == 404
    assert not AuditEntry.objects.filter(action="certificate.verified").exists()


def test_checks_are_rate_limited_per_address(client, certificate, settings):
    settings.RESOC_VERIFY_RATE_PER_MINUTE = 3
    for _ in range(3):
        assert (
            client.get("/verify/Guess0000000000000000", REMOTE_ADDR="198.51.100.7").status_code
            == 404
        )
    # Past the limit even a right code is refused: trying codes gains nothing.
    refused = client.get(f"/verify/{certificate.code}", REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 429
    assert client.get(f"/verify/{certificate.code}", REMOTE_ADDR="198.51.100.8").status_code == 200


def test_public_badge_is_json_for_anyone(client, certificate):
    response = client.get(reverse("certificates:verify_badge", args=[certificate.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["credentialSubject"]["achievement"]["name"] == certificate.course_title


def test_staff_without_second_factor_still_reach_the_public_page(client, certificate):
    user = UserFactory(role=Role.OFFICER, with_totp=False)
    client.force_login(user)
    assert client.get(f"/verify/{certificate.code}").status_code == 200


@pytest.mark.parametrize("language", ["sr-latn", "bs", "sq"])
def test_verification_page_offers_the_languages(client, certificate, language):
    html = client.get(f"/verify/{certificate.code}").content.decode()
    assert f'href="?language={language}"' in html
