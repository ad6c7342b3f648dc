from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "tuijin.jobs"
    verbose_name = "后台任务"

    def ready(self):
        from tuijin.core.panels import Panel, register_panel

        from .queries import snapshot_status

        # The dashboard (evaluation, a lower layer) says when the last snapshot was taken.
        register_panel("dashboard", Panel("jobs/_snapshot_status.html", snapshot_status))
