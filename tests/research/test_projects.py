"""Practical projects (办实事项目清单): saved even when 疑似泛化 (the flag is for supervision), flags follow
every edit, finishing needs evidence, and evidence is stored by hash."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tuijin.core.errors import ActionError, StaleEdit
from tuijin.research import actions, queries
from tuijin.research.models import Project, ProjectStatus

from .conftest import PDF, PNG, TODAY, good_project


def test_a_real_project_is_listed_unflagged(world):
    project = good_project(world)
    assert project.status == ProjectStatus.NOT_STARTED and not project.flagged and project.flag_reasons == []


def test_a_routine_project_is_saved_but_flagged_with_its_reasons(world):
    project = actions.create_project(
        actor=world.branch_reporter, org=world.branch_a1a, name="日常巡查", listed_on=TODAY
    )
    stored = Project.objects.get(pk=project.pk)
    assert stored.flagged
    assert stored.flag_reasons == [
        "项目名称就是一项常规工作（日常巡查），没有写明为谁、解决什么问题",
        "未写明群众需求（急难愁盼）",
        "未填写受益人数",
    ]


def test_editing_the_project_recomputes_the_flag(world):
    project = actions.create_project(
        actor=world.county_office, org=world.unit_a1, name="为独居老人送餐上门", listed_on=TODAY
    )
    assert project.flagged
    project = actions.update_project(
        project, actor=world.county_office, version=project.version, need="城关镇独居老人62人做饭难", beneficiaries=62
    )
    assert not project.flagged and project.flag_reasons == []


def test_names_are_unique_within_an_org(world):
    good_project(world)
    with pytest.raises(ActionError, match="已有名为"):
        good_project(world)
    assert good_project(world, org=world.branch_a1a).org == world.branch_a1a


def test_a_stale_edit_is_refused(world):
    project = good_project(world)
    actions.update_project(project, actor=world.county_office, version=project.version, beneficiaries=130)
    with pytest.raises(StaleEdit):
        actions.update_project(project, actor=world.county_office, version=project.version, beneficiaries=140)


def test_only_the_org_and_offices_above_manage_its_projects(world):
    with pytest.raises(PermissionDenied):
        actions.create_project(actor=world.branch_reporter, org=world.unit_a1, name="x", listed_on=TODAY)
    with pytest.raises(PermissionDenied):
        actions.create_project(actor=world.guide, org=world.branch_b1, name="x", listed_on=TODAY)


def test_finishing_a_project_needs_evidence_and_records_the_date(world):
    project = good_project(world)
    with pytest.raises(ActionError, match="佐证材料"):
        actions.set_project_status(project, actor=world.county_office, status=ProjectStatus.DONE, as_of=TODAY)
    actions.attach_project_evidence(project, actor=world.county_office, name="助餐点照片.png", data=PNG)
    done = actions.set_project_status(project, actor=world.county_office, status=ProjectStatus.DONE, as_of=TODAY)
    assert done.status == ProjectStatus.DONE and done.completed_on == TODAY
    back = actions.set_project_status(done, actor=world.county_office, status=ProjectStatus.IN_PROGRESS, as_of=TODAY)
    assert back.completed_on is None


def test_evidence_is_checked_by_content_and_stored_once_by_hash(world):
    project = good_project(world)
    with pytest.raises(ActionError, match="内容其实是"):
        actions.attach_project_evidence(project, actor=world.county_office, name="照片.pdf", data=PNG)
    a = actions.attach_project_evidence(project, actor=world.county_office, name="验收单.pdf", data=PDF)
    b = actions.attach_project_evidence(project, actor=world.county_office, name="验收单副本.pdf", data=PDF)
    assert a.storage_name == b.storage_name and a.sha256 == b.sha256 and project.evidence.count() == 2


def test_offices_see_every_flagged_project_in_their_subtree(world):
    good_project(world)
    routine_a = actions.create_project(actor=None, org=world.branch_a1a, name="召开主题教育推进会议", listed_on=TODAY)
    routine_b = actions.create_project(actor=None, org=world.branch_b1, name="完成年度工作任务", listed_on=TODAY)
    flagged = lambda user, org: {p.pk for p in queries.project_list(user, org, flagged="1")}  # noqa: E731
    assert flagged(world.county_office, world.county_a) == {routine_a.pk}
    assert flagged(world.city_office, world.city) == {routine_a.pk, routine_b.pk}
    assert flagged(world.guide, world.county_b) == {routine_b.pk}
    assert flagged(world.branch_reporter, world.branch_a1a) == {routine_a.pk}


def test_rechecking_applies_extended_rules_to_stored_projects(world, monkeypatch):
    from tuijin.research import genericness

    project = good_project(world, name="粉刷机关办公楼外墙", need="机关干部职工120人办公环境差")
    assert not project.flagged
    monkeypatch.setattr(
        genericness,
        "ROUTINE",
        genericness.ROUTINE + [genericness.Routine("机关用房修缮", r"机关.{0,6}办公楼", "修缮机关用房是单位自身的事")],
    )
    assert actions.recheck_flags(actor=world.county_office, org=world.county_a) == 1
    assert Project.objects.get(pk=project.pk).flagged
    with pytest.raises(PermissionDenied):
        actions.recheck_flags(actor=world.branch_reporter, org=world.branch_a1a)


def test_the_deadline_makes_an_unfinished_project_overdue(world):
    project = good_project(world, deadline=dt.date(2026, 11, 1))
    assert project.is_overdue(TODAY)
