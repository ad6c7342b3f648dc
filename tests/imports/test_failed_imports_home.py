"""A failed web import stays on the uploader's home page (issue 11 / 12): "导入有错误" links to the job's
error report until the uploader dismisses it or a later import of the same kind succeeds."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.imports.test_org_import import ORG_HEADER, office_sheet
from tests.imports.test_people_import import PEOPLE_HEADER
from tuijin.core.models import DomainEvent
from tuijin.imports.models import ImportJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAD_PEOPLE = [
    ["A2P1", "王芳", "XS-A-2", "正式党员", "", "否", "", ""],
    ["A2P2", "李强", "XS-A-2", "正式党员", "", "否", "", "12345"],
]
GOOD_PEOPLE = [["A2P1", "王芳", "XS-A-2", "正式党员", "", "否", "", ""]]
BAD_ORGS = [["XS-A-3", "A县城关街道党工委", "XS-NOPE", "党工委", "机关", "第二批"]]


def upload(client, path, kind, **extra):
    with open(path, "rb") as f:
        return client.post("/imports/", {"kind": kind, "file": SimpleUploadedFile(path.name, f.read(), XLSX), **extra})


def home_items(client):
    page = html.unescape(client.get("/").content.decode())
    if 'id="failed-imports"' not in page:
        return page, []
    section = page.split('id="failed-imports"')[1].split("</section>")[0]
    return page, [line for line in section.split("<li") if "导入有错误：" in line]


@pytest.fixture
def clerk(client, world):
    client.force_login(world.county_office)
    return client


def test_a_failed_import_is_on_the_home_page_until_the_same_kind_succeeds(clerk, world, tmp_path):
    job_url = upload(clerk, office_sheet(tmp_path / "人员.xlsx", PEOPLE_HEADER, BAD_PEOPLE), "people").url
    orgs_url = upload(clerk, office_sheet(tmp_path / "组织.xlsx", ORG_HEADER, BAD_ORGS), "orgs").url
    upload(clerk, office_sheet(tmp_path / "检查.xlsx", PEOPLE_HEADER, BAD_PEOPLE), "people", dry_run="1")  # a check

    job = ImportJob.objects.get(filename="人员.xlsx")
    assert job.status == "failed" and any("第5行 手机号" in e for e in job.errors)  # kept, with its errors
    _, items = home_items(clerk)
    assert len(items) == 2  # the two imports; the check-only run is not an import
    people = next(i for i in items if "人员.xlsx" in i)
    assert f'href="{job_url}"' in people and "（人员，" in people
    assert "1 处错误，未写入任何数据" in people
    assert any(f'href="{orgs_url}"' in i for i in items)
    report = html.unescape(clerk.get(job_url).content.decode())
    assert "第5行 手机号: “12345”不是有效的手机号" in report

    for other in (world.city_office, world.branch_reporter):  # the uploader's queue only
        clerk.force_login(other)
        assert home_items(clerk)[1] == []
    clerk.force_login(world.county_office)

    upload(clerk, office_sheet(tmp_path / "人员-改.xlsx", PEOPLE_HEADER, GOOD_PEOPLE), "people")

    assert ImportJob.objects.get(filename="人员-改.xlsx").status == "done"
    _, items = home_items(clerk)
    assert len(items) == 1 and "组织.xlsx" in items[0]  # another kind's failure stays


def test_the_uploader_dismisses_a_failed_import_and_its_report_stays(clerk, world, tmp_path):
    job_url = upload(clerk, office_sheet(tmp_path / "人员.xlsx", PEOPLE_HEADER, BAD_PEOPLE), "people").url
    job = ImportJob.objects.get()
    assert 'id="import-dismiss"' in clerk.get(job_url).content.decode()

    clerk.force_login(world.city_office)  # someone else's job: not even found
    assert clerk.post(f"{job_url}dismiss/").status_code == 404
    clerk.force_login(world.county_office)
    response = clerk.post(f"{job_url}dismiss/")

    assert response.status_code == 302 and response.url == "/"
    job.refresh_from_db()
    assert job.dismissed_at is not None and job.status == "failed"
    assert home_items(clerk)[1] == []
    assert "第5行 手机号" in html.unescape(clerk.get(job_url).content.decode())  # the report is still there
    assert DomainEvent.objects.filter(verb="import.dismiss", target_id=str(job.pk), actor=world.county_office).exists()


def test_an_import_that_crashed_is_kept_as_failed_and_shown(clerk, world, tmp_path, monkeypatch):
    from tuijin.imports import tasks

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tasks, "run_import", crash)
    job_url = upload(clerk, office_sheet(tmp_path / "组织.xlsx", ORG_HEADER, BAD_ORGS), "orgs").url

    job = ImportJob.objects.get()
    assert job.status == "failed" and job.errors == ["导入时发生系统错误，未写入任何数据。请稍后重试，或联系系统管理员"]
    _, items = home_items(clerk)
    assert len(items) == 1 and f'href="{job_url}"' in items[0] and "组织.xlsx" in items[0]
