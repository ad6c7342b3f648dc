"""Uploaded files: type checked by content, the name's extension on an allowlist that must agree with
the content, macro-carrying Office files refused, names normalised, size-limited, stored by SHA-256.

A file's storage name is derived from its hash, so the same content is stored once and nothing is
ever overwritten with different bytes. Files are served only by views that first pass the scope check.
"""

import hashlib
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError

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
    "application/ofd": ("OFD 版式文件", ".ofd"),
}
CLAIMS = {  # extension -> types whose content may legitimately carry it
    ".pdf": {"application/pdf"},
    ".png": {"image/png"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".gif": {"image/gif"},
    ".webp": {"image/webp"},
    ".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    ".doc": {"application/msword", "application/vnd.ms-works"},
    ".xls": {"application/vnd.ms-excel", "application/msword", "application/vnd.ms-works"},
    ".wps": {"application/msword", "application/vnd.ms-works"},
    ".ofd": {"application/ofd"},
}
# Every other extension is refused, whatever the content: .docm/.xlsm, .hta, .html, .js, .bat, .exe …
NAME_MAX = 100  # characters of a stored file name, extension included
# Office files that carry macros: a VBA project inside an OOXML package or an OLE2 compound file.
_OOXML_MACRO_PARTS = ("vbaproject.bin", "vbadata.xml")
_OLE_MACRO_MARK = "_VBA_PROJECT".encode("utf-16-le")  # the VBA storage of a .doc/.xls (_VBA_PROJECT_CUR)


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
        if "OFD.xml" in names:
            return "application/ofd"
        if any(n.startswith("word/") for n in names):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if any(n.startswith("xl/") for n in names):
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def has_macros(data: bytes) -> bool:
    """Whether an Office file carries a VBA project (macros): such files are refused, whatever the name."""
    if data.startswith(b"PK\x03\x04"):
        try:
            package = zipfile.ZipFile(io.BytesIO(data))
            names = [n.lower() for n in package.namelist()]
            types = package.read("[Content_Types].xml") if "[content_types].xml" in names else b""
        except (zipfile.BadZipFile, KeyError, OSError):
            return False
        return any(n.rsplit("/", 1)[-1] in _OOXML_MACRO_PARTS for n in names) or b"macroEnabled" in types
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _OLE_MACRO_MARK in data
    return False


def clean_name(name: str, *, limit: int = NAME_MAX) -> str:
    """A file name safe to store, show and send back: the last path part, no control, format or bidi
    characters (U+202E would show "报告\u202efdp.exe" as "报告exe.pdf"), no slashes, at most `limit`
    characters with the extension kept."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    name = " ".join(name.split()).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 10:
        stem, ext = name, ""
    ext = f".{ext}" if ext else ""
    return (stem[: max(limit - len(ext), 1)] + ext) if stem else ""


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """The Content-Disposition header for a download whose name may come from user data (an org's name
    can hold "/")."""
    safe = clean_name(filename.replace("/", "_"), limit=150) or "download"
    return f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(safe, safe='')}"


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
    name = clean_name(name)
    shown = name if len(name) <= 40 else name[:30] + "…" + name[-8:]
    if not data:
        raise ActionError(f"文件“{shown}”是空的", field="file")
    if len(data) > limit:
        raise ActionError(
            f"文件“{shown}”太大（{len(data) / 1048576:.1f} MB），上限 {limit / 1048576:.0f} MB", field="file"
        )
    kind = sniff(data)
    ext = Path(name).suffix.lower()
    labels = "、".join(sorted({label for label, _ in ALLOWED.values()}))
    accepted = "、".join(CLAIMS)
    if ext and ext not in CLAIMS:
        raise ActionError(f"文件“{shown}”的扩展名“{ext}”不在允许之列。可以上传的扩展名：{accepted}", field="file")
    if kind is None or (allowed and kind not in allowed):
        claimed = f"，虽然扩展名是“{ext}”" if ext else ""
        raise ActionError(f"文件“{shown}”的内容不是可接受的格式{claimed}。可以上传：{labels}", field="file")
    if ext and kind not in CLAIMS[ext]:
        raise ActionError(
            f"文件“{shown}”的扩展名是“{ext}”，但内容其实是{ALLOWED[kind][0]}，请检查后重新上传", field="file"
        )
    if has_macros(data):
        raise ActionError(
            f"文件“{shown}”含有宏，为安全起见不能上传。请另存为不含宏的文档（.docx、.xlsx 或 PDF）后再上传",
            field="file",
        )
    if not ext:  # a name without extension gets the one its content really has
        name = clean_name((name or "未命名") + ALLOWED[kind][1])
    digest = hashlib.sha256(data).hexdigest()
    storage_name = f"files/{digest[:2]}/{digest}"
    path = Path(settings.MEDIA_ROOT) / storage_name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return StoredFile(name=name, content_type=kind, size=len(data), sha256=digest, storage_name=storage_name)


def uploaded(request: HttpRequest, field: str = "file") -> Any:
    """The file a multipart request carries, read only after the caller's scope check (so an outsider
    learns nothing from the answer). A body that is not valid multipart is a 400, never a 500."""
    try:
        return request.FILES.get(field)
    except MultiPartParserError as exc:
        raise BadRequest("上传的内容无法解析（不是有效的 multipart/form-data），请重新选择文件上传") from exc


def multipart_body(**fields: Any) -> dict:
    """OpenAPI `requestBody` of an upload endpoint that reads its file itself with `uploaded()`."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary", "description": "文件"}, **fields},
                    }
                }
            },
        }
    }


def open_stored(storage_name: str) -> bytes:
    return (Path(settings.MEDIA_ROOT) / storage_name).read_bytes()
