from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "tuijin.evaluation"
    verbose_name = "总结讲评"

    def ready(self):
        from tuijin.core import events

        from . import counters

        events.AFTER_RECORD.append(counters.refresh)
        events.TREE_CHANGED.append(counters.reroll)
