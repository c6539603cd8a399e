import re

from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PREFIX = re.compile(r"[A-Z]{1,20}")


def check_prefix(value) -> str:
    if not isinstance(value, str) or not PREFIX.fullmatch(value):
        raise ImproperlyConfigured(
            f"RESOC_CERTIFICATE_PREFIX must be 1 to 20 capital letters A-Z, not {value!r}."
        )
    return value


class CertificatesConfig(AppConfig):
    name = "resoc.certificates"
    label = "certificates"
    verbose_name = _("Certificates")

    def ready(self):
        # At start-up, so that a bad prefix stops the server instead of the first issue.
        check_prefix(settings.RESOC_CERTIFICATE_PREFIX)
