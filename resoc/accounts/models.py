import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Programme manager")
    COORDINATOR = "coordinator", _("Country coordinator")
    OFFICER = "officer", _("Treatment officer")
    TRAINER = "trainer", _("Trainer")
    COMMISSIONER = "commissioner", _("Probation commissioner")
    PROCUREMENT = "procurement", _("Procurement officer")
    GRANTS = "grants", _("Grants officer")
    DONOR = "donor", _("Donor")
    AUDITOR = "auditor", _("Auditor")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.DONOR)
    countries = models.ManyToManyField(
        "registry.Country", blank=True, related_name="+", verbose_name=_("countries")
    )
    institutions = models.ManyToManyField(
        "registry.Institution", blank=True, related_name="+", verbose_name=_("institutions")
    )
    # Names as written on institutions and people's home municipality (matched case-insensitively).
    municipalities = models.JSONField(_("municipalities"), default=list, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def sees_personal_data(self) -> bool:
        return self.role in settings.RESOC_ROLES_WITH_PERSONAL_DATA


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """An API token; only its SHA-256 digest is stored, the token itself is shown once."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="api_token")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def new_raw() -> str:
        return secrets.token_urlsafe(32)
