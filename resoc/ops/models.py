from django.db import models
from django.utils.translation import gettext_lazy as _

from resoc.people.models import Person


class Pseudonymisation(models.Model):
    """That (and when, under which rule) a person's identity was removed. Holds nothing of it."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="pseudonymisation", verbose_name=_("person")
    )
    rule = models.CharField(_("rule"), max_length=40)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("pseudonymisation")
        verbose_name_plural = _("pseudonymisations")

    def __str__(self) -> str:
        return f"{self.person_id} {self.rule}"
