"""Uploads (issue 12, finding 8): the extension is on an allowlist and agrees with the content, macros are
refused, names are normalised, and a 600-character name is a stored file, not an HTTP 500."""

import io
import zipfile

import pytest

from tuijin.core import files
from tuijin.core.errors import ActionError
from tuijin.rectification import actions
from tuijin.rectification.models import Evidence

from tests.rectification.conftest import PDF, PNG, problem  # noqa: F401  (the fixture)


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def ooxml(main: str, *extra: str, types: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", f"<Types>{types}</Types>")
        z.writestr(main, "<x/>")
        for name in extra:
            z.writestr(name, b"\x00")
    return buffer.getvalue()


DOCX = ooxml("word/document.xml")
DOCM = ooxml(
    "word/document.xml",
    "word/vbaProject.bin",
    types='<Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>',
)
XLSM_AS_XLSX = ooxml("xl/workbook.xml", "xl/vbaProject.bin")
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
DOC_WITH_MACROS = OLE + "W".encode("utf-16-le") + "Word".encode("utf-16-le") + "_VBA_PROJECT".encode("utf-16-le")


@pytest.mark.parametrize(
    "name, data",
    [
        ("提醒.hta", PDF),
        ("脚本.js", PDF),
        ("批处理.bat", PDF),
        ("页面.html", PDF),
        ("程序.exe", PDF),
        ("报告\u202efdp.exe", PDF),  # shows as 报告exe.pdf; the override is stripped and .exe refused
        ("方案.docm", DOCM),
        ("方案.docx", DOCM),
        ("表格.xlsx", XLSM_AS_XLSX),
        ("旧方案.doc", DOC_WITH_MACROS),
        ("图片.svg", PDF),
        ("图片.png", PDF),
    ],
)
def test_dangerous_or_mismatched_files_are_refused_with_a_message_for_the_clerk(world, problem, name, data):
    with pytest.raises(ActionError) as refused:
        actions.attach_evidence(problem, actor=world.branch_reporter, name=name, data=data)
    assert any(word in refused.value.message for word in ("扩展名", "宏", "内容")), refused.value.message
    assert "\u202e" not in refused.value.message
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "name, data, stored",
    [
        ("整改报告.pdf", PDF, "整改报告.pdf"),
        ("照片.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 16, "照片.JPG"),
        ("截图.png", PNG, "截图.png"),
        ("方案.docx", DOCX, "方案.docx"),
        ("C:\\Users\\clerk\\桌面\\记录.pdf", PDF, "记录.pdf"),
        ("../../etc/记录.pdf", PDF, "记录.pdf"),
        ("报\u200b告\x07\u202e.pdf", PDF, "报告.pdf"),
        ("无扩展名", PDF, "无扩展名.pdf"),
    ],
)
def test_allowed_files_are_stored_under_a_clean_name(world, problem, name, data, stored):
    evidence = actions.attach_evidence(problem, actor=world.branch_reporter, name=name, data=data)
    assert evidence.name == stored


def test_a_600_character_name_is_cut_keeping_its_extension(world, problem, client):
    long_name = "关于" + "整改" * 299 + ".pdf"
    client.force_login(world.branch_reporter)
    response = client.post(
        f"/api/v1/problems/{problem.pk}/evidence", {"file": _upload(long_name, PDF), "kind": "支撑材料"}
    )
    assert response.status_code == 201, response.content
    name = response.json()["name"]
    assert len(name) == files.NAME_MAX and name.endswith(".pdf") and name.startswith("关于整改")
    page = client.post(f"/problems/item/{problem.pk}/evidence/", {"file": _upload("页" * 600 + ".docx", DOCX)})
    assert page.status_code == 302
    assert Evidence.objects.filter(name__endswith=".docx").get().name == "页" * 95 + ".docx"


def test_the_api_and_the_page_refuse_a_disguised_program_in_chinese(world, problem, client):
    client.force_login(world.branch_reporter)
    response = client.post(f"/api/v1/problems/{problem.pk}/evidence", {"file": _upload("报告\u202efdp.exe", PDF)})
    assert response.status_code == 422 and "扩展名“.exe”不在允许之列" in response.json()["detail"]


def test_download_names_from_user_data_are_safe():
    assert (
        files.content_disposition("东城/西城 区委.xlsx")
        == "attachment; filename*=UTF-8''%E4%B8%9C%E5%9F%8E_%E8%A5%BF%E5%9F%8E%20%E5%8C%BA%E5%A7%94.xlsx"
    )


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)
