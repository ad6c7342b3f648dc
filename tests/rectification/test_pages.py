"""The problem pages: list, ledger, new, detail and its actions, edit, hand-down, rules, 满意清单."""

import datetime as dt
import io

import pytest
from python_calamine import CalamineWorkbook

from tuijin.campaigns.models import Campaign
from tuijin.imports.registry import KINDS
from tuijin.rectification import actions
from tuijin.rectification.models import Evidence, InstitutionRule, Problem, State

from ..conftest import refresh
from .conftest import PDF, TODAY


@pytest.fixture(autouse=True)
def media_and_today(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())


def login(client, user):
    client.force_login(user)
    return client


def detail_url(problem):
    return f"/problems/item/{problem.pk}/"


def act(client, problem, name, **data):
    return client.post(f"{detail_url(problem)}{name}/", data, follow=True)


def text(response):
    return response.content.decode()


# ------------------------------------------------------------------ list


def test_problems_menu_opens_the_list_of_the_users_own_org(client, world):
    response = login(client, world.branch_reporter).get("/problems/")
    assert response.status_code == 302 and response["Location"] == "/problems/XS-A-1-1/"


def test_reporter_sees_the_list_of_own_branch_with_counts(client, world, problem):
    response = login(client, world.branch_reporter).get("/problems/XS-A-1-1/")
    assert response.status_code == 200
    body = text(response)
    assert "理论学习不深入" in body and "问题整改" in body
    assert [(label, n) for label, _, n, _ in response.context["states"]][:2] == [("全部", 1), ("待整改", 1)]


def test_office_sees_the_subtree_and_filters_it(client, world, problem):
    other = actions.create_problem(
        actor=world.county_office,
        org=world.branch_a2,
        description="服务群众不到位",
        source="群众评",
        category="服务群众",
        found_on=TODAY,
        deadline=dt.date(2026, 11, 1),
    )
    login(client, world.county_office)
    both = text(client.get("/problems/XS-A/"))
    assert "理论学习不深入" in both and "服务群众不到位" in both
    for query in ("source=群众评", "category=服务群众", "overdue=1", "q=服务", "org=XS-A-2"):
        body = text(client.get(f"/problems/XS-A/?{query}"))
        assert "服务群众不到位" in body and "理论学习不深入" not in body, query
    assert other.pk not in [p.pk for p in client.get("/problems/XS-A/?state=整改中").context["page"]]


def test_withdrawn_problems_are_listed_only_when_asked(client, world, problem):
    actions.withdraw_problem(problem, actor=world.branch_reporter, reason="与第2条重复")
    login(client, world.branch_reporter)
    assert "理论学习不深入" not in text(client.get("/problems/XS-A-1-1/"))
    assert "已撤回" in text(client.get("/problems/XS-A-1-1/?withdrawn=1"))


def test_lists_and_problems_out_of_scope_are_404(client, world, problem):
    login(client, world.branch_reporter)
    assert client.get("/problems/XS-A/").status_code == 404
    login(client, world.guide)
    assert client.get("/problems/XS-A-1-1/").status_code == 404
    assert client.get(detail_url(problem)).status_code == 404
    assert act(client, problem, "start").status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, world, problem):
    assert client.get(detail_url(problem))["Location"].startswith("/login/")


# ------------------------------------------------------------------ ledger


def test_ledger_has_the_template_columns_and_only_the_subtree(client, world, problem):
    actions.create_problem(
        actor=world.city_office, org=world.branch_b1, description="B县的问题", source="集体查", found_on=TODAY
    )
    response = login(client, world.county_office).get("/problems/XS-A/ledger.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0] == KINDS["problems"].headers
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["组织编码"] == "XS-A-1-1" and row["整改措施"] == "每周集中学习一次；加强学习"
    assert row["整改状态"] == "待整改" and row["是否专项整治"] == "否" and row["责任人"] == "甲1"


def test_ledger_follows_the_filters(client, world, problem):
    response = login(client, world.county_office).get("/problems/XS-A/ledger.xlsx?state=已销号")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0] == KINDS["problems"].headers and len(rows) == 1


# ------------------------------------------------------------------ new problem


def new_problem_data(**overrides):
    data = {
        "category": "工作作风",
        "source": "集体查",
        "description": "会议多、文件多",
        "responsible": "甲2",
        "deadline": "2026-12-31",
        "found_on": "2026/11/20",
        "number": "",
        "reason": "",
        "m-TOTAL_FORMS": "4",
        "m-INITIAL_FORMS": "0",
        "m-0-text": "精简会议",
        "m-0-owner": "甲2",
        "m-0-deadline": "2026-12-15",
        "m-1-text": "",
        "m-1-owner": "",
        "m-1-deadline": "",
        "m-2-text": "合并文件",
        "m-2-owner": "",
        "m-2-deadline": "",
    }
    data.update(overrides)
    return data


def test_reporter_adds_a_problem_with_its_measures(client, world):
    login(client, world.branch_reporter)
    assert client.get("/problems/XS-A-1-1/new/").status_code == 200
    response = client.post("/problems/XS-A-1-1/new/", new_problem_data(), follow=True)
    problem = Problem.objects.get(description="会议多、文件多")
    assert response.redirect_chain[-1][0] == detail_url(problem)
    assert problem.org == world.branch_a1a and problem.found_on == dt.date(2026, 11, 20)
    assert [(m.text, m.owner, m.deadline) for m in problem.measures.all()] == [
        ("精简会议", "甲2", dt.date(2026, 12, 15)),
        ("合并文件", "", None),
    ]
    assert "已新增问题" in text(response) and "精简会议" in text(response)


def test_a_bad_new_problem_shows_errors_and_saves_nothing(client, world, problem):
    login(client, world.branch_reporter)
    response = client.post("/problems/XS-A-1-1/new/", new_problem_data(description="", **{"m-1-owner": "甲3"}))
    assert response.status_code == 200
    assert "这个字段是必填项" in text(response) and "请同时填写措施内容" in text(response)
    response = client.post("/problems/XS-A-1-1/new/", new_problem_data(number=problem.number))
    assert f"问题编号“{problem.number}”在A县教育局第一党支部已存在" in text(response)
    assert Problem.objects.count() == 1


def test_a_guide_cannot_open_the_new_problem_form_and_is_told_in_chinese(client, world):
    response = login(client, world.guide).get("/problems/XS-B/new/")
    assert response.status_code == 403 and "无权" in text(response)


# ------------------------------------------------------------------ detail and actions


def test_detail_shows_everything_and_only_the_allowed_buttons(client, world, submitted):
    login(client, world.branch_reporter)
    body = text(client.get(detail_url(submitted)))
    assert "理论学习不深入" in body and "每周集中学习一次" in body and "学习记录.pdf" in body
    assert "提交验收" in body  # the timeline entry
    assert "验收销号</button>" not in body and "退回整改</summary>" not in body
    login(client, world.county_office)
    body = text(client.get(detail_url(submitted)))
    assert "验收销号</button>" in body and "退回整改</summary>" in body


def test_a_problem_goes_from_open_to_closed_through_the_pages(client, world, problem):
    login(client, world.branch_reporter)
    assert "已开始整改" in text(act(client, problem, "start", version=refresh(problem).version))
    measure = problem.measures.first()
    assert "已完成" in text(act(client, problem, "measure-done", measure=measure.pk, done="1"))
    assert refresh(measure).done and refresh(measure).done_on == TODAY
    act(client, problem, "add-measure", text="建立学习台账", owner="甲3", deadline="2026-12-10")
    assert problem.measures.count() == 3
    upload = io.BytesIO(PDF)
    upload.name = "照片记录.pdf"
    assert "已上传支撑材料" in text(act(client, problem, "evidence", file=upload, kind="支撑材料"))
    assert "还有 2 项整改措施未完成" in text(act(client, problem, "submit", version=refresh(problem).version))
    for m in problem.measures.filter(done=False):
        act(client, problem, "measure-done", measure=m.pk, done="1")
    act(client, problem, "submit", version=refresh(problem).version)
    assert refresh(problem).state == State.SUBMITTED
    login(client, world.county_office)
    act(
        client,
        problem,
        "close",
        comment="整改到位",
        change="窗口办件时间由5天缩短到2天",
        version=refresh(problem).version,
    )
    assert refresh(problem).state == State.CLOSED and refresh(problem).closed_on == TODAY
    act(client, problem, "reopen", reason="群众反映又出现", version=refresh(problem).version)
    assert refresh(problem).state == State.RELAPSED


def test_action_errors_are_shown_in_chinese(client, world, problem):
    login(client, world.branch_reporter)
    body = text(act(client, problem, "submit"))
    assert "提交验收前至少要上传一份支撑材料" in body
    assert "原因：这个字段是必填项" in text(act(client, problem, "withdraw", reason=""))
    bad = io.BytesIO(b"MZ\x90\x00 not a pdf")
    bad.name = "伪装.pdf"
    assert "文件“伪装.pdf”的内容不是可接受的格式" in text(act(client, problem, "evidence", file=bad))
    assert refresh(problem).state == State.OPEN and not problem.evidence.exists()


def test_the_owner_cannot_close_and_is_told_why(client, world, submitted):
    login(client, world.branch_reporter)
    body = text(act(client, submitted, "close"))
    assert "责任单位不能给自己销号" in body and refresh(submitted).state == State.SUBMITTED


def test_a_reviewer_sends_back_with_a_reason(client, world, submitted):
    login(client, world.county_office)
    act(client, submitted, "send-back", reason="材料不全", version=refresh(submitted).version)
    assert refresh(submitted).state == State.IN_PROGRESS


def test_a_stale_action_button_is_refused(client, world, problem):
    login(client, world.branch_reporter)
    old_version = refresh(problem).version
    actions.update_problem(problem, actor=world.county_office, description="已被别人修改")
    assert "该记录已被他人修改" in text(act(client, problem, "start", version=old_version))
    assert refresh(problem).state == State.OPEN


def test_withdraw_keeps_the_problem_in_history(client, world, problem):
    login(client, world.branch_reporter)
    act(client, problem, "withdraw", reason="与上级交办问题重复", version=refresh(problem).version)
    assert refresh(problem).withdrawn
    body = text(client.get(detail_url(problem)))
    assert "与上级交办问题重复" in body and "已撤回" in body


def test_reporter_escalates_and_keeps_following_the_problem(client, world, problem):
    login(client, world.branch_reporter)
    body = text(client.get(detail_url(problem)))
    assert "中共A县委" in body and "中共X市委" in body  # the ancestors to choose from
    act(client, problem, "escalate", to="XS-A", reason="涉及全县教师编制", version=refresh(problem).version)
    problem = refresh(problem)
    assert problem.org == world.county_a and problem.origin_org == world.branch_a1a
    assert client.get(detail_url(problem)).status_code == 200
    assert "理论学习不深入" in text(client.get("/problems/XS-A-1-1/"))


def test_escalating_to_an_org_that_is_not_an_ancestor_is_refused(client, world, problem):
    login(client, world.branch_reporter)
    body = text(act(client, problem, "escalate", to="XS-B", reason="x", version=refresh(problem).version))
    assert "提交给" in body and refresh(problem).org == world.branch_a1a


# ------------------------------------------------------------------ edit: nothing is silently overwritten


def test_the_second_save_is_told_and_nothing_is_overwritten(client, world, problem):
    login(client, world.branch_reporter)
    form = client.get(f"{detail_url(problem)}edit/").context["form"]
    opened_version = form.initial["version"]
    actions.update_problem(problem, actor=world.county_office, description="县委办已改写的描述")
    response = client.post(
        f"{detail_url(problem)}edit/",
        {
            "version": opened_version,
            "category": "理论学习",
            "source": "集体查",
            "description": "我的改写",
            "responsible": "甲1",
            "deadline": "2026-12-20",
        },
    )
    body = text(response)
    assert response.status_code == 200 and "该记录已被他人修改" in body
    assert refresh(problem).description == "县委办已改写的描述"
    assert response.context["form"].initial["description"] == "县委办已改写的描述"
    assert response.context["form"].initial["version"] == refresh(problem).version
    assert "我的改写" in body  # what the user typed is shown, not lost


def test_an_edit_with_the_current_version_is_saved(client, world, problem):
    login(client, world.branch_reporter)
    response = client.post(
        f"{detail_url(problem)}edit/",
        {
            "version": refresh(problem).version,
            "category": "理论学习",
            "source": "集体查",
            "description": "改写后",
            "responsible": "甲2",
            "deadline": "2026-12-25",
            "is_special": "on",
        },
        follow=True,
    )
    problem = refresh(problem)
    assert "已保存修改" in text(response)
    assert (problem.description, problem.responsible, problem.is_special) == ("改写后", "甲2", True)


# ------------------------------------------------------------------ evidence download


def test_evidence_is_downloaded_in_scope_and_404_outside(client, world, submitted):
    evidence = Evidence.objects.get(problem=submitted)
    response = login(client, world.county_office).get(f"/problems/evidence/{evidence.pk}/")
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert login(client, world.guide).get(f"/problems/evidence/{evidence.pk}/").status_code == 404
    assert login(client, world.outsider).get(f"/problems/evidence/{evidence.pk}/").status_code == 404


# ------------------------------------------------------------------ hand-down, rules, publish, 满意清单


def test_office_hands_a_problem_down_and_sees_the_childrens_progress(client, world):
    login(client, world.county_office)
    assert client.get("/problems/XS-A/hand-down/").status_code == 200
    response = client.post(
        "/problems/XS-A/hand-down/",
        {"category": "工作作风", "description": "文山会海", "deadline": "2026-12-31", "targets": ["XS-A-1", "XS-A-2"]},
        follow=True,
    )
    parent = Problem.objects.get(org=world.county_a, description="文山会海")
    assert sorted(c.org.code for c in parent.children.all()) == ["XS-A-1", "XS-A-2"]
    body = text(response)
    assert "交办落实情况" in body and "共 2 个单位，已销号 0 个" in body and "A县城关镇党支部" in body


def test_hand_down_to_all_branches_below(client, world):
    login(client, world.county_office)
    client.post("/problems/XS-A/hand-down/", {"category": "其他", "description": "同题共答", "all_branches": "on"})
    parent = Problem.objects.get(org=world.county_a, description="同题共答")
    assert sorted(c.org.code for c in parent.children.all()) == ["XS-A-1-1", "XS-A-1-2", "XS-A-2"]


def test_hand_down_without_targets_is_refused(client, world):
    response = login(client, world.county_office).post(
        "/problems/XS-A/hand-down/", {"category": "其他", "description": "x"}
    )
    assert "请勾选下级组织" in text(response) and not Problem.objects.exists()


def test_rules_are_recorded_and_linked_to_problems(client, world, problem):
    login(client, world.branch_reporter)
    assert "理论学习不深入" in text(client.get("/problems/XS-A-1-1/rules/"))
    response = client.post(
        "/problems/XS-A-1-1/rules/",
        {
            "title": "理论学习制度",
            "doc_number": "教支〔2026〕1号",
            "issued_on": "2026-11-25",
            "problems": [str(problem.pk)],
        },
        follow=True,
    )
    rule = InstitutionRule.objects.get()
    assert list(rule.problems.all()) == [problem] and "理论学习制度" in text(response)
    assert "理论学习制度" in text(client.get(detail_url(problem)))


def test_publishing_shows_the_link_and_the_qr_code(client, world, submitted):
    login(client, world.county_office)
    body = text(act(client, submitted, "publish", title="", summary="已建立每周学习制度"))
    item = submitted.publication
    assert f"/p/{item.token}/" in body and "打印二维码" in body and f"/p/{item.token}/qr.png" in body


def test_satisfied_items_are_on_the_satisfaction_list(client, world, submitted):
    Campaign.objects.create(
        name="主题教育",
        start=dt.date(2026, 9, 1),
        end=dt.date(2027, 1, 31),
        root=world.city,
        satisfaction_threshold=0.6,
        satisfaction_min_votes=3,
    )
    item = actions.publish(submitted, actor=world.county_office, summary="已整改")
    login(client, world.county_office)
    assert client.get("/problems/XS-A/satisfied/").context["listed"] == []
    for i, choice in enumerate(["满意", "基本满意", "不满意"]):
        actions.rate(item, choice=choice, comment="", device=f"d{i}", ip=f"10.0.0.{i}")
    response = client.get("/problems/XS-A/satisfied/")
    assert [i.pk for i in response.context["listed"]] == [item.pk] and "67%" in text(response)
