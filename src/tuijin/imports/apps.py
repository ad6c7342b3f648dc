from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "tuijin.imports"
    verbose_name = "导入导出"

    def ready(self):
        from . import orgs  # noqa: F401  registers the orgs and people loaders
