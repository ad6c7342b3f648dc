"""The research and practical-project pages: scope as everywhere (out of scope is 404), forms that
parse and call the actions, the 疑似泛化 warning at save time, evidence served only through scope."""

import html

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import login_as, make_user
from tuijin.rectification.models import Problem
from tuijin.research import actions
from tuijin.research.models import Finding, Project, ResearchVisit

from .conftest import PDF, TODAY, good_project


def text(response):
    return html.unescape(response.content.decode())


def test_the_nav_entry_goes_to_the_first_scope_root(client, world):
    client.force_login(world.county_office)
    assert client.get("/research/").url == "/research/XS-A/"
    assert "调研与办实事" in text(client.get("/"))
    login_as(client, world.sysadmin)
    assert client.get("/research/").status_code == 404


def test_the_visits_page_shows_the_subtree_and_404s_outside_it(client, world, visit):
    client.force_login(world.county_office)
    page = client.get("/research/XS-A/")
    assert page.status_code == 200 and "农村学校课后服务情况调研" in text(page) and "未转化" in text(page)
    assert client.get("/research/XS-B/").status_code == 404
    client.force_login(world.guide)
    assert client.get("/research/XS-A/").status_code == 404
    assert client.get(f"/research/visit/{visit.pk}/").status_code == 404
    assert "农村学校课后服务情况调研" not in text(client.get("/research/XS-B/"))


def test_the_visits_page_names_cadres_without_visits(client, cadres, visit):
    client.force_login(cadres.county_office)
    page = text(client.get("/research/XS-A/"))
    idle = page.split('id="idle-cadres"')[1]
    assert "丙副书记" in idle and "戊书记" in idle and "丙书记<" not in idle


def test_the_converted_filter(client, world, visit):
    client.force_login(world.county_office)
    actions.convert_to_problem(visit.findings.first(), actor=None, found_on=TODAY)
    actions.convert_to_problem(visit.findings.last(), actor=None, found_on=TODAY)
    assert "农村学校课后服务情况调研" in text(client.get("/research/XS-A/?converted=1"))
    assert "农村学校课后服务情况调研" not in text(client.get("/research/XS-A/?converted=0"))


def test_the_visit_form_offers_only_the_orgs_people(client, world):
    client.force_login(world.county_office)
    page = text(client.get("/research/XS-A-1/new/"))
    assert 'value="A1C1"' in page and "丙书记（书记，领导干部）" in page
    assert 'value="A1A1"' not in page  # a branch member is not a person of the unit
    assert 'value="XS-A-1-1"' in page  # the unit's branches may be chosen as the visited org


def test_a_visit_is_recorded_with_several_finding_rows(client, world):
    client.force_login(world.county_office)
    form = {
        "person": "A1C1",
        "date": "2026-11-20",
        "visited_org": "",
        "place": "幸福村",
        "topic": "饮水安全调研",
        "outcome": "",
        "f-TOTAL_FORMS": "3",
        "f-INITIAL_FORMS": "0",
        "f-0-text": "水质季节性超标",
        "f-1-text": "",
        "f-2-text": "管护责任不清",
    }
    response = client.post("/research/XS-A-1/new/", form)
    visit = ResearchVisit.objects.get()
    assert response.url == f"/research/visit/{visit.pk}/"
    assert list(visit.findings.values_list("text", flat=True)) == ["水质季节性超标", "管护责任不清"]


def test_the_visit_form_says_what_is_missing(client, world):
    client.force_login(world.county_office)
    form = {
        "person": "A1C1",
        "date": "2099-01-01",
        "place": "",
        "topic": "t",
        "f-TOTAL_FORMS": "1",
        "f-INITIAL_FORMS": "0",
        "f-0-text": "",
    }
    page = text(client.post("/research/XS-A-1/new/", form))
    assert "请填写调研地点，或选择调研单位" in page and ResearchVisit.objects.count() == 0
    form["place"] = "幸福村"
    assert "晚于今天" in text(client.post("/research/XS-A-1/new/", form))


def test_a_member_records_only_their_own_visit(client, world):
    client.force_login(world.member)  # 甲1 of the first branch
    page = text(client.get("/research/XS-A-1-1/new/"))
    assert 'value="A1A1"' in page and 'value="A1A2"' not in page
    assert client.get("/research/XS-A-1/new/").status_code == 404  # not their org


def test_a_reporter_who_may_not_record_gets_403(client, world):
    client.force_login(world.guide)
    assert client.get("/research/XS-B-1/new/").status_code == 403


def test_a_finding_is_turned_into_a_problem_from_the_visit_page(client, world, visit):
    client.force_login(world.county_office)
    page = text(client.get(f"/research/visit/{visit.pk}/"))
    assert "转为问题" in page and "转为措施" not in page  # no open problem yet to add a measure to
    finding = visit.findings.first()
    response = client.post(
        f"/research/visit/{visit.pk}/problem/",
        {
            "finding": finding.pk,
            f"p{finding.pk}-org": "XS-A-1",
            f"p{finding.pk}-description": finding.text,
            f"p{finding.pk}-category": "服务群众",
            f"p{finding.pk}-responsible": "丙书记",
            f"p{finding.pk}-deadline": "2026-12-31",
        },
    )
    assert response.status_code == 302
    problem = Problem.objects.get()
    assert (problem.source, problem.org.code, problem.responsible) == ("调研发现", "XS-A-1", "丙书记")
    page = text(client.get(f"/research/visit/{visit.pk}/"))
    assert f"A县教育局党委 问题 {problem.number}" in page and "已转化" in page and "转为措施" in page


def test_a_finding_is_turned_into_a_measure_from_the_visit_page(client, world, visit):
    from tuijin.rectification import actions as rectification

    problem = rectification.create_problem(
        actor=None, org=world.unit_a1, source="集体查", description="服务不主动", found_on=TODAY
    )
    client.force_login(world.county_office)
    finding = visit.findings.last()
    client.post(
        f"/research/visit/{visit.pk}/measure/",
        {
            "finding": finding.pk,
            f"m{finding.pk}-problem": str(problem.pk),
            f"m{finding.pk}-text": "配齐专职保育人员",
            f"m{finding.pk}-owner": "丙书记",
            f"m{finding.pk}-deadline": "",
        },
    )
    finding = Finding.objects.get(pk=finding.pk)
    assert finding.converted_measure.text == "配齐专职保育人员" and finding.converted_problem == problem


def test_converting_someone_elses_visit_is_404(client, world, visit):
    client.force_login(world.guide)
    finding = visit.findings.first()
    assert client.post(f"/research/visit/{visit.pk}/problem/", {"finding": finding.pk}).status_code == 404


def test_the_projects_page_shows_flags_with_their_reasons(client, world):
    good_project(world)
    actions.create_project(actor=None, org=world.branch_a1a, name="召开主题教育推进会议", listed_on=TODAY)
    actions.create_project(actor=None, org=world.branch_b1, name="日常巡查", listed_on=TODAY)
    client.force_login(world.county_office)
    page = text(client.get("/research/XS-A/projects/?flagged=1"))
    assert "召开主题教育推进会议" in page and "项目名称就是一项常规工作（召开会议）" in page
    assert "为城关镇新建3处老年助餐点" not in page and "日常巡查" not in page
    client.force_login(world.city_office)
    page = text(client.get("/research/XS/projects/?flagged=1"))
    assert "召开主题教育推进会议" in page and "日常巡查" in page
    all_rows = text(client.get("/research/XS/projects/"))
    assert "为城关镇新建3处老年助餐点" in all_rows and "疑似泛化 2" in all_rows


def test_saving_a_routine_project_warns_but_saves(client, world):
    client.force_login(world.county_office)
    response = client.post(
        "/research/XS-A-1/projects/new/",
        {"name": "完成年度工作任务", "need": "", "need_category": "", "beneficiaries": "", "deadline": ""},
        follow=True,
    )
    project = Project.objects.get()
    assert project.flagged and response.redirect_chain[-1][0] == f"/research/project/{project.pk}/"
    page = text(response)
    assert "已列入办实事项目清单。该项目疑似泛化" in page and "完成年度任务" in page


def test_the_form_checks_while_typing(client, world):
    client.force_login(world.county_office)
    page = text(client.post("/research/XS-A-1/projects/check/", {"name": "日常巡查"}))
    assert "保存后会被标记为疑似泛化" in page and "日常巡查" in page
    page = text(
        client.post(
            "/research/XS-A-1/projects/check/",
            {"name": "解决幸福村32户饮水不安全问题", "need": "幸福村32户村民饮水不安全", "beneficiaries": "105"},
        )
    )
    assert "未发现泛化迹象" in page
    assert client.post("/research/XS-B/projects/check/", {"name": "x"}).status_code == 404


def test_a_unit_reporter_cannot_add_projects_above_its_org(client, world):
    client.force_login(world.branch_reporter)
    assert client.get("/research/XS-A-1-1/projects/new/").status_code == 200
    assert client.get("/research/XS-A-1/projects/new/").status_code == 404


def test_evidence_is_uploaded_and_downloaded_only_in_scope(client, world):
    project = good_project(world)
    client.force_login(world.county_office)
    client.post(
        f"/research/project/{project.pk}/evidence/", {"file": SimpleUploadedFile("验收单.pdf", PDF, "application/pdf")}
    )
    evidence = project.evidence.get()
    download = client.get(f"/research/evidence/{evidence.pk}/")
    assert download.status_code == 200 and download.content == PDF
    assert "attachment" in download["Content-Disposition"]
    client.post(f"/research/project/{project.pk}/status/", {"status": "已完成"})
    assert Project.objects.get(pk=project.pk).status == "已完成"
    for outsider in (world.guide, world.branch_reporter, world.member):
        client.force_login(outsider)
        assert client.get(f"/research/evidence/{evidence.pk}/").status_code == 404
        assert client.get(f"/research/project/{project.pk}/").status_code == 404
    client.force_login(world.city_office)
    assert client.get(f"/research/evidence/{evidence.pk + 99}/").status_code == 404


def test_finishing_without_evidence_is_refused_on_the_page(client, world):
    project = good_project(world)
    client.force_login(world.county_office)
    response = client.post(f"/research/project/{project.pk}/status/", {"status": "已完成"}, follow=True)
    assert "至少要上传一份佐证材料" in text(response) and Project.objects.get(pk=project.pk).status == "未开始"


def test_editing_a_project_tells_a_second_editor(client, world):
    project = good_project(world)
    client.force_login(world.county_office)
    form = {
        "name": project.name,
        "need": project.need,
        "need_category": "养老",
        "beneficiaries": "130",
        "deadline": "2026-12-31",
        "version": str(project.version),
    }
    client.post(f"/research/project/{project.pk}/edit/", form)
    page = text(client.post(f"/research/project/{project.pk}/edit/", {**form, "beneficiaries": "140"}))
    assert "已被他人修改" in page and Project.objects.get(pk=project.pk).beneficiaries == 130


def test_exports_from_the_pages_are_in_the_template_columns(client, world, visit):
    good_project(world)
    client.force_login(world.county_office)
    for kind in ("research", "projects"):
        response = client.get(f"/research/XS-A/export/{kind}.xlsx")
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert client.get("/research/XS-B/export/projects.xlsx").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, world, visit):
    for url in ("/research/", "/research/XS-A/", f"/research/visit/{visit.pk}/", "/research/XS-A/projects/"):
        assert client.get(url).status_code == 302


def test_a_cadre_with_an_account_sees_own_visits_on_their_orgs_page(client, world, visit):
    own = make_user("cadre_account", "member", person=world.cadre)
    client.force_login(own)
    assert client.get("/research/").url == "/research/XS-A-1/"
    assert "农村学校课后服务情况调研" in text(client.get("/research/XS-A-1/"))
    assert client.get(f"/research/visit/{visit.pk}/").status_code == 200
