"""专项整治, 严密实施 (issue 16): the plan (整改方案) before 整改中, and its milestones (date, owner, done)
tracked like measures — late ones shown, open ones holding the problem back from 待验收."""

import datetime as dt
import json

import pytest
from django.test import Client

from tests.conftest import login_as
from tuijin.core.errors import ActionError
from tuijin.rectification import actions
from tuijin.rectification.models import Evidence, Problem, State

from .conftest import PDF, TODAY


@pytest.fixture(autouse=True)
def media(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())


@pytest.fixture
def special(world):
    return actions.create_problem(
        actor=world.branch_reporter,
        org=world.branch_a1a,
        source="上级交办",
        description="基层减负专项整治：督查检查考核过多过频",
        is_special=True,
        found_on=dt.date(2026, 10, 1),
        measures=[{"text": "清理规范督查检查考核事项", "owner": "办公室", "deadline": TODAY}],
    )


def state(p):
    return Problem.objects.get(pk=p.pk).state


def test_a_special_rectification_cannot_start_without_its_plan(world, special):
    with pytest.raises(ActionError, match="整改方案") as refused:
        actions.start_rectification(special, actor=world.branch_reporter)
    assert refused.value.field == "evidence"
    # work on it does not slip it into 整改中 either
    actions.attach_evidence(special, actor=world.branch_reporter, name="台账.pdf", data=PDF)
    actions.set_measure_done(special.measures.get(), actor=world.branch_reporter, done=True, as_of=TODAY)
    assert state(special) == State.OPEN
    with pytest.raises(ActionError, match="整改方案"):
        actions.submit_for_acceptance(special, actor=world.branch_reporter)
    actions.attach_evidence(
        special, actor=world.branch_reporter, name="方案.pdf", data=PDF + b" ", kind=Evidence.Kind.PLAN
    )
    assert state(special) == State.IN_PROGRESS


def test_an_ordinary_problem_starts_without_a_plan(world):
    plain = actions.create_problem(
        actor=world.branch_reporter, org=world.branch_a1a, description="学习不深入", source="集体查", found_on=TODAY
    )
    assert actions.start_rectification(plain, actor=world.branch_reporter).state == State.IN_PROGRESS
    with pytest.raises(ActionError, match="只有专项整治"):
        actions.add_milestone(plain, actor=world.branch_reporter, title="摸底", due_on=TODAY, owner="甲1")


def test_milestones_need_a_date_and_an_owner_and_hold_the_problem_until_done(world, special):
    actions.attach_evidence(special, actor=world.branch_reporter, name="方案.pdf", data=PDF, kind=Evidence.Kind.PLAN)
    for bad, field in (({"due_on": None, "owner": "甲1"}, "due_on"), ({"due_on": TODAY, "owner": " "}, "owner")):
        with pytest.raises(ActionError) as refused:
            actions.add_milestone(special, actor=world.branch_reporter, title="摸底排查", **bad)
        assert refused.value.field == field
    first = actions.add_milestone(
        special, actor=world.branch_reporter, title="完成摸底排查", due_on=dt.date(2026, 11, 20), owner="办公室"
    )
    second = actions.add_milestone(
        special, actor=world.branch_reporter, title="清理规范考核事项", due_on=dt.date(2026, 12, 20), owner="督查室"
    )
    assert first.is_overdue(TODAY) and not second.is_overdue(TODAY)
    actions.attach_evidence(special, actor=world.branch_reporter, name="报告.pdf", data=PDF + b"  ")
    actions.set_measure_done(special.measures.get(), actor=world.branch_reporter, done=True, as_of=TODAY)
    with pytest.raises(ActionError, match="还有 2 个节点未完成") as refused:
        actions.submit_for_acceptance(special, actor=world.branch_reporter)
    assert refused.value.field == "milestones"
    done = actions.set_milestone_done(first, actor=world.branch_reporter, done=True, as_of=TODAY)
    assert not done.is_overdue(TODAY) and done.done_on == TODAY
    actions.set_milestone_done(second, actor=world.branch_reporter, done=True, as_of=TODAY)
    assert actions.submit_for_acceptance(special, actor=world.branch_reporter).state == State.SUBMITTED
    with pytest.raises(ActionError):  # settled with the measures once submitted
        actions.add_milestone(special, actor=world.branch_reporter, title="再加一个", due_on=TODAY, owner="甲1")


def test_the_page_shows_late_milestones_and_adds_them(world, special):
    actions.attach_evidence(special, actor=world.branch_reporter, name="方案.pdf", data=PDF, kind=Evidence.Kind.PLAN)
    client = Client()
    login_as(client, world.branch_reporter)
    r = client.post(
        f"/problems/item/{special.pk}/add-milestone/",
        {"title": "完成摸底排查", "due_on": "2026-11-20", "owner": "办公室"},
    )
    assert r.status_code == 302
    page = client.get(f"/problems/item/{special.pk}/").content.decode()
    assert "专项整治节点（1）" in page and '完成摸底排查 <span class="badge text-bg-danger">逾期</span>' in page
    m = special.milestones.get()
    client.post(f"/problems/item/{special.pk}/milestone-done/", {"milestone": m.pk, "done": "1"})
    assert special.milestones.get().done


def test_the_api_adds_and_completes_milestones(world, special):
    from tuijin.orgs.actions import issue_api_token

    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(actor=None, user=world.branch_reporter)}"}
    r = client.post(
        f"/api/v1/problems/{special.pk}/milestones",
        json.dumps({"title": "完成摸底排查", "due_on": "2026-11-20", "owner": "办公室"}),
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201 and r.json()["overdue"] is True
    r = client.post(
        f"/api/v1/problems/{special.pk}/milestones/done",
        json.dumps({"milestone": r.json()["id"]}),
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 200 and r.json()["done"] is True
    detail = client.get(f"/api/v1/problems/{special.pk}", **auth).json()
    assert [m["title"] for m in detail["milestones"]] == ["完成摸底排查"]
    start = client.post(
        f"/api/v1/problems/{special.pk}/transitions",
        json.dumps({"action": "start"}),
        content_type="application/json",
        **auth,
    )
    assert start.status_code == 422 and "整改方案" in start.json()["detail"]


def test_an_import_cannot_put_a_special_rectification_in_progress_without_its_plan(world, tmp_path):
    from tests.imports.test_org_import import import_errors
    from tuijin.imports.registry import run_import

    from .test_import import sheet

    row = ["XS-A-1-1", "ZX-1", "工作作风", "上级交办", "专项整治：文山会海", "精简会议文件", "甲1", "2026-12-31"]
    errors = import_errors("problems", sheet(tmp_path, [row + ["整改中", "是"]]), actor=world.county_office)
    assert errors == [
        "第4行 整改状态: 专项整治问题须先在系统中上传整改方案，才能改为“整改中”：请导入为“待整改”，上传方案后再开始整改"
    ]
    run_import("problems", sheet(tmp_path, [row + ["待整改", "是"]], name="b.xlsx"), actor=world.county_office)
    errors = import_errors(
        "problems", sheet(tmp_path, [row + ["整改中", "是"]], name="c.xlsx"), actor=world.county_office
    )
    assert errors[0].endswith("上传方案后再开始整改")
    p = Problem.objects.get(number="ZX-1")
    actions.attach_evidence(p, actor=world.county_office, name="方案.pdf", data=PDF, kind=Evidence.Kind.PLAN)
    assert Problem.objects.get(number="ZX-1").state == State.IN_PROGRESS
    # a plain row moves to 整改中 by import as before
    plain = ["XS-A-1-1", "PT-1", "工作作风", "集体查", "会议多", "精简会议", "甲1", "2026-12-31", "整改中", "否"]
    run_import("problems", sheet(tmp_path, [plain], name="d.xlsx"), actor=world.county_office)
    assert Problem.objects.get(number="PT-1").state == State.IN_PROGRESS
