import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from resoc.core.models import TimeStamped
from resoc.training.models import Enrollment


def new_code() -> str:
    """The code in the public verification address: 128 random bits, not guessable."""
    return secrets.token_urlsafe(16)


class CertificateYear(models.Model):
    """The last sequence number given in a year; its row lock puts concurrent issues in order."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Certificate(TimeStamped):
    number = models.CharField(_("number"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    code = models.CharField(_("verification code"), max_length=32, unique=True, default=new_code)
    enrollment = models.OneToOneField(
        Enrollment,
        on_delete=models.PROTECT,
        related_name="certificate",
        verbose_name=_("enrollment"),
    )
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    # What the certificate says, as it was on the day of issue: later edits of the person or the
    # course do not change a certificate already in someone's hands.
    holder_name = models.CharField(_("holder"), max_length=201)
    course_title = models.CharField(_("course"), max_length=200)
    course_description = models.TextField(_("course description"), blank=True)
    hours = models.PositiveIntegerField(_("hours"), null=True, blank=True)
    course_start = models.DateField(_("course start"))
    course_end = models.DateField(_("course end"))
    organisation_name = models.CharField(_("certifying organisation"), max_length=200)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)

    class Meta:
        ordering = ["-year", "-sequence"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="one_certificate_number"),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True, revocation_reason="")
                | (Q(revoked_on__isnull=False) & ~Q(revocation_reason="")),
                name="revocation_has_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(course_end__gte=F("course_start")), name="certificate_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def revoked(self) -> bool:
        return self.revoked_on is not None

    @property
    def verify_path(self) -> str:
        return f"/verify/{self.code}/"

    @property
    def verify_url(self) -> str:
        return f"{settings.RESOC_BASE_URL}/verify/{self.code}"
