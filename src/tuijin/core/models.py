"""Domain events: the who/when/what of every state change, written by actions.

Events form a keyed hash chain (each row's HMAC covers its content and the previous row's hash;
the key is outside the database), and signed checkpoint files outside the database anchor the
chain's head, so editing, re-hashing or deleting rows, the newest included, is detectable by
`core.events.verify()`; the table is append-only by convention: no code path updates or deletes it.
"""

import datetime as dt
import hashlib
import hmac
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class DomainEvent(models.Model):
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
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

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.summary}"

    def canonical_at(self) -> str:
        """The time as hashed: UTC to the millisecond, the precision every copy keeps
        (dumpdata/loaddata and JSON drop microseconds), so a round trip keeps every link."""
        at = self.at.astimezone(dt.UTC)
        return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"

    def content_digest(self, key: bytes | None = None) -> str:
        """HMAC-SHA256 of the event's content and link, keyed with the audit key (settings.TUIJIN_AUDIT_KEY)
        which the database does not hold: whoever can write the tables cannot recompute the chain."""
        payload = json.dumps(
            [
                self.canonical_at(),
                self.actor_id,
                self.actor_label,
                self.verb,
                self.summary,
                self.target_type,
                self.target_id,
                self.org_path,
                self.before,
                self.after,
                self.prev_hash,
            ],
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
            sort_keys=True,
        )
        key = settings.TUIJIN_AUDIT_KEY.encode() if key is None else key
        return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


class ChainHead(models.Model):
    """One row, locked while an event is appended, so concurrent writers never fork the chain."""

    last_hash = models.CharField(max_length=64, blank=True)
