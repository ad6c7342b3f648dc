"""A campaign, its reading list and its deployed tasks (SPEC §2.2)."""

from django.db import models
from simple_history.models import HistoricalRecords

from tuijin.core.calendar import time_progress
from tuijin.orgs.models import Org


# SPEC §4.3: the categories a problem list uses unless the campaign file names its own.
DEFAULT_PROBLEM_CATEGORIES = [
    "理论学习",
    "政治素质",
    "能力本领",
    "担当作为",
    "工作作风",
    "廉洁自律",
    "服务群众",
    "其他",
]
CATEGORY_MAX_LENGTH = 20  # Problem.category's column


def default_problem_categories() -> list[str]:
    return list(DEFAULT_PROBLEM_CATEGORIES)


class Campaign(models.Model):
    name = models.CharField("名称", max_length=200, unique=True)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    root = models.ForeignKey(Org, verbose_name="牵头组织", on_delete=models.PROTECT, related_name="campaigns")
    participants = models.JSONField("参加范围", default=dict, blank=True)
    satisfaction_threshold = models.FloatField("满意度门槛", default=0.9)
    satisfaction_min_votes = models.PositiveIntegerField("最少评价数", default=10)
    lag_threshold = models.FloatField("滞后阈值", default=0.10)
    severe_lag_threshold = models.FloatField("严重滞后阈值", default=0.25)
    # The campaign file's [detectors.CODE] tables: thresholds overriding each detector's defaults
    # (core/detectors.py), e.g. {"collective_over_self": {"min_gap": 0.4}}.
    detectors = models.JSONField("短板检测阈值", default=dict, blank=True)
    problem_categories = models.JSONField("问题类别", default=default_problem_categories)
    # 回头看: days after a problem is closed (销号) when the reviewing level re-checks it
    # (the campaign file's [rectification] recheck_days).
    recheck_days = models.PositiveIntegerField("回头看间隔天数", default=60)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "主题教育"
        ordering = ["-start"]

    def __str__(self):
        return self.name

    def progress(self, as_of) -> float:
        return time_progress(self.start, self.end, as_of)


class ReadingItem(models.Model):
    """A reading item of the campaign. One with a deadline (`due_on`) is a 跟进学习 item (第一议题:
    a newly published important speech, added by the office during the campaign, "两周内学完"): it is
    measured against its own window opens_on..due_on, never against the campaign's time progress, and
    is left out of the campaign-wide reading coverage (study.queries.chapters_of)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reading")
    code = models.CharField("书目编码", max_length=40)
    title = models.CharField("书目", max_length=200)
    position = models.PositiveIntegerField(default=0)
    opens_on = models.DateField("学习开始日期", null=True, blank=True)
    due_on = models.DateField("学习截止日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "指定书目"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="reading_code_unique")]

    def __str__(self):
        return self.title

    @property
    def is_followup(self) -> bool:
        return self.due_on is not None

    def window_share(self, as_of) -> float | None:
        """The elapsed share of the item's own window at as_of (1.0 from the deadline on); None for
        an item of the campaign's list. Day counting as time_progress: the first day counts as one."""
        if self.due_on is None:
            return None
        return time_progress(self.opens_on or self.due_on, self.due_on, as_of)


class Chapter(models.Model):
    item = models.ForeignKey(ReadingItem, on_delete=models.CASCADE, related_name="chapters")
    code = models.CharField("篇目编码", max_length=40)
    title = models.CharField("篇目", max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "篇目"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["item", "code"], name="chapter_code_unique")]

    def __str__(self):
        return f"{self.code} {self.title}"


# Words for the `where` keys of task rules and the unit each counted kind is counted in (rule_text).
WHERE_LABELS = {
    "form": "学习形式",
    "speaker_category": "主讲人类别",
    "status": "政治面貌",
    "state": "整改状态",
    "source": "问题来源",
    "category": "问题类别",
    "is_special": "专项整治",
    "chapter": "篇目",
    "reading": "书目",
    "kind": "组织类别",
}
COUNT_UNITS = {
    "person": "名",
    "problem": "个",
    "study_session": "次",
    "expert_lecture": "次",
    "self_study": "次",
    "study_attendance": "次",
    "research_visit": "次",
    "project": "个",
    "org": "个",
}


class Task(models.Model):
    """A deployed task (规定动作). Completion is computed from module data by its rule, never ticked."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField("任务编码", max_length=40)
    title = models.CharField("任务", max_length=200)
    applies_to = models.JSONField("适用范围", default=dict, blank=True)
    deadline = models.DateField("完成时限")
    rule = models.JSONField("完成规则")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "部署任务"
        ordering = ["deadline", "code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="task_code_unique")]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def rule_text(self) -> str:
        """The completion rule as a sentence, e.g. 本组织集体学习至少 1 次，学习形式为专题研讨 — never field names."""
        from .rules import kinds

        rule = self.rule or {}
        kind = kinds().get(rule.get("count"))
        label = kind.label if kind else rule.get("count", "")

        def value(v):
            if isinstance(v, list):
                return "或".join(value(x) for x in v)
            return {True: "是", False: "否"}.get(v, str(v)) if isinstance(v, bool) else str(v)

        where = "，".join(f"{WHERE_LABELS.get(k, k)}为{value(v)}" for k, v in (rule.get("where") or {}).items())
        who = (
            "每名领导干部"
            if rule.get("per") == "leading_cadre"
            else ("本组织及下级" if rule.get("scope") == "subtree" else "本组织")
        )
        unit = COUNT_UNITS.get(rule.get("count", ""), "项")
        return f"{who}{label}至少 {rule.get('at_least')} {unit}" + (f"，{where}" if where else "")
