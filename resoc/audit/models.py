from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One link of the append-only, hash-chained audit trail (see resoc.audit.chain)."""

    at = models.DateTimeField(_("at"), db_index=True)
    # DO_NOTHING: deleting a user must not rewrite (and so break) the entries naming them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    person_ref = models.CharField(_("person reference"), max_length=40, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    # The detail may hold personal values; the chain covers only its digest, so erasing a
    # person's identity later can blank the detail and leave the chain verifiable.
    detail = models.JSONField(_("detail"), null=True, blank=True)
    detail_digest = models.CharField(max_length=64)
    redacted = models.BooleanField(default=False)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor_name", "id"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only.")


class AuditHead(models.Model):
    """The chain's last link; locked while appending so concurrent writers stay in order."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"#{self.last_id} {self.last_hash[:12]}"
