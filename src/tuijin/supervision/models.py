"""Supervision (SPEC §2.7): guidance groups' assignments over time, reminder letters (提示函) and
their numbering, inspections, random samples and their checks, interviews (约谈), accountability
(问责), escalation decisions and the in-app inbox.

Org-owned records name their org and read through core/scope.py like every other module.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from tuijin.core.scope import ScopedQuerySet
from tuijin.orgs.models import GuidanceGroup, Org


class GroupAssignment(models.Model):
    """One org assigned to a guidance group for a period: the assignment's history (the group's
    current orgs are `GuidanceGroup.orgs`, which scope reads)."""

    group = models.ForeignKey(
        GuidanceGroup, verbose_name="指导组", on_delete=models.PROTECT, related_name="assignments"
    )
    org = models.ForeignKey(Org, verbose_name="联系单位", on_delete=models.PROTECT, related_name="+")
    start = models.DateField("起始日期")
    end = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "指导组联系单位记录"
        ordering = ["group", "start", "id"]


class GroupLeader(models.Model):
    """The group's leader (组长), chosen by the office among the accounts granted to the group."""

    group = models.OneToOneField(
        GuidanceGroup, verbose_name="指导组", on_delete=models.CASCADE, related_name="leader_record"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="组长", on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "指导组组长"


class LetterCounter(models.Model):
    """The last number an issuer used in a year. Locked by an UPDATE while a letter is numbered, so
    concurrent sends never share a number, and never decremented, so a number is never reused."""

    issuer = models.CharField("发文机关", max_length=120)
    year = models.PositiveIntegerField("年度")
    last = models.PositiveIntegerField("已用到", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "提示函编号"
        constraints = [models.UniqueConstraint(fields=["issuer", "year"], name="letter_counter_unique")]


class LetterState(models.TextChoices):
    DRAFT = "草稿", "草稿"
    SENT = "待反馈", "待反馈"
    ANSWERED = "待审核", "待审核"
    ACCEPTED = "已办结", "已办结"
    WITHDRAWN = "已撤回", "已撤回"


class ReminderLetter(models.Model):
    """提示函: drafted from an org's short boards, edited, numbered and sent with a feedback deadline."""

    org = models.ForeignKey(Org, verbose_name="受函单位", on_delete=models.PROTECT, related_name="reminder_letters")
    group = models.ForeignKey(
        GuidanceGroup, verbose_name="指导组", null=True, blank=True, on_delete=models.PROTECT, related_name="letters"
    )
    issuer = models.CharField("发文机关", max_length=120)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    basis = models.JSONField("数据依据", default=list, blank=True)
    drafted_on = models.DateField("起草日期")
    state = models.CharField(
        "状态", max_length=10, choices=LetterState.choices, default=LetterState.DRAFT, db_index=True
    )
    year = models.PositiveIntegerField("年度", null=True, blank=True)
    seq = models.PositiveIntegerField("序号", null=True, blank=True)
    number = models.CharField("文号", max_length=160, blank=True)
    sent_on = models.DateField("发送日期", null=True, blank=True)
    feedback_due = models.DateField("反馈时限", null=True, blank=True)
    answer = models.TextField("反馈内容", blank=True)
    answered_on = models.DateField("反馈日期", null=True, blank=True)
    review_comment = models.TextField("审核意见", blank=True)
    rounds = models.PositiveIntegerField("反馈轮次", default=0)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="起草人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = verbose_name_plural = "提示函"
        ordering = ["-drafted_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year", "seq"], name="letter_number_unique", condition=Q(seq__isnull=False)
            )
        ]

    def __str__(self):
        return self.number or f"{self.title}（草稿）"

    def is_overdue(self, as_of) -> bool:
        return self.state == LetterState.SENT and self.feedback_due is not None and self.feedback_due < as_of


class LetterEvidence(models.Model):
    letter = models.ForeignKey(ReminderLetter, verbose_name="提示函", on_delete=models.PROTECT, related_name="evidence")
    name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "letter__org__path"

    class Meta:
        verbose_name = verbose_name_plural = "反馈佐证材料"


INSPECTION_KINDS = ["查阅资料", "个别谈话", "随机抽查", "列席会议"]


class Inspection(models.Model):
    """An inspection of an assigned org by a guidance group (or an office above it)."""

    org = models.ForeignKey(Org, verbose_name="被督导单位", on_delete=models.PROTECT, related_name="inspections")
    group = models.ForeignKey(
        GuidanceGroup,
        verbose_name="指导组",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField("方式", max_length=10, choices=[(k, k) for k in INSPECTION_KINDS])
    on = models.DateField("日期")
    inspectors = models.CharField("督导人员", max_length=200)
    findings = models.TextField("发现的问题", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = verbose_name_plural = "督导检查"
        ordering = ["-on", "-id"]

    def __str__(self):
        return f"{self.on} {self.kind} {self.org}"


class InspectionFinding(models.Model):
    """One thing an inspection found; turned into a problem sourced 上级查 in one step."""

    inspection = models.ForeignKey(Inspection, verbose_name="督导检查", on_delete=models.PROTECT, related_name="items")
    text = models.TextField("发现的问题")
    problem = models.OneToOneField(
        "rectification.Problem",
        verbose_name="转入问题",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "inspection__org__path"

    class Meta:
        verbose_name = verbose_name_plural = "督导发现"
        ordering = ["id"]


SAMPLE_KINDS = {"study_session": "集体学习", "problem_closed": "已销号问题", "project_done": "已完成实事项目"}
CHECK_RESULTS = ["属实", "部分属实", "不属实"]


class Sample(models.Model):
    """A random sample of an org's records drawn for checking on site (随机抽查). Reproducible from
    `seed`, `size`, `kind` and the population frozen at `as_of` (`population` keeps the ids drawn from)."""

    org = models.ForeignKey(Org, verbose_name="被抽查单位", on_delete=models.PROTECT, related_name="samples")
    group = models.ForeignKey(
        GuidanceGroup, verbose_name="指导组", null=True, blank=True, on_delete=models.PROTECT, related_name="samples"
    )
    kind = models.CharField("记录类型", max_length=20, choices=list(SAMPLE_KINDS.items()))
    as_of = models.DateField("截至日期")
    seed = models.CharField("随机种子", max_length=40)
    size = models.PositiveIntegerField("样本量")
    population = models.PositiveIntegerField("总体数量")
    drawn = models.JSONField("抽中记录编号", default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="抽取人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = verbose_name_plural = "随机抽查"
        ordering = ["-created_at", "-id"]


class SampleCheck(models.Model):
    """The check of one drawn record. A 不属实 check that is not yet resolved keeps the record out of
    the scorecards (see supervision.exclusions)."""

    sample = models.ForeignKey(Sample, verbose_name="随机抽查", on_delete=models.PROTECT, related_name="checks")
    record_id = models.PositiveBigIntegerField("记录编号")
    result = models.CharField("核查结果", max_length=10, choices=[(r, r) for r in CHECK_RESULTS])
    note = models.TextField("说明", blank=True)
    checked_on = models.DateField("核查日期")
    resolved_on = models.DateField("纠正日期", null=True, blank=True)
    resolution = models.TextField("纠正情况", blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "sample__org__path"

    class Meta:
        verbose_name = verbose_name_plural = "抽查核查结果"
        constraints = [models.UniqueConstraint(fields=["sample", "record_id"], name="one_check_per_drawn_record")]


class Interview(models.Model):
    """约谈: who talked to whom, why, when, and the outcome; linked to the letters and problems behind it.
    Visible to the office and the group, not to the unit (see queries.supervisory)."""

    org = models.ForeignKey(Org, verbose_name="被约谈单位", on_delete=models.PROTECT, related_name="interviews")
    group = models.ForeignKey(
        GuidanceGroup, verbose_name="指导组", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on = models.DateField("日期")
    by = models.CharField("约谈人", max_length=120)
    whom = models.CharField("被约谈人", max_length=120)
    reason = models.TextField("约谈事由")
    outcome = models.TextField("结果", blank=True)
    letters = models.ManyToManyField(ReminderLetter, verbose_name="相关提示函", blank=True, related_name="+")
    problems = models.ManyToManyField("rectification.Problem", verbose_name="相关问题", blank=True, related_name="+")
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = verbose_name_plural = "约谈"
        ordering = ["-on", "-id"]


class Accountability(models.Model):
    """问责: a record of accountability decided for an org (and whom), with its basis."""

    org = models.ForeignKey(Org, verbose_name="被问责单位", on_delete=models.PROTECT, related_name="accountabilities")
    on = models.DateField("日期")
    whom = models.CharField("问责对象", max_length=120)
    measure = models.CharField("问责方式", max_length=120)
    reason = models.TextField("问责事由")
    decided_by = models.CharField("决定机关", max_length=120)
    letters = models.ManyToManyField(ReminderLetter, verbose_name="相关提示函", blank=True, related_name="+")
    problems = models.ManyToManyField("rectification.Problem", verbose_name="相关问题", blank=True, related_name="+")
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = verbose_name_plural = "问责"
        ordering = ["-on", "-id"]


LADDER = ["无需督促", "提醒", "提示函", "约谈", "问责"]


class EscalationDecision(models.Model):
    """What a person decided about the suggested next step for an org, with the reasons shown then."""

    org = models.ForeignKey(Org, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    on = models.DateField("日期")
    suggested = models.CharField("系统建议", max_length=10)
    reasons = models.JSONField("建议理由", default=list)
    decided = models.CharField("决定", max_length=10, choices=[(s, s) for s in LADDER])
    note = models.TextField("说明", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = verbose_name_plural = "督促升级决定"
        ordering = ["-on", "-id"]


class Notification(models.Model):
    """One inbox item for one user. `key` makes the daily job idempotent: the same reminder for the
    same thing on the same day is one row however often the job runs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=200)
    kind = models.CharField("类型", max_length=20)
    text = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=200, blank=True)
    on = models.DateField("日期")
    read = models.BooleanField("已读", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "站内提醒"
        ordering = ["read", "-on", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once")]
