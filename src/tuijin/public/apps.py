from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "tuijin.public"
    verbose_name = "群众评价"
