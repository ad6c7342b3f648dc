from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "tuijin.publicity"
    verbose_name = "宣传与信息报送"

    def ready(self):
        from . import imports, indicators, kinds, texts  # noqa: F401  register indicators, record kinds, loaders, texts
