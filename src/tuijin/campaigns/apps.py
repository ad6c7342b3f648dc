from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "tuijin.campaigns"
    verbose_name = "主题教育"

    def ready(self):
        from . import indicators  # noqa: F401  registers the task-completion indicator
