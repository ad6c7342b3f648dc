"""The upload page /imports/: the same all-or-nothing import as the command line, for clerks."""

import html
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.imports.test_org_import import ORG_HEADER, office_sheet, written_state
from tests.imports.test_people_import import PEOPLE_HEADER
from tuijin.orgs.models import Org, Person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, kind, path_or_bytes, name=None, **extra):
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    name = name or getattr(path_or_bytes, "name", "表格.xlsx")
    return client.post("/imports/", {"kind": kind, "file": SimpleUploadedFile(name, data, XLSX), **extra}, follow=True)


def page_text(response):
    return html.unescape(response.content.decode())


def test_the_page_shows_the_form_and_every_template(client, world):
    client.force_login(world.county_office)
    response = client.get("/imports/")
    assert response.status_code == 200
    text = page_text(response)
    assert "从 Excel 导入" in text and "/imports/template/publicity/" in text


def test_a_party_member_gets_404_and_an_anonymous_visitor_is_sent_to_log_in(client, world):
    assert client.get("/imports/").status_code == 302
    client.force_login(world.member)
    assert client.get("/imports/").status_code == 404
    assert client.post("/imports/", {"kind": "orgs"}).status_code == 404


def test_a_good_file_is_imported_and_summarised(client, world, tmp_path):
    client.force_login(world.county_office)
    path = office_sheet(
        tmp_path / "组织.xlsx", ORG_HEADER, [["XS-A-3", "A县城关街道党工委", "XS-A", "党工委", "机关", "第二批"]]
    )

    response = upload(client, "orgs", path)

    assert response.status_code == 200
    assert "组织.xlsx：导入完成：新增 1 条，更新 0 条，未变 0 条" in page_text(response)
    assert Org.objects.get(code="XS-A-3").parent == world.county_a


def test_a_bad_file_lists_every_row_error_and_writes_nothing(client, world, tmp_path):
    client.force_login(world.county_office)
    path = office_sheet(
        tmp_path / "人员.xlsx",
        PEOPLE_HEADER,
        [
            ["A2P1", "王芳", "XS-A-2", "正式党员", "", "否", "", ""],
            ["A2P2", "李强", "XS-A-2", "正式党员", "", "否", "", "12345"],
            ["A2P1", "王芳", "XS-A-2", "正式党员", "", "否", "", ""],
        ],
    )
    before = written_state()

    response = upload(client, "people", path)

    assert response.status_code == 200
    text = page_text(response)
    assert "人员.xlsx 有 2 处错误，未写入任何数据" in text
    assert "第5行 手机号: “12345”不是有效的手机号" in text
    assert "第6行 人员编号: “A2P1”与第4行重复" in text
    assert "导入完成" not in text
    assert written_state() == before


def word_document_bytes():
    """A .docx is a zip too, like an .xlsx: the reader must still tell them apart."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_a_file_that_is_not_excel_gets_a_chinese_message_not_a_server_error(client, world):
    client.force_login(world.county_office)
    pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    for fake in (pdf, "人员编号,姓名\nA1,张三\n".encode(), word_document_bytes()):
        before = written_state()
        response = upload(client, "people", fake, name="名单.xlsx")
        assert response.status_code == 200
        assert "无法读取文件：请上传 Excel 表格（.xlsx）" in page_text(response)
        assert written_state() == before


def test_submitting_without_a_file_asks_for_one(client, world):
    client.force_login(world.county_office)
    response = client.post("/imports/", {"kind": "orgs"})
    assert response.status_code == 200 and "请选择要导入的 Excel 文件" in page_text(response)


def test_a_file_over_the_size_limit_is_refused(client, world, settings):
    settings.TUIJIN_UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(world.county_office)
    response = upload(client, "orgs", b"x" * (1024 * 1024 + 1), name="大.xlsx")
    assert response.status_code == 200 and "文件太大" in page_text(response)


def test_the_dry_run_checkbox_checks_without_writing(client, world, tmp_path):
    client.force_login(world.county_office)
    path = office_sheet(
        tmp_path / "组织.xlsx", ORG_HEADER, [["XS-A-3", "A县城关街道党工委", "XS-A", "党工委", "机关", "第二批"]]
    )
    before = written_state()

    response = upload(client, "orgs", path, dry_run="1")

    assert "检查通过（未写入）：新增 1 条" in page_text(response)
    assert written_state() == before


def test_a_county_office_importing_people_into_another_county_gets_a_row_error(client, world, tmp_path):
    client.force_login(world.county_office)
    path = office_sheet(
        tmp_path / "人员.xlsx",
        PEOPLE_HEADER,
        [
            ["A2P1", "王芳", "XS-A-2", "正式党员", "", "否", "", ""],
            ["B1P9", "郑新", "XS-B-1", "正式党员", "", "否", "", ""],
        ],
    )
    before = written_state()

    text = page_text(upload(client, "people", path))

    assert "第5行 所在组织编码: 组织“XS-B-1”不存在" in text
    assert "B县第一党支部" not in text
    assert written_state() == before


def test_a_branch_reporter_imports_people_into_its_own_branch(client, world, tmp_path):
    client.force_login(world.branch_reporter)
    path = office_sheet(
        tmp_path / "人员.xlsx", PEOPLE_HEADER, [["A1A9", "甲九", "XS-A-1-1", "预备党员", "", "否", "", "13800009999"]]
    )

    text = page_text(upload(client, "people", path))

    assert "导入完成：新增 1 条，更新 0 条，未变 0 条" in text
    assert Person.objects.get(number="A1A9").org == world.branch_a1a


def test_an_unknown_kind_is_a_message_not_a_crash(client, world):
    client.force_login(world.county_office)
    response = upload(client, "nonsense", b"PK")
    assert response.status_code == 200 and "未知的导入类型“nonsense”" in page_text(response)
