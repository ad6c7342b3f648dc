from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "tuijin.evaluation"
    verbose_name = "总结讲评"

    def ready(self):
        from tuijin.core import derived, readcache

        from . import counters

        derived.REFRESHERS.append(counters.refresh)
        derived.TREE_CHANGED.append(counters.reroll)
        # The daily job rebuilds the counters and takes the snapshot without recording an event: kept
        # reads (core/readcache.py) hold the counters' row, which every rebuild replaces.
        readcache.VERSION_PARTS.append(counters.rebuild_mark)
