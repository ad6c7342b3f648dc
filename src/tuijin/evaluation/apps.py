from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "tuijin.evaluation"
    verbose_name = "总结讲评"

    def ready(self):
        from tuijin.core import derived

        from . import counters

        derived.REFRESHERS.append(counters.refresh)
        derived.TREE_CHANGED.append(counters.reroll)
