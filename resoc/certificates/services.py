"""Issuing and revoking certificates. Numbers come from a per-year counter locked for the issue."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from resoc.audit.services import Event, audit_record, audit_record_many
from resoc.certificates.models import Certificate, CertificateYear
from resoc.certificates.selectors import enrollments_due
from resoc.certificates.wording import custody_mentions
from resoc.training.models import Cohort


def certificate_number(year: int, sequence: int) -> str:
    return f"{settings.RESOC_CERTIFICATE_PREFIX}-{year:04d}-{sequence:06d}"


def _next_sequences(year: int, count: int) -> int:
    """Reserve `count` numbers of the year; returns the first. The row stays locked until commit."""
    counter, _ = CertificateYear.objects.select_for_update().get_or_create(year=year)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return first


def cohort_custody_names(cohort: Cohort) -> list[str]:
    """Names that would tell where the course was held: the institution and its town."""
    institution = cohort.institution
    if institution is None:
        return []
    return [institution.name, institution.code, institution.municipality]


def certifying_organisation_name(course) -> str:
    organisation = course.certifying_organisation
    return organisation.name if organisation else settings.RESOC_PROGRAMME_OPERATOR


def _public_description(cohort: Cohort) -> str:
    # The description is published with the badge: left out when it gives the place away.
    description = cohort.course.description.strip()
    if custody_mentions(description, also=cohort_custody_names(cohort)):
        return ""
    return description


@transaction.atomic
def certificates_issue_due(
    *, actor, cohort: Cohort, enrollments=None, on=None
) -> list[Certificate]:
    """A certificate for every completed enrollment of a certified course that has none.

    Running it again issues nothing twice. `enrollments` limits it (e.g. to a user's scope).
    """
    # Concurrent issues for the same cohort wait here instead of both finding the same due list.
    cohort = (
        Cohort.objects.select_for_update(of=("self",))
        .select_related("course__certifying_organisation", "institution")
        .get(pk=cohort.pk)
    )
    due = list(
        enrollments_due(cohort=cohort, enrollments=enrollments)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "pk")
    )
    if not due:
        return []
    on = on or timezone.localdate()
    course = cohort.course
    first = _next_sequences(on.year, len(due))
    organisation = certifying_organisation_name(course)
    description = _public_description(cohort)
    certificates = []
    for offset, enrollment in enumerate(due):
        sequence = first + offset
        end = cohort.end or enrollment.completed_on or on
        certificate = Certificate(
            number=certificate_number(on.year, sequence),
            year=on.year,
            sequence=sequence,
            enrollment=enrollment,
            issued_on=on,
            issued_by=actor if getattr(actor, "pk", None) else None,
            holder_name=enrollment.person.full_name,
            course_title=course.title,
            course_description=description,
            hours=course.hours,
            course_start=min(cohort.start, end),
            course_end=end,
            organisation_name=organisation,
        )
        # Field checks only: uniqueness and constraints would cost a query per certificate, and the
        # database enforces them anyway.
        certificate.full_clean(
            exclude=["enrollment"], validate_unique=False, validate_constraints=False
        )
        certificates.append(certificate)
    Certificate.objects.bulk_create(certificates)
    audit_record_many(
        actor=actor,
        events=[
            Event(
                action="certificate.issued",
                obj=c,
                person_ref=c.enrollment.person.ref,
                detail={"number": c.number, "cohort": cohort.code, "course": course.code},
            )
            for c in certificates
        ],
    )
    return certificates


@transaction.atomic
def certificate_revoke(*, actor, certificate: Certificate, reason: str, on=None) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the revocation.")})
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("enrollment__person", "enrollment__cohort__institution")
        .get(pk=certificate.pk)
    )
    if certificate.revoked:
        raise ValidationError(_("This certificate was revoked already."))
    # The reason is public (the verification page): it must not give the place away either.
    mentions = custody_mentions(reason, also=cohort_custody_names(certificate.enrollment.cohort))
    if mentions:
        raise ValidationError(
            {
                "reason": _(
                    "The reason is shown publicly; leave out what points to custody: %(words)s."
                )
                % {"words": ", ".join(mentions)}
            }
        )
    certificate.revoked_on = on or timezone.localdate()
    certificate.revoked_by = actor if getattr(actor, "pk", None) else None
    certificate.revocation_reason = reason
    certificate.save(update_fields=["revoked_on", "revoked_by", "revocation_reason", "updated_at"])
    audit_record(
        "certificate.revoked",
        actor=actor,
        obj=certificate,
        person_ref=certificate.enrollment.person.ref,
        detail={"number": certificate.number, "reason": reason},
    )
    return certificate


def certificate_verified(*, certificate: Certificate) -> None:
    """A public check of a certificate: who checked is not known, the address is in the entry."""
    audit_record(
        "certificate.verified",
        actor=None,
        obj=certificate,
        person_ref=certificate.enrollment.person.ref,
        detail={"number": certificate.number, "revoked": certificate.revoked},
    )
