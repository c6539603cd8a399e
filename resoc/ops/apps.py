from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "resoc.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self):
        # Each app declares the personal data it holds in its `personal_data.py` (see retention).
        autodiscover_modules("personal_data")
