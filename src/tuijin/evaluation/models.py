"""Per-org indicator counters and daily snapshots (SPEC §2.8, issue: scorecards must not rescan facts).

`OrgScore` holds, for every org, each indicator's pair over the org's own records (`own`) and over
its whole subtree (`total`), computed at the counter date in `CounterDate`. Actions keep them
current as they write (core.events.record → evaluation.counters.refresh); the daily job recomputes
everything for the new date and files the previous totals as a `Snapshot` for trends.
"""
from django.db import models

from tuijin.orgs.models import Org


class CounterDate(models.Model):
    """One row: the as-of date the counters describe. Set by the daily job, never by the clock."""

    as_of = models.DateField()


class OrgScore(models.Model):
    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="score", primary_key=True)
    own = models.JSONField(default=dict)  # {indicator code: [num, den or null]}
    total = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标计数"


class Snapshot(models.Model):
    date = models.DateField(db_index=True)
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="snapshots")
    total = models.JSONField(default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "每日快照"
        constraints = [models.UniqueConstraint(fields=["date", "org"], name="one_snapshot_per_org_per_day")]
