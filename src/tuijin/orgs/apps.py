from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "tuijin.orgs"
    verbose_name = "组织与人员"

    def ready(self):
        from . import kinds  # noqa: F401  registers record kinds for task rules
