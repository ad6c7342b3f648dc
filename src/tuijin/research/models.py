"""Research visits (调查研究) and practical projects (办实事项目清单), SPEC §2.4.

A visit's findings can be converted into the rectification module's problems or measures
(成果转化); the link is kept on the finding. A project's 疑似泛化 flag and its reasons are computed
by genericness.check() and stored by the actions, so offices can filter on them.
"""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from tuijin.core.evidence import StoredEvidence
from tuijin.core.scope import ScopedQuerySet, ScopedQuerySetMixin
from tuijin.orgs.models import Org, Person

# 急难愁盼 categories; 其他 catches what the list does not name.
NEED_CATEGORIES = [
    "就业",
    "教育",
    "医疗",
    "养老",
    "托育",
    "住房",
    "交通",
    "饮水",
    "环境",
    "安全",
    "助残",
    "便民服务",
    "其他",
]


class ProjectStatus(models.TextChoices):
    NOT_STARTED = "未开始", "未开始"
    IN_PROGRESS = "推进中", "推进中"
    DONE = "已完成", "已完成"


class VisitQuerySet(ScopedQuerySetMixin, models.QuerySet):
    pass


class ResearchVisit(models.Model):
    """调研: who went (usually a leading cadre), when, where, on what, and what was found."""

    person = models.ForeignKey(Person, verbose_name="调研人", on_delete=models.PROTECT, related_name="research_visits")
    # The person's org when the visit was recorded: the visit stays with it if the person moves.
    org = models.ForeignKey(Org, verbose_name="所属组织", on_delete=models.PROTECT, related_name="research_visits")
    date = models.DateField("调研日期", db_index=True)
    place = models.CharField("调研地点", max_length=200, blank=True)
    visited_org = models.ForeignKey(
        Org, verbose_name="调研单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField("调研主题", max_length=200)
    outcome = models.TextField("调研成果", blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = VisitQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = verbose_name_plural = "调研"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["org", "date"]), models.Index(fields=["person", "date"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.topic}"

    @classmethod
    def scope_member_q(cls, user):
        return Q(person_id=user.person_id) if user.person_id else Q(pk__in=[])


class Finding(models.Model):
    """发现问题: one item of a visit's findings, and what it became (成果转化).

    Converted to a problem: converted_problem is that problem. Converted to a measure: the measure,
    and its problem too, so the link survives if a later problem-list import drops the measure."""

    visit = models.ForeignKey(ResearchVisit, on_delete=models.CASCADE, related_name="findings")
    text = models.CharField("发现问题", max_length=500)
    position = models.PositiveIntegerField(default=0)
    converted_problem = models.ForeignKey(
        "rectification.Problem",
        verbose_name="转化为问题",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="research_findings",
    )
    converted_measure = models.ForeignKey(
        "rectification.Measure",
        verbose_name="转化为措施",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="research_findings",
    )
    converted_on = models.DateField("转化日期", null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "visit__org__path"

    class Meta:
        verbose_name = verbose_name_plural = "调研发现"
        ordering = ["position", "id"]

    def __str__(self):
        return self.text[:40]

    @classmethod
    def scope_member_q(cls, user):
        return Q(visit__person_id=user.person_id) if user.person_id else Q(pk__in=[])

    @property
    def converted(self) -> bool:
        return self.converted_problem_id is not None or self.converted_measure_id is not None

    @property
    def conversion_label(self) -> str:
        if self.converted_measure_id:
            return "已转化为措施"
        if self.converted_problem_id:
            return "已转化为问题"
        return "未转化"


class ProjectQuerySet(ScopedQuerySetMixin, models.QuerySet):
    pass


class Project(models.Model):
    """办实事项目: one item of an org's practical-projects list. (org, name) is its natural key."""

    org = models.ForeignKey(Org, verbose_name="责任组织", on_delete=models.PROTECT, related_name="projects")
    name = models.CharField("项目名称", max_length=200)
    need = models.TextField("群众需求", blank=True)
    need_category = models.CharField("所属领域", max_length=10, blank=True, choices=[(c, c) for c in NEED_CATEGORIES])
    beneficiaries = models.PositiveIntegerField("受益人数", null=True, blank=True)
    deadline = models.DateField("计划完成时间", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.NOT_STARTED, db_index=True
    )
    listed_on = models.DateField("列入清单日期")
    completed_on = models.DateField("完成日期", null=True, blank=True)
    flagged = models.BooleanField("疑似泛化", default=False, db_index=True)
    flag_reasons = models.JSONField("疑似泛化原因", default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    # 群众评: the item the public rates the finished project through (rectification.PublicItem, set by
    # actions.publish_project). The link lives here, in the higher app, so rectification needs no research.
    publication = models.OneToOneField(
        "rectification.PublicItem",
        verbose_name="群众评价公示",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="project",
    )
    history = HistoricalRecords()

    objects = ProjectQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = verbose_name_plural = "办实事项目"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="project_name_unique_in_org")]
        indexes = [models.Index(fields=["org", "status"]), models.Index(fields=["org", "flagged"])]

    def __str__(self):
        return self.name

    def is_overdue(self, as_of) -> bool:
        return self.status != ProjectStatus.DONE and self.deadline is not None and self.deadline < as_of


class ProjectEvidence(StoredEvidence):
    """佐证材料: stored by content hash (core.files), never overwritten, served only through the scope check."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="evidence")

    scope_path_field = "project__org__path"

    class Meta:
        verbose_name = verbose_name_plural = "办实事佐证材料"
        ordering = ["uploaded_at", "id"]
