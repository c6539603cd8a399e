import json
from pathlib import Path

import pytest
from django.conf import settings
from jsonschema import Draft201909Validator, FormatChecker

import resoc.certificates
from resoc.certificates.badge import certificate_badge
from resoc.certificates.services import certificate_revoke

# The official schema and context, copied unchanged from the project's shared standards.
STANDARD = Path(resoc.certificates.__file__).parent / "standards" / "openbadges-3.0"
SHARED = Path(settings.BASE_DIR).parent / "shared" / "standards" / "openbadges-3.0"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads((STANDARD / "achievementcredential.json").read_text())
    return Draft201909Validator(schema, format_checker=FormatChecker())


def test_the_copied_standard_is_the_shared_one():
    if not SHARED.is_dir():
        pytest.skip(f"The shared standards are not beside the repository ({SHARED}).")
    for name in ("achievementcredential.json", "context-3.0.3.json", "example-credential.json"):
        assert (STANDARD / name).read_bytes() == (SHARED / name).read_bytes(), name


def _errors(validator, credential) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(credential)
    ]


def test_the_shared_example_validates(validator):
    # Shows the validator is set up as the standard's note says (a wrong set-up fails here too).
    example = json.loads((STANDARD / "example-credential.json").read_text())
    assert _errors(validator, example) == []


def test_badge_validates_against_the_open_badges_schema(validator, certificate):
    badge = certificate_badge(certificate)
    assert _errors(validator, badge) == []
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["id"].startswith(f"{settings.RESOC_BASE_URL}/verify/{certificate.code}")
    assert badge["issuer"]["name"] == "Tehnička škola Nikola Tesla"
    achievement = badge["credentialSubject"]["achievement"]
    assert achievement["name"] == "Metalwork basics (MIG/MAG welding)"
    assert "120 hours" in achievement["criteria"]["narrative"]
    assert badge["credentialStatus"]["revoked"] is False
    assert "validUntil" not in badge


def test_revoked_badge_says_so_and_still_validates(validator, certificate, manager):
    certificate_revoke(actor=manager, certificate=certificate, reason="Issued by mistake")
    certificate.refresh_from_db()
    badge = certificate_badge(certificate)
    assert _errors(validator, badge) == []
    assert badge["credentialStatus"]["revoked"] is True
    assert badge["credentialStatus"]["revocationReason"] == "Issued by mistake"
    assert badge["validUntil"].startswith(certificate.revoked_on.isoformat())


def test_badge_uses_the_context_the_schema_allows(validator, certificate):
    context = json.loads((STANDARD / "context-3.0.3.json").read_text())
    assert "@context" in context
    assert certificate_badge(certificate)["@context"][1].endswith("context-3.0.3.json")
