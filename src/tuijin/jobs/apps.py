from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "tuijin.jobs"
    verbose_name = "后台任务"
