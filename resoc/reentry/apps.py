from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReentryConfig(AppConfig):
    name = "resoc.reentry"
    label = "reentry"
    verbose_name = _("Reentry")
