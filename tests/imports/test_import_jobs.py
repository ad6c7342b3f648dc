"""A web import runs as a background job in `tuijin worker` (the real database queue, not the inline
backend the other tests use): the upload answers at once with a progress page that htmx polls, the
worker imports all-or-nothing, and the page then shows the result or every row's error."""
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.imports.test_org_import import ORG_HEADER, office_sheet, written_state
from tests.imports.test_people_import import PEOPLE_HEADER
from tuijin.imports.models import ImportJob
from tuijin.orgs.models import Org

pytestmark = pytest.mark.django_db(transaction=True)  # the worker commits as it goes
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _real_queue(settings):
    settings.TUIJIN_IMPORT_TASK_BACKEND = "default"  # django_tasks_db: the queue `tuijin worker` runs


def post(client, path, **extra):
    return client.post("/imports/", {"kind": extra.pop("kind", "orgs"),
                                     "file": SimpleUploadedFile(path.name, path.read_bytes(), XLSX), **extra})


def test_an_upload_is_queued_shown_in_progress_and_imported_by_the_worker(client, world, tmp_path):
    client.force_login(world.county_office)
    path = office_sheet(tmp_path / "组织.xlsx", ORG_HEADER, [["XS-A-3", "A县城关街道党工委", "XS-A", "党工委", "机关", "第二批"]])

    response = post(client, path)

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/imports/jobs/{job.pk}/"
    page = client.get(response.url).content.decode()
    assert "排队中" in page and 'id="import-progress"' in page
    assert f'hx-get="/imports/jobs/{job.pk}/status/"' in page and 'hx-trigger="every 1s"' in page
    assert "<script>" not in page.split("</main>")[0]  # polling by htmx attributes, no inline script
    assert not Org.objects.filter(code="XS-A-3").exists()  # nothing until the worker runs it

    call_command("worker", once=True, verbosity=0)

    job.refresh_from_db()
    assert (job.status, job.percent, job.data) == ("done", 100, b"")
    fragment = html.unescape(client.get(f"/imports/jobs/{job.pk}/status/").content.decode())
    assert "组织.xlsx：导入完成：新增 1 条，更新 0 条，未变 0 条" in fragment
    assert "hx-trigger" not in fragment  # finished: the page stops polling
    assert Org.objects.get(code="XS-A-3").parent == world.county_a


def test_a_bad_sheet_run_by_the_worker_lists_every_error_and_writes_nothing(client, world, tmp_path):
    client.force_login(world.county_office)
    path = office_sheet(tmp_path / "人员.xlsx", PEOPLE_HEADER, [
        ["A2P1", "王芳", "XS-A-2", "正式党员", "", "否", "", ""],
        ["A2P2", "李强", "XS-A-2", "正式党员", "", "否", "", "12345"],
    ])
    before = written_state()
    url = post(client, path, kind="people").url
    call_command("worker", once=True, verbosity=0)
    page = html.unescape(client.get(url).content.decode())
    assert "人员.xlsx 有 1 处错误，未写入任何数据" in page and "第5行 手机号: “12345”不是有效的手机号" in page
    assert written_state() == before


def test_only_the_uploader_sees_the_job(client, world, tmp_path):
    client.force_login(world.county_office)
    path = office_sheet(tmp_path / "组织.xlsx", ORG_HEADER, [["XS-A-3", "A县城关街道党工委", "XS-A", "党工委", "机关", "第二批"]])
    url = post(client, path).url
    for other in (world.city_office, world.branch_reporter):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.get(url + "status/").status_code == 404
