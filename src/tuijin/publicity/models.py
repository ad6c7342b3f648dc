"""Publicity and information reporting (宣传 · 信息报送), SPEC §2.6.

- Submission (信息报送): a piece a unit sends up, optionally answering a Solicitation (约稿). Each
  review step (采用 at a level, 退回 with a reason, 转报 to the level above) is a Review row, so the
  upper level sees the piece in its queue with its whole history. `review_org` is the level whose
  queue the piece is in: empty means "the offices above the unit" (the first review).
- Solicitation (约稿): issued by an office to chosen orgs (SolicitationTarget) with a topic and a
  deadline date, which means "answered by the end of that day, Asia/Shanghai" (see timeliness.py).
- PublicityItem: media coverage (电视/报刊/网络/新媒体) and placements (重点路段/公共场所/单位内部),
  one model because the import template (`publicity`) is one sheet.
- CopyPair (材料雷同): two texts of different units found alike by copies.py; an office confirms or
  dismisses it.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from tuijin.core.scope import ScopedQuerySet
from tuijin.orgs.models import Org

TYPES = ["工作动态", "经验做法", "典型案例", "创新举措"]
LIBRARY_TYPES = ["典型案例", "经验做法"]
LEVELS = ["县", "市", "省", "中央"]
MEDIA = ["电视", "报刊", "网络", "新媒体"]
PLACES = ["重点路段", "公共场所", "单位内部"]
CHANNELS = MEDIA + PLACES
PUBLIC_PLACES = ["重点路段", "公共场所"]


class Status(models.TextChoices):
    PENDING = "待审核", "待审核"
    ADOPTED = "已采用", "已采用"
    RETURNED = "已退回", "已退回"


class Solicitation(models.Model):
    """约稿: an office asks chosen orgs for material on a topic by a deadline."""

    number = models.CharField("约稿编号", max_length=40, unique=True)
    org = models.ForeignKey(Org, verbose_name="发出单位", on_delete=models.PROTECT, related_name="solicitations")
    topic = models.CharField("约稿主题", max_length=200)
    note = models.TextField("约稿要求", blank=True)
    issued_at = models.DateTimeField("发出时间")
    deadline = models.DateField("截止日期")
    targets = models.ManyToManyField(Org, through="SolicitationTarget", related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["targets"])

    objects = ScopedQuerySet.as_manager()
    # The issuing office sees it; so does every target (a unit sees what it was asked for).
    scope_path_field = ("org__path", "solicitationtarget__org__path")

    class Meta:
        verbose_name = verbose_name_plural = "约稿"
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"{self.number} {self.topic}"


class SolicitationTarget(models.Model):
    solicitation = models.ForeignKey(Solicitation, on_delete=models.CASCADE)
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="solicitation_targets")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["solicitation", "org"], name="solicitation_target_once")]


class Submission(models.Model):
    org = models.ForeignKey(Org, verbose_name="报送单位", on_delete=models.PROTECT, related_name="submissions")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", blank=True)
    type = models.CharField(
        "信息类型", max_length=10, choices=[(t, t) for t in TYPES], default="工作动态", db_index=True
    )
    date = models.DateField("报送日期", db_index=True)
    # The moment it was sent (Asia/Shanghai is what deadlines mean); an imported row has only its date.
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    solicitation = models.ForeignKey(
        Solicitation, verbose_name="约稿", null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField("审核状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    review_org = models.ForeignKey(
        Org, verbose_name="审核层级", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Adopted at some level (kept when an upper level later returns a forwarded piece).
    adopted = models.BooleanField("已采用", default=False, db_index=True)
    adopted_level = models.CharField("采用层级", max_length=4, blank=True, choices=[(v, v) for v in LEVELS])
    adopted_on = models.DateField("采用日期", null=True, blank=True)
    quality = models.PositiveSmallIntegerField("质量评分", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=500, blank=True)
    relevance_flagged = models.BooleanField("关联不紧密", default=False, db_index=True)
    relevance_reasons = models.JSONField("关联度提示", default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = verbose_name_plural = "信息报送"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["org", "date"]), models.Index(fields=["org", "status"])]

    def __str__(self):
        return self.title

    @property
    def in_library(self) -> bool:
        return self.adopted and self.type in LIBRARY_TYPES


class Review(models.Model):
    """One step of a submission's review: who, at which level, decided what."""

    ADOPT, RETURN, FORWARD = "采用", "退回", "转报"
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reviews")
    org = models.ForeignKey(Org, verbose_name="审核单位", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField("结果", max_length=4)
    level = models.CharField("采用层级", max_length=4, blank=True)
    quality = models.PositiveSmallIntegerField("质量评分", null=True, blank=True)
    reason = models.CharField("原因或说明", max_length=500, blank=True)
    to_org = models.ForeignKey(
        Org, verbose_name="转报至", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间")

    class Meta:
        ordering = ["at", "id"]


class PublicityItem(models.Model):
    """宣传: a media report (电视/报刊/网络/新媒体) or a placement (重点路段/公共场所/单位内部)."""

    org = models.ForeignKey(Org, verbose_name="组织", on_delete=models.PROTECT, related_name="publicity_items")
    channel = models.CharField("宣传渠道", max_length=10, choices=[(c, c) for c in CHANNELS], db_index=True)
    outlet = models.CharField("媒体或地点", max_length=200, blank=True)
    title = models.CharField("标题或内容", max_length=500)
    date = models.DateField("日期", db_index=True)
    link = models.URLField("链接", max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = verbose_name_plural = "宣传报道与阵地"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["org", "channel"])]

    def __str__(self):
        return f"{self.channel} {self.title[:30]}"

    @property
    def is_media(self) -> bool:
        return self.channel in MEDIA


class Attachment(models.Model):
    """A submission's attachment or a placement's photo: stored by content hash (core.files), never
    overwritten, served only through the scope check."""

    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    item = models.ForeignKey(PublicityItem, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    storage_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = ("submission__org__path", "item__org__path")

    class Meta:
        verbose_name = verbose_name_plural = "宣传附件"
        ordering = ["uploaded_at", "id"]


class CopyStatus(models.TextChoices):
    OPEN = "待核实", "待核实"
    CONFIRMED = "已确认", "已确认"
    DISMISSED = "已排除", "已排除"


class CopyPair(models.Model):
    """材料雷同: text `a` (the earlier) and text `b` (the later, counted as the copy) of two units.

    A text is named by its source (a kind registered in core.texts) and id; the orgs are kept so
    scope and indicators need no join into other apps' tables."""

    source_a = models.CharField(max_length=40)
    id_a = models.PositiveBigIntegerField()
    org_a = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    source_b = models.CharField(max_length=40)
    id_b = models.PositiveBigIntegerField()
    org_b = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="copy_pairs")
    similarity = models.FloatField("相似度")
    found_on = models.DateField("发现日期")
    status = models.CharField(
        "核实结果", max_length=4, choices=CopyStatus.choices, default=CopyStatus.OPEN, db_index=True
    )
    decided_on = models.DateField("核实日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("说明", max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    # Seen by whoever sees the later text's unit; queries also require the earlier one to be in
    # scope before showing its passage.
    scope_path_field = "org_b__path"

    class Meta:
        verbose_name = verbose_name_plural = "材料雷同"
        ordering = ["-similarity", "id"]
        constraints = [models.UniqueConstraint(fields=["source_a", "id_a", "source_b", "id_b"], name="copy_pair_once")]
