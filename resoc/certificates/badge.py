"""The certificate as an Open Badges 3.0 `OpenBadgeCredential` (unsigned JSON)."""

import uuid

from django.conf import settings

from resoc.certificates.models import Certificate

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
SCHEMA = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}


def _timestamp(day) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _stable_id(kind: str, key: str) -> str:
    # Opaque but stable, so a wallet groups one issuer's or one course's badges; no code or name
    # of ours (a cohort or course code may name the place) is published.
    return "urn:uuid:" + str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.RESOC_BASE_URL}/{kind}/{key}")
    )


def _of_hours(certificate: Certificate) -> str:
    return f" of {certificate.hours} hours" if certificate.hours else ""


def certificate_badge(certificate: Certificate) -> dict:
    c = certificate
    course_id = c.enrollment.cohort.course_id
    period = f"from {c.course_start.isoformat()} to {c.course_end.isoformat()}"
    description = c.course_description or f"{c.course_title}: a course{_of_hours(c)}."
    issuer = {
        "id": _stable_id("issuers", c.organisation_name),
        "type": ["Profile"],
        "name": c.organisation_name,
        "url": settings.RESOC_BASE_URL,
    }
    credential = {
        "@context": CONTEXT,
        "id": f"{c.verify_url}/badge.json",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Certificate of completion: {c.course_title}",
        "description": f"Certificate {c.number}, issued by {c.organisation_name}.",
        "issuer": issuer,
        "validFrom": _timestamp(c.issued_on),
        "awardedDate": _timestamp(c.issued_on),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": c.holder_name,
                }
            ],
            "activityStartDate": _timestamp(c.course_start),
            "activityEndDate": _timestamp(c.course_end),
            "achievement": {
                "id": _stable_id("achievements", str(course_id)),
                "type": ["Achievement"],
                "achievementType": "CertificateOfCompletion",
                "name": c.course_title,
                "description": description,
                "criteria": {
                    "narrative": (
                        f"Completed the course{_of_hours(c)} {period}, "
                        f"certified by {c.organisation_name}."
                    )
                },
                "inLanguage": "en",
            },
        },
        "credentialSchema": [SCHEMA],
        "credentialStatus": {
            "id": c.verify_url,
            "type": "ResocCertificateStatus",
            "revoked": c.revoked,
        },
    }
    if c.revoked:
        credential["validUntil"] = _timestamp(c.revoked_on)
        credential["credentialStatus"].update(
            revokedOn=c.revoked_on.isoformat(), revocationReason=c.revocation_reason
        )
    return credential
