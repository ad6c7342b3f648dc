"""Per-org indicator counters and daily snapshots (SPEC §2.8, issue: scorecards must not rescan facts).

`OrgScore` holds, for every org, each indicator's pair over the org's own records (`own`) and over
its whole subtree (`total`), computed at the counter date in `CounterDate`. Actions keep them
current as they write (core.events.record → evaluation.counters.refresh), task completion too; the daily job recomputes
everything for the new date and files the previous totals as a `Snapshot` for trends.
"""

from django.conf import settings
from django.db import models

from tuijin.orgs.models import Org


class CounterDate(models.Model):
    """One row: the as-of date the counters describe. Set by the daily job, never by the clock."""

    as_of = models.DateField()
    # {"t<task pk>": fingerprint of the task's rule and scope} for the tasks the counters hold: a task
    # loaded or changed since the last rebuild is not in the counters (read live until the next one).
    tasks = models.JSONField(default=dict)


class OrgScore(models.Model):
    org = models.OneToOneField(Org, on_delete=models.CASCADE, related_name="score", primary_key=True)
    own = models.JSONField(default=dict)  # {indicator code: [num, den or null]}
    total = models.JSONField(default=dict)
    # Task completion (规定动作), kept like the indicators: the org's own completion of each task that
    # applies to it, {"t<task pk>": [done 0/1, records (per cadre: cadres meeting the bar), required]},
    # and over its subtree, {"t<task pk>": [orgs done, orgs the task applies to]}.
    tasks = models.JSONField(default=dict)
    tasks_total = models.JSONField(default=dict)
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


class BriefingNumber(models.Model):
    """The last 发文字号 serial an org has used in a year. Numbers come only from here, one UPDATE at a
    time (the row lock orders concurrent issues on PostgreSQL, the write lock on SQLite), and only
    ever go up: a discarded draft never held one, and an issued briefing is never deleted."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "通报编号"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="one_briefing_counter_per_org_year")]


class BriefingDoc(models.Model):
    """A briefing from draft to issued (issue 9). `content` is the text as the office edited it:
    {title, addressee, opening, issuer, date_text, sections: [{heading, paragraphs: [{text, basis,
    generated}]}]} — every paragraph keeps the data basis it was written from. `figures` are the
    scorecard figures at as_of (the org's and its units'), kept so the next draft can say what changed
    since; `findings` what the generator's findings API gave, where it exists. Issued: read-only."""

    class Kind(models.TextChoices):
        NOTICE = "notice", "通报"
        OUTLINE = "outline", "讲话提纲"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        ISSUED = "issued", "已签发"
        DISCARDED = "discarded", "已废弃"

    org = models.ForeignKey(Org, verbose_name="发文组织", on_delete=models.PROTECT, related_name="briefings")
    kind = models.CharField("文种", max_length=10, choices=Kind.choices, default=Kind.NOTICE)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    as_of = models.DateField("数据截至")
    content = models.JSONField(default=dict)
    figures = models.JSONField(default=dict)
    findings = models.JSONField(default=list, blank=True)
    baseline = models.JSONField(default=dict, blank=True)  # what the comparison was made with
    year = models.PositiveIntegerField(null=True, blank=True)
    serial = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField("发文字号", max_length=40, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通报"
        ordering = ["-as_of", "-pk"]
        constraints = [models.UniqueConstraint(fields=["org", "year", "serial"], name="briefing_number_unique")]
        indexes = [models.Index(fields=["org", "status", "as_of"])]

    def __str__(self):
        return f"{self.content.get('title', '通报')} {self.number}".strip()

    @property
    def title(self) -> str:
        return self.content.get("title", "")
