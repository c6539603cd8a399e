from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "resoc.core"
    label = "core"
