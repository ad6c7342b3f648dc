from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "tuijin.rectification"
    verbose_name = "检视整改"

    def ready(self):
        from . import imports, indicators, kinds, texts  # noqa: F401  importer, indicators, `problem` kind, texts
