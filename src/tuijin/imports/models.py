"""A web import waiting for, or run by, the background worker (the command line imports synchronously)."""

import uuid

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "处理中"
        DONE = "done", "已完成"
        FAILED = "failed", "未写入"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # not guessable: it is in the URL
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("导入类型", max_length=30)
    filename = models.CharField("文件名", max_length=255)
    dry_run = models.BooleanField("只检查", default=False)
    data = models.BinaryField("文件内容", blank=True)  # cleared once the job has run
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField("进度说明", max_length=100, default="排队等待后台任务处理")
    percent = models.PositiveSmallIntegerField("进度", default=0)
    summary = models.CharField("结果", max_length=300, blank=True)
    errors = models.JSONField("错误", default=list, blank=True)
    warnings = models.JSONField("提示", default=list, blank=True)
    created_at = models.DateTimeField("上传时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # A running job's worker touches heartbeat_at while it works; a job left running with an old
    # heartbeat was abandoned (its worker was killed) and `tuijin worker` queues it again, at most
    # MAX_ATTEMPTS times in all (imports/tasks.py).
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    # The uploader put a failed import's item off the home page's work queue.
    dismissed_at = models.DateTimeField("已忽略", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导入任务"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} {self.get_status_display()}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
