"""Problem lists and their rectification (SPEC §2.5): 问题清单 → 满意清单."""

import datetime as dt

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from tuijin.core.evidence import StoredEvidence
from tuijin.core.scope import ScopedQuerySet, ScopedQuerySetMixin
from tuijin.orgs.models import Org, Person

SOURCES = ["集体查", "个人纠", "群众评", "上级查", "本级督", "下级提", "上级交办", "调研发现"]
CATEGORIES = ["理论学习", "政治素质", "能力本领", "担当作为", "工作作风", "廉洁自律", "服务群众", "其他"]


class State(models.TextChoices):
    OPEN = "待整改", "待整改"
    IN_PROGRESS = "整改中", "整改中"
    SUBMITTED = "待验收", "待验收"
    CLOSED = "已销号", "已销号"
    RELAPSED = "已反弹", "已反弹"


ACTIVE_STATES = [State.OPEN, State.IN_PROGRESS, State.SUBMITTED, State.RELAPSED]


class ProblemQuerySet(ScopedQuerySetMixin, models.QuerySet):
    def current(self):
        return self.filter(withdrawn=False)

    def overdue(self, as_of: dt.date):
        return self.current().filter(state__in=ACTIVE_STATES, deadline__lt=as_of)


class Problem(models.Model):
    org = models.ForeignKey(Org, verbose_name="责任组织", on_delete=models.PROTECT, related_name="problems")
    # The unit that found it, when a higher level took it over (上下贯通): it keeps seeing its progress.
    origin_org = models.ForeignKey(
        Org, verbose_name="提出单位", null=True, blank=True, on_delete=models.PROTECT, related_name="escalated_problems"
    )
    number = models.CharField("问题编号", max_length=40)
    category = models.CharField("问题类别", max_length=20, default="其他")
    source = models.CharField("问题来源", max_length=10, choices=[(s, s) for s in SOURCES])
    description = models.TextField("问题描述")
    responsible = models.CharField("责任人", max_length=60, blank=True)
    # 个人检视: a leading cadre's own problem (领导干部个人问题清单), in the org's subtree; empty for the
    # unit's problems and for every imported one (the import contract has no column for it).
    owner_person = models.ForeignKey(
        Person,
        verbose_name="领导干部个人检视",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="own_problems",
    )
    deadline = models.DateField("整改时限", null=True, blank=True)
    is_special = models.BooleanField("专项整治", default=False)
    state = models.CharField("整改状态", max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name="交办来源", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # A hand-down parent (上级交办) is rectified by its children, not by itself: it has no state of
    # its own to move through and is not counted again in indicators.
    is_hand_down = models.BooleanField("交办事项", default=False)
    withdrawn = models.BooleanField("已撤回", default=False)
    withdraw_reason = models.CharField("撤回原因", max_length=300, blank=True)
    found_on = models.DateField("发现日期")
    closed_on = models.DateField("销号日期", null=True, blank=True)
    # 就整改抓整改的反面: asked at closing, in one sentence, and shown on the public page.
    change_note = models.CharField("工作中发生了什么变化", max_length=150, blank=True)
    relapses = models.PositiveIntegerField("反弹次数", default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ProblemQuerySet.as_manager()
    scope_path_field = ("org__path", "origin_org__path")

    class Meta:
        verbose_name = verbose_name_plural = "问题"
        constraints = [models.UniqueConstraint(fields=["org", "number"], name="problem_number_unique_in_org")]
        indexes = [models.Index(fields=["org", "state"]), models.Index(fields=["deadline"])]
        ordering = ["-found_on", "-id"]

    def __str__(self):
        return f"{self.number} {self.description[:30]}"

    def is_overdue(self, as_of) -> bool:
        return (
            not self.withdrawn and self.state in ACTIVE_STATES and self.deadline is not None and self.deadline < as_of
        )

    @classmethod
    def scope_extra_q(cls, path: str) -> Q:
        """联合会诊: a problem is visible to its cooperating orgs (and the levels above them)."""
        from tuijin.core.scope import subtree_q

        return Q(pk__in=Cooperation.objects.filter(subtree_q("org__path", path)).values("problem_id"))


class Cooperation(models.Model):
    """联合会诊、同题共答: an org that rectifies a problem together with its lead org (Problem.org),
    with its own measures. The problem is counted once, at the lead org."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="cooperations")
    org = models.ForeignKey(Org, verbose_name="配合单位", on_delete=models.PROTECT, related_name="cooperations")
    added_on = models.DateField("加入日期")

    class Meta:
        verbose_name = verbose_name_plural = "联合整改单位"
        constraints = [models.UniqueConstraint(fields=["problem", "org"], name="cooperation_once_per_org")]


class MeasureKind(models.TextChoices):
    """当下改与长久立: a measure fixes the case now (立行立改) or makes a rule that keeps it fixed (建章立制)."""

    NOW = "立行立改", "立行立改"
    RULE = "建章立制", "建章立制"


class Measure(models.Model):
    """整改措施. A measure with no owner or no deadline is not specific (措施不具体)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="measures")
    # 联合会诊: the cooperating org whose measure this is; empty for the lead org's own.
    org = models.ForeignKey(
        Org, verbose_name="措施单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.CharField("措施", max_length=500)
    kind = models.CharField("措施类型", max_length=4, choices=MeasureKind.choices, default=MeasureKind.NOW)
    owner = models.CharField("责任人", max_length=60, blank=True)
    deadline = models.DateField("完成时限", null=True, blank=True)
    done = models.BooleanField("已完成", default=False)
    done_on = models.DateField("完成日期", null=True, blank=True)
    # 不再需要: a reviewer set the measure aside (with a reason); it no longer holds the problem open.
    set_aside = models.BooleanField("不再需要", default=False)
    set_aside_reason = models.CharField("不再需要的原因", max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = ("problem__org__path", "problem__origin_org__path")

    class Meta:
        verbose_name = verbose_name_plural = "整改措施"
        ordering = ["position", "id"]

    @classmethod
    def scope_extra_q(cls, path: str) -> Q:
        """A joint problem's measures (all orgs') are visible to its cooperating orgs."""
        from tuijin.core.scope import subtree_q

        return Q(problem_id__in=Cooperation.objects.filter(subtree_q("org__path", path)).values("problem_id"))

    @property
    def is_open(self) -> bool:
        """Still to do: not done and not set aside. An open measure keeps its problem from 待验收/已销号."""
        return not self.done and not self.set_aside

    @property
    def status(self) -> str:
        return "已完成" if self.done else "不再需要" if self.set_aside else "推进中"

    @property
    def is_specific(self) -> bool:
        return bool(self.owner) and self.deadline is not None


class Evidence(StoredEvidence):
    """支撑材料: stored by content hash, never overwritten, served only through the scope check."""

    class Kind(models.TextChoices):
        SUPPORT = "支撑材料", "支撑材料"
        PLAN = "整改方案", "整改方案"

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.SUPPORT)

    scope_path_field = ("problem__org__path", "problem__origin_org__path")

    class Meta:
        verbose_name = verbose_name_plural = "支撑材料"
        ordering = ["uploaded_at"]


class Milestone(models.Model):
    """专项整治的节点: a special rectification's plan broken into dated steps with owners, tracked like
    measures — late when not done by its date; an open one keeps the problem from 待验收/已销号."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点", max_length=300)
    due_on = models.DateField("计划完成日期")
    owner = models.CharField("责任人", max_length=60)
    done = models.BooleanField("已完成", default=False)
    done_on = models.DateField("完成日期", null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = ("problem__org__path", "problem__origin_org__path")

    class Meta:
        verbose_name = verbose_name_plural = "专项整治节点"
        ordering = ["due_on", "position", "id"]

    def is_overdue(self, as_of) -> bool:
        return not self.done and self.due_on < as_of


class Recheck(models.Model):
    """回头看: a closed problem re-checked by the reviewing level `due_on` (closed_on + the campaign's
    recheck_days). The reviewer confirms it stayed fixed or reopens it (已反弹); both through actions."""

    class Result(models.TextChoices):
        PENDING = "待回头看", "待回头看"
        CONFIRMED = "已确认", "已确认"
        REOPENED = "已重新打开", "已重新打开"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="rechecks")
    scheduled_on = models.DateField("安排日期")  # the day the problem was closed
    due_on = models.DateField("回头看时限", db_index=True)
    result = models.CharField("结果", max_length=6, choices=Result.choices, default=Result.PENDING, db_index=True)
    done_on = models.DateField("回头看日期", null=True, blank=True)
    done_by = models.ForeignKey("orgs.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField("回头看情况", max_length=500, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = ("problem__org__path", "problem__origin_org__path")

    class Meta:
        verbose_name = verbose_name_plural = "回头看"
        ordering = ["due_on", "id"]

    def is_overdue(self, as_of) -> bool:
        return self.result == self.Result.PENDING and self.due_on < as_of


class SelfCheck(models.Model):
    """举一反三 (对照检视): a problem found by an upper level (上级查) or closed (已销号) in one unit is
    suggested to units of the same sector, kind and level in the same campaign whose lists hold nothing
    similar. The unit answers 已对照，存在 (its own problem, sourced 集体查, is created and linked here) or
    已对照，不存在 (with a note of what it compared)."""

    class Answer(models.TextChoices):
        OPEN = "待对照", "待对照"
        EXISTS = "存在", "已对照，存在"
        ABSENT = "不存在", "已对照，不存在"

    source = models.ForeignKey(Problem, verbose_name="对照的问题", on_delete=models.CASCADE, related_name="self_checks")
    org = models.ForeignKey(Org, verbose_name="对照检视单位", on_delete=models.PROTECT, related_name="self_checks")
    suggested_on = models.DateField("提示日期", db_index=True)
    trigger = models.CharField("提示原因", max_length=10)  # 上级查 or 已销号
    answer = models.CharField("对照结果", max_length=4, choices=Answer.choices, default=Answer.OPEN, db_index=True)
    answered_on = models.DateField("对照日期", null=True, blank=True)
    answered_by = models.ForeignKey("orgs.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField("对照情况", max_length=500, blank=True)
    found_problem = models.OneToOneField(
        Problem,
        verbose_name="查摆出的问题",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="found_by_check",
    )

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = verbose_name_plural = "举一反三对照检视"
        constraints = [models.UniqueConstraint(fields=["source", "org"], name="self_check_once_per_org")]
        ordering = ["suggested_on", "id"]

    def is_stale(self, as_of, days: int) -> bool:
        return self.answer == self.Answer.OPEN and (as_of - self.suggested_on).days > days


class InstitutionRule(models.Model):
    """建章立制: a rule or regulation made, linked to the problems it closes off."""

    org = models.ForeignKey(Org, verbose_name="制定组织", on_delete=models.PROTECT, related_name="institution_rules")
    title = models.CharField("制度名称", max_length=200)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    issued_on = models.DateField("印发日期")
    problems = models.ManyToManyField(Problem, verbose_name="针对问题", related_name="institution_rules", blank=True)
    history = HistoricalRecords(m2m_fields=[problems])

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = verbose_name_plural = "建章立制"
        ordering = ["-issued_on"]


class PublicItem(models.Model):
    """A published item the public rates through a link or QR code (群众评)."""

    token = models.CharField(max_length=32, unique=True)
    # Exactly one of the two: a rectified problem, or the org of a subject a higher app published (a 办实事
    # project: research.Project.publication links to its item, item.project leads back). This layer
    # knows only the org the item belongs to, so it never refers to the app above it.
    problem = models.OneToOneField(Problem, null=True, blank=True, on_delete=models.PROTECT, related_name="publication")
    subject_org = models.ForeignKey(
        Org, verbose_name="所属组织", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("公示标题", max_length=200)
    summary = models.TextField("整改结果")
    active = models.BooleanField(default=True)
    published_at = models.DateTimeField(auto_now_add=True)
    votes = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)  # 满意 + 基本满意, kept by the rating action
    # Votes turned away by the per-address caps (TUIJIN_VOTES_PER_ADDRESS…), shown to the office.
    refused = models.PositiveIntegerField("超限被拒次数", default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = ("problem__org__path", "problem__origin_org__path", "subject_org__path")

    class Meta:
        verbose_name = verbose_name_plural = "群众评价公示"

    @property
    def org(self):
        return self.problem.org if self.problem_id else self.subject_org

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.votes if self.votes else None


class Rating(models.Model):
    class Choice(models.TextChoices):
        SATISFIED = "满意", "满意"
        BASIC = "基本满意", "基本满意"
        UNSATISFIED = "不满意", "不满意"

    item = models.ForeignKey(PublicItem, on_delete=models.CASCADE, related_name="ratings")
    choice = models.CharField(max_length=6, choices=Choice.choices)
    comment = models.CharField(max_length=500, blank=True)
    device = models.CharField(max_length=64)  # hash of the device cookie, never the cookie itself
    ip_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = ("item__problem__org__path", "item__problem__origin_org__path", "item__subject_org__path")

    class Meta:
        verbose_name = verbose_name_plural = "群众评价"
        constraints = [models.UniqueConstraint(fields=["item", "device"], name="one_vote_per_device")]


__all__ = [
    "Problem",
    "Cooperation",
    "Measure",
    "MeasureKind",
    "Milestone",
    "Recheck",
    "SelfCheck",
    "Evidence",
    "InstitutionRule",
    "PublicItem",
    "Rating",
    "State",
    "Q",
]
