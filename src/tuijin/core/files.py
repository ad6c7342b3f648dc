"""Uploaded files: type checked by content (never by extension), size-limited, stored by SHA-256.

A file's storage name is derived from its hash, so the same content is stored once and nothing is
ever overwritten with different bytes. Files are served only by views that first pass the scope check.
"""
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .errors import ActionError

# type -> (label, extensions a clerk would recognise)
ALLOWED = {
    "application/pdf": ("PDF", ".pdf"),
    "image/png": ("PNG 图片", ".png"),
    "image/jpeg": ("JPEG 图片", ".jpg"),
    "image/gif": ("GIF 图片", ".gif"),
    "image/webp": ("WebP 图片", ".webp"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("Word 文档", ".docx"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("Excel 表格", ".xlsx"),
    "application/msword": ("Word 97-2003 文档", ".doc"),
    "application/vnd.ms-excel": ("Excel 97-2003 表格", ".xls"),
    "application/vnd.ms-works": ("WPS/Office 文档", ".wps"),
}
CLAIMS = {  # extension -> types whose content may legitimately carry it
    ".pdf": {"application/pdf"},
    ".png": {"image/png"}, ".jpg": {"image/jpeg"}, ".jpeg": {"image/jpeg"}, ".gif": {"image/gif"},
    ".webp": {"image/webp"},
    ".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    ".doc": {"application/msword", "application/vnd.ms-works"},
    ".xls": {"application/vnd.ms-excel", "application/msword", "application/vnd.ms-works"},
    ".wps": {"application/msword", "application/vnd.ms-works"},
}


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, or None when not an accepted kind."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: legacy Word/Excel/WPS
        return "application/msword" if b"W\x00o\x00r\x00d" in data[:65536] else "application/vnd.ms-excel"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        if any(n.startswith("word/") for n in names):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if any(n.startswith("xl/") for n in names):
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


@dataclass
class StoredFile:
    name: str
    content_type: str
    size: int
    sha256: str
    storage_name: str


def store(name: str, data: bytes, *, allowed: set[str] | None = None) -> StoredFile:
    """Check and store an upload; raise ActionError with a message for the clerk if refused."""
    limit = settings.TUIJIN_UPLOAD_MAX_BYTES
    if not data:
        raise ActionError(f"文件“{name}”是空的", field="file")
    if len(data) > limit:
        raise ActionError(f"文件“{name}”太大（{len(data) / 1048576:.1f} MB），上限 {limit / 1048576:.0f} MB", field="file")
    kind = sniff(data)
    ext = Path(name).suffix.lower()
    labels = "、".join(sorted({label for label, _ in ALLOWED.values()}))
    if kind is None or (allowed and kind not in allowed):
        claimed = f"，虽然扩展名是“{ext}”" if ext else ""
        raise ActionError(f"文件“{name}”的内容不是可接受的格式{claimed}。可以上传：{labels}", field="file")
    if ext in CLAIMS and kind not in CLAIMS[ext]:
        raise ActionError(f"文件“{name}”的扩展名是“{ext}”，但内容其实是{ALLOWED[kind][0]}，请检查后重新上传", field="file")
    digest = hashlib.sha256(data).hexdigest()
    storage_name = f"files/{digest[:2]}/{digest}"
    path = Path(settings.MEDIA_ROOT) / storage_name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return StoredFile(name=Path(name).name[:200], content_type=kind, size=len(data), sha256=digest,
                      storage_name=storage_name)


def open_stored(storage_name: str) -> bytes:
    return (Path(settings.MEDIA_ROOT) / storage_name).read_bytes()
