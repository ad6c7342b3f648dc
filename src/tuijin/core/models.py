"""Domain events: the who/when/what of every state change, written by actions.

Events form a hash chain (each row hashes its content with the previous row's hash), so
editing or deleting a past row is detectable by `verify_chain()`; the table is append-only
by convention: no code path updates or deletes it.
"""
import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class DomainEvent(models.Model):
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    actor_label = models.CharField("操作人", max_length=150)
    verb = models.CharField("动作", max_length=60, db_index=True)
    summary = models.CharField("摘要", max_length=500)
    target_type = models.CharField("对象类型", max_length=60)
    target_id = models.CharField("对象编号", max_length=64, db_index=True)
    org_path = models.CharField("所属组织路径", max_length=255, blank=True, db_index=True)
    before = models.JSONField("修改前", null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField("修改后", null=True, blank=True, encoder=DjangoJSONEncoder)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "操作记录"
        ordering = ["-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.summary}"

    def content_digest(self) -> str:
        payload = json.dumps(
            [self.at.isoformat(), self.actor_id, self.actor_label, self.verb, self.summary,
             self.target_type, self.target_id, self.org_path, self.before, self.after, self.prev_hash],
            cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


class ChainHead(models.Model):
    """One row, locked while an event is appended, so concurrent writers never fork the chain."""

    last_hash = models.CharField(max_length=64, blank=True)
