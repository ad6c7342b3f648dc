from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tuijin.demo"
    verbose_name = "演示数据"
