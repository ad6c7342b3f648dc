"""One evidence model for every module: a file stored by content hash (core/files.py), never
overwritten, served only through the scope check by one view (`core.pages.evidence_download`).

A module's evidence model inherits `StoredEvidence` and adds the foreign key to what it supports
(a problem, a study session, a project) and its `scope_path_field`.
"""

from django.conf import settings
from django.db import models

from .scope import ScopedQuerySet


class StoredEvidence(models.Model):
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    storage_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["uploaded_at"]

    @property
    def is_photo(self) -> bool:
        return self.content_type.startswith("image/")
