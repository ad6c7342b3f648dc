from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "tuijin.bench"
    verbose_name = "性能基准"
