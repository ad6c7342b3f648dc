from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "tuijin.rectification"
    verbose_name = "检视整改"

    def ready(self):
        from . import imports, indicators, kinds  # noqa: F401  register the importer, indicators and `problem` kind
