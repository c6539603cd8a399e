from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "resoc.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self):
        # Each app declares its import kinds in its own `importers` module.
        autodiscover_modules("importers")
