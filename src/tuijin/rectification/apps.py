from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "tuijin.rectification"
    verbose_name = "检视整改"

    def ready(self):
        from tuijin.core import navigation

        from . import home, imports, indicators, kinds, texts  # noqa: F401  importer, indicators, `problem` kind, texts

        navigation.HOME_PANELS.append(home.home_panel)
