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
    return client.post(
        "/imports/",
        {"kind": extra.pop("kind", "orgs"), "file": SimpleUploadedFile(path.name, path.read_bytes(), XLSX), **extra},
    )


def test_an_upload_is_queued_shown_in_progress_and_imported_by_the_worker(client, world, tmp_path):
    client.force_login(world.county_office)
    path = office_sheet(
        tmp_path / "组织.xlsx", ORG_HEADER, [["XS-A-3", "A县城关街道党工委", "XS-A", "党工委", "机关", "第二批"]]
    )

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
    path = office_sheet(
        tmp_path / "人员.xlsx",
        PEOPLE_HEADER,
        [
            ["A2P1", "王芳", "XS-A-2", "正式党员", "", "否", "", ""],
            ["A2P2", "李强", "XS-A-2", "正式党员", "", "否", "", "12345"],
        ],
    )
    before = written_state()
    url = post(client, path, kind="people").url
    call_command("worker", once=True, verbosity=0)
    page = html.unescape(client.get(url).content.decode())
    assert "人员.xlsx 有 1 处错误，未写入任何数据" in page and "第5行 手机号: “12345”不是有效的手机号" in page
    assert written_state() == before


def test_only_the_uploader_sees_the_job(client, world, tmp_path):
    client.force_login(world.county_office)
    path = office_sheet(
        tmp_path / "组织.xlsx", ORG_HEADER, [["XS-A-3", "A县城关街道党工委", "XS-A", "党工委", "机关", "第二批"]]
    )
    url = post(client, path).url
    for other in (world.city_office, world.branch_reporter):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.get(url + "status/").status_code == 404


# --------------------------------------------------------------------------- a worker killed mid-import


def _killed_mid_run(job, *, attempts, minutes_ago):
    """What kill -9 leaves behind: the job running with its last heartbeat, its queue entry taken."""
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING,
        attempts=attempts,
        percent=40,
        heartbeat_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )
    DBTaskResult.objects.update(status="RUNNING")


def test_an_import_left_running_by_a_killed_worker_is_queued_again_and_imported_once(client, world, tmp_path):
    client.force_login(world.county_office)
    path = office_sheet(
        tmp_path / "组织.xlsx", ORG_HEADER, [["XS-A-3", "A县城关街道党工委", "XS-A", "党工委", "机关", "第二批"]]
    )
    post(client, path)
    job = ImportJob.objects.get()
    _killed_mid_run(job, attempts=1, minutes_ago=11)  # older than TUIJIN_IMPORT_STALE_AFTER (10 minutes)

    call_command("worker", once=True, verbosity=0)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.data) == ("done", 2, b"")
    assert Org.objects.filter(code="XS-A-3").count() == 1
    call_command("worker", once=True, verbosity=0)  # the next tick has nothing to take over
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2) and Org.objects.filter(code="XS-A-3").count() == 1


def test_a_running_import_with_a_recent_heartbeat_is_left_alone(client, world, tmp_path):
    client.force_login(world.county_office)
    path = office_sheet(
        tmp_path / "组织.xlsx", ORG_HEADER, [["XS-A-3", "A县城关街道党工委", "XS-A", "党工委", "机关", "第二批"]]
    )
    post(client, path)
    job = ImportJob.objects.get()
    _killed_mid_run(job, attempts=1, minutes_ago=9)  # still within the bound: its worker may be busy

    call_command("worker", once=True, verbosity=0)

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)
    assert not Org.objects.filter(code="XS-A-3").exists()


def test_an_import_abandoned_three_times_fails_with_a_message_for_the_clerk(client, world, tmp_path):
    client.force_login(world.county_office)
    path = office_sheet(
        tmp_path / "组织.xlsx", ORG_HEADER, [["XS-A-3", "A县城关街道党工委", "XS-A", "党工委", "机关", "第二批"]]
    )
    url = post(client, path).url
    job = ImportJob.objects.get()
    _killed_mid_run(job, attempts=3, minutes_ago=30)

    call_command("worker", once=True, verbosity=0)

    job.refresh_from_db()
    assert (job.status, job.data) == ("failed", b"")
    page = html.unescape(client.get(url).content.decode())
    assert "导入在后台处理时中断（已尝试 3 次，每次都未完成），未写入任何数据。请重新上传" in page
    assert not Org.objects.filter(code="XS-A-3").exists()


def test_a_run_taken_over_while_it_worked_writes_nothing(client, world, tmp_path, monkeypatch):
    """The abandoned run was only slow: it finishes after its job was queued again and claimed by
    another worker. Its rows roll back with its "done", so the retry cannot double them."""
    from tuijin.imports import registry, tasks

    client.force_login(world.county_office)
    path = office_sheet(
        tmp_path / "组织.xlsx", ORG_HEADER, [["XS-A-3", "A县城关街道党工委", "XS-A", "党工委", "机关", "第二批"]]
    )
    post(client, path)
    job = ImportJob.objects.get()
    real = registry.run_import

    def slow_run(*args, **kwargs):
        result = real(*args, **kwargs)  # written, not yet committed: now the other worker takes over
        ImportJob.objects.filter(pk=job.pk).update(attempts=2)  # (in this transaction: rolled back too)
        return result

    monkeypatch.setattr(tasks, "run_import", slow_run)

    answer = tasks.run_import_job.call(str(job.pk))

    assert answer == "已由重新排队的运行接替"
    assert not Org.objects.filter(code="XS-A-3").exists()
