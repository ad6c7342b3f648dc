from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "tuijin.study"
    verbose_name = "学习教育"

    def ready(self):
        # Register the indicators, the record kinds for task rules, and the two import loaders.
        from . import imports, indicators, kinds, texts  # noqa: F401
