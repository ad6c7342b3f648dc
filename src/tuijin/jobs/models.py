"""What the scheduled jobs did: one row per job and day, which is also how workers claim the day."""

from django.db import models


class JobRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "运行中"
        OK = "ok", "成功"
        FAILED = "failed", "失败"

    job = models.CharField("任务", max_length=50)
    date = models.DateField("日期")  # the as-of date the job ran for
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RUNNING)
    attempts = models.PositiveIntegerField("尝试次数", default=1)
    started_at = models.DateTimeField("开始时间")  # the worker's clock at the tick that claimed this attempt
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    message = models.TextField("结果", blank=True)
    worker = models.CharField("执行进程", max_length=100, blank=True)
    task_id = models.CharField("队列任务编号", max_length=64, blank=True)  # django-tasks result id

    class Meta:
        verbose_name = verbose_name_plural = "后台任务记录"
        ordering = ["-date", "job"]
        # The unique row is the claim: two workers inserting the same day, only one succeeds.
        constraints = [models.UniqueConstraint(fields=["job", "date"], name="one_job_run_per_day")]

    def __str__(self):
        return f"{self.job} {self.date} {self.get_status_display()}"
