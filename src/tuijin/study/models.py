"""Study (SPEC §2.3): collective sessions and who attended them, members' self-study, and the
chapter coverage both feed.

A chapter is covered by a person when they attended a session on it OR logged self-study of it:
the fact is entered once (an attendance list, a log) and used everywhere (the member's progress,
the org's coverage, the scorecard). `Coverage` is that derived fact, one row per person and
chapter with the first date of each source, kept by the actions (`refresh_coverage`) so the
indicators read one small table instead of joining attendance × chapters on every request.

Nothing is hard-deleted: a wrong session or log is withdrawn with a reason and stays in history.
"""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from tuijin.campaigns.models import Chapter
from tuijin.core.evidence import StoredEvidence
from tuijin.core.scope import ScopedQuerySet, ScopedQuerySetMixin
from tuijin.orgs.models import Org, Person

FORMS = ["中心组学习", "支部学习", "专题研讨", "读书班", "宣讲报告", "警示教育", "现场教学", "外出学习"]
SEMINAR = "专题研讨"
# 请进来、走出去: a session that brings a speaker in (a 宣讲报告, or any session by a 党校 expert) and one
# held away from the office (on-site teaching at a base, a visit to learn from another place).
INVITED_FORMS = ["宣讲报告"]
GOING_OUT_FORMS = ["现场教学", "外出学习"]
SPEAKER_CATEGORIES = ["党校专家", "本单位领导", "其他"]
EXPERT = "党校专家"
MEMBER_STATUSES = ["正式党员", "预备党员"]  # whose reading progress is measured (not 群众)


def _choices(values):
    return [(v, v) for v in values]


def _own_person_q(user, field="person"):
    return Q(**{f"{field}_id": user.person_id}) if user.person_id else Q(pk__in=[])


class CurrentQuerySet(ScopedQuerySetMixin, models.QuerySet):
    def current(self):
        return self.filter(withdrawn=False)


class StudySession(models.Model):
    """集体学习: one meeting of an org, with the chapters it covered and who attended."""

    org = models.ForeignKey(Org, verbose_name="组织", on_delete=models.PROTECT, related_name="study_sessions")
    date = models.DateField("日期")
    form = models.CharField("学习形式", max_length=10, choices=_choices(FORMS))
    topic = models.CharField("主题", max_length=200)
    speaker = models.CharField("主讲人", max_length=60, blank=True)
    speaker_affiliation = models.CharField("主讲人单位", max_length=120, blank=True)
    speaker_category = models.CharField("主讲人类别", max_length=10, choices=_choices(SPEAKER_CATEGORIES), blank=True)
    chapters = models.ManyToManyField(
        Chapter, verbose_name="学习篇目", through="SessionChapter", related_name="study_sessions", blank=True
    )
    attendees = models.ManyToManyField(
        Person, verbose_name="参加人员", through="Attendance", related_name="study_sessions", blank=True
    )
    # When attendees are listed, headcount may be left empty (it is then their number); a session
    # recorded without names (a big lecture) gives only the headcount.
    headcount = models.PositiveIntegerField("参加人数", null=True, blank=True)
    hours = models.DecimalField("时长（小时）", max_digits=5, decimal_places=2, null=True, blank=True)
    withdrawn = models.BooleanField("已撤回", default=False)
    withdraw_reason = models.CharField("撤回原因", max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = CurrentQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = verbose_name_plural = "集体学习"
        ordering = ["-date", "-id"]
        constraints = [
            # The natural key of SPEC's import: re-importing a sheet matches, never duplicates.
            models.UniqueConstraint(
                fields=["org", "date", "form", "topic"], condition=Q(withdrawn=False), name="study_session_natural_key"
            ),
        ]
        indexes = [models.Index(fields=["org", "date"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.form}《{self.topic}》"

    @property
    def is_expert_lecture(self) -> bool:
        return self.speaker_category == EXPERT


class SessionChapter(models.Model):
    # db_index=False: the unique (session, chapter) index already serves lookups by session.
    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="chapter_links", db_index=False)
    # PROTECT: a chapter that study records point at cannot silently disappear with them.
    chapter = models.ForeignKey(Chapter, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "chapter"], name="session_chapter_unique")]


class Attendance(models.Model):
    """One person at one session: the row that feeds their study record."""

    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="attendance", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendance")

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "session__org__path"

    class Meta:
        verbose_name = verbose_name_plural = "参加集体学习"
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="attendance_unique")]

    @classmethod
    def scope_member_q(cls, user):
        return _own_person_q(user)


class SelfStudy(models.Model):
    """个人自学: a member read a chapter on a day. Duration is optional and never scored."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.PROTECT, related_name="self_study", db_index=False
    )  # the (person, date) index serves it
    date = models.DateField("日期")
    # No index of its own: only deleting a chapter looks logs up by chapter, and that is rare.
    chapter = models.ForeignKey(
        Chapter, verbose_name="篇目", on_delete=models.PROTECT, related_name="self_study", db_index=False
    )
    minutes = models.PositiveIntegerField("时长（分钟）", null=True, blank=True)
    reflection = models.TextField("学习心得", blank=True)
    withdrawn = models.BooleanField("已撤回", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = CurrentQuerySet.as_manager()
    scope_path_field = "person__org__path"

    class Meta:
        verbose_name = verbose_name_plural = "个人自学"
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "date", "chapter"], condition=Q(withdrawn=False), name="self_study_natural_key"
            ),
        ]
        indexes = [models.Index(fields=["person", "date"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.chapter}"

    @classmethod
    def scope_member_q(cls, user):
        return _own_person_q(user)


class SessionEvidence(StoredEvidence):
    """Minutes and photos of a session: stored by content hash, served only through the scope check."""

    session = models.ForeignKey(StudySession, on_delete=models.PROTECT, related_name="evidence")

    scope_path_field = "session__org__path"

    class Meta:
        verbose_name = verbose_name_plural = "学习记录材料"
        ordering = ["uploaded_at"]


class Coverage(models.Model):
    """Derived: a person has covered a chapter. First date through a session, first through self-study
    (either may be empty). Rebuilt from the sources by actions.refresh_coverage; never edited by hand."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", db_index=False)  # unique index
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="+", db_index=False)
    first_session_on = models.DateField(null=True, blank=True)
    first_self_on = models.DateField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "person__org__path"

    class Meta:
        verbose_name = verbose_name_plural = "篇目学习覆盖（派生）"
        constraints = [models.UniqueConstraint(fields=["person", "chapter"], name="coverage_unique")]

    @classmethod
    def scope_member_q(cls, user):
        return _own_person_q(user)


__all__ = [
    "StudySession",
    "SessionChapter",
    "Attendance",
    "SelfStudy",
    "SessionEvidence",
    "Coverage",
    "FORMS",
    "INVITED_FORMS",
    "GOING_OUT_FORMS",
    "SPEAKER_CATEGORIES",
    "MEMBER_STATUSES",
    "SEMINAR",
    "EXPERT",
]
