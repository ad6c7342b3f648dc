from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "tuijin.research"
    verbose_name = "调查研究与办实事"

    def ready(self):
        from . import imports, indicators, kinds, texts  # noqa: F401  indicators, record kinds, loaders, texts
