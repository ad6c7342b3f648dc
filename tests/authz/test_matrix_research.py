"""The authorization matrix for research visits and practical projects (SPEC §2.4), pages and API.

A party member sees and records only their own visits (RECORDS) — the nav takes them to their own
org's visit list — but not the org's projects. Turning a finding into a problem or a measure, and
every change to a project, needs records.manage (MANAGES); publishing a finished project for the
public's rating is also open to its reviewers (PUBLISHES).
"""

from tuijin.rectification.models import Problem, PublicItem, State
from tuijin.research.models import Finding, Project, ResearchVisit

from .matrix import (
    BUSINESS,
    MANAGES,
    MEMBERS,
    ORG_SAMPLE,
    PERSONAS,
    PUBLISHES,
    RECORDS,
    Change,
    Endpoint,
    Listing,
    Page,
    anonymous_test,
    api_items,
    change_test,
    children_of,
    column,
    context_orgs,
    context_rows,
    label_of,
    listing_test,
    object_test,
    only,
    orgs_under,
    page_test,
    upload,
)

# ------------------------------------------------------------------ what the truth is, scope ignored


def visits_under(code):
    return set(ResearchVisit.objects.filter(org__code__in=orgs_under(code)).values_list("topic", flat=True))


def projects_under(code):
    return {
        label_of(name) for name in Project.objects.filter(org__code__in=orgs_under(code)).values_list("name", flat=True)
    }


def all_visits(text):
    return set(ResearchVisit.objects.values_list("topic", flat=True))


def all_projects(text):
    return {label_of(name) for name in Project.objects.values_list("name", flat=True)}


# A visit is recorded for a person of the org itself: at an org with no people of its own, nobody may (403).
HAS_PEOPLE = {"XS-A-1", "XS-A-1-1", "XS-A-1-2", "XS-B-1"}
RECORDS_AT = {persona: labels & HAS_PEOPLE for persona, labels in RECORDS.items()}

# ------------------------------------------------------------------ the rows


OBJECT_ENDPOINTS = [
    Endpoint("visit_detail", "/research/visit/{}/", "visit"),
    Endpoint("project_detail", "/research/project/{}/", "project"),
    Endpoint("project_edit_form", "/research/project/{}/edit/", "project", may=MANAGES),
    Endpoint("project_evidence", "/research/evidence/{}/", "project_evidence"),
    Endpoint(
        "visits",
        "/research/{}/",
        "org",
        context_rows("page", "topic"),
        visits_under,
        labels=ORG_SAMPLE,
        also=((context_orgs("children"), children_of),),
    ),
    Endpoint("visit_new_form", "/research/{}/new/", "org", labels=ORG_SAMPLE, may=RECORDS_AT),
    Endpoint(
        "projects",
        "/research/{}/projects/",
        "org",
        context_rows("page", "name"),
        projects_under,
        labels=ORG_SAMPLE,
        also=((context_orgs("children"), children_of),),
    ),
    Endpoint("project_new_form", "/research/{}/projects/new/", "org", labels=ORG_SAMPLE, may=MANAGES),
    Endpoint(
        "export_visits", "/research/{}/export/research.xlsx", "org", column("调研主题"), visits_under, labels=ORG_SAMPLE
    ),
    Endpoint(
        "export_projects",
        "/research/{}/export/projects.xlsx",
        "org",
        column("项目名称"),
        projects_under,
        labels=ORG_SAMPLE,
    ),
    Endpoint("api_visit", "/api/v1/research/visits/{}", "visit"),
    Endpoint(
        "api_visits_of_org",
        "/api/v1/research/visits?org={}",
        "org",
        api_items("topic"),
        visits_under,
        labels=ORG_SAMPLE,
    ),
    Endpoint("api_project", "/api/v1/research/projects/{}", "project"),
    Endpoint(
        "api_projects_of_org",
        "/api/v1/research/projects?org={}",
        "org",
        api_items("name"),
        projects_under,
        labels=ORG_SAMPLE,
    ),
    Endpoint("api_project_evidence", "/api/v1/research/evidence/{}", "project_evidence"),
    Endpoint("api_indicators", "/api/v1/research/indicators?org={}", "org", labels=ORG_SAMPLE),
]

PAGES = [
    Page("research_root", "/research/", dict.fromkeys(BUSINESS + MEMBERS, 302)),  # a member: their own org's visits
    Page(
        "research_root_all", "/research/?scope=all", dict.fromkeys(BUSINESS + MEMBERS, 302)
    ),  # one root each: its visits
]

LISTINGS = [
    Listing("api_visits", "/api/v1/research/visits?q={}", {"all": ""}, api_items("topic"), all_visits),
    Listing("api_projects", "/api/v1/research/projects?q={}", {"all": ""}, api_items("name"), all_projects),
]

# ------------------------------------------------------------------ the changes

WHO_AT = {"XS-A-1-1": "A1A1", "XS-A-1": "A1C1", "XS-B-1": "B1P1"}  # whose visit is recorded at an org
MEASURE_ON = {
    "RV-A1A1": "MX-A11",
    "RV-A1C1": "MX-ESC",
    "RV-B1P1": "MX-B1",  # an open problem of the visit's org
    "FD-A1A1": "MX-A11",
    "FD-A1C1": "MX-ESC",
    "FD-B1P1": "MX-B1",
}
ORG_LABELS = ("XS-A-1-1", "XS-A-1", "XS-B-1")
NEED = "城关镇独居和高龄老人120人吃饭难"


def visit(label):
    return ResearchVisit.objects.select_related("org").get(topic=label)


def finding_of(label):
    return visit(label).findings.order_by("pk").first()


def project(label):
    return Project.objects.get(name__startswith=label)


def converted(label):
    finding = Finding.objects.get(text__startswith=label) if label.startswith("FD") else finding_of(label)
    return finding.converted_problem_id is not None


def to_problem_form(label):
    f = finding_of(label)
    return {
        "finding": f.pk,
        f"p{f.pk}-org": visit(label).org.code,
        f"p{f.pk}-description": f.text,
        f"p{f.pk}-category": "服务群众",
        f"p{f.pk}-deadline": "2026-12-31",
    }


def reopen_target(label):
    """MX-B1 waits for acceptance in the matrix world, and a submitted problem's measures are frozen: put it
    back to 整改中 so a finding can become a measure on it."""
    Problem.objects.filter(number=MEASURE_ON[label]).update(state=State.IN_PROGRESS)


def to_measure_form(label):
    f = finding_of(label)
    return {
        "finding": f.pk,
        f"m{f.pk}-problem": Problem.objects.get(number=MEASURE_ON[label]).pk,
        f"m{f.pk}-text": "矩阵转化的整改措施",
        f"m{f.pk}-owner": "甲1",
        f"m{f.pk}-deadline": "2026-12-31",
    }


def project_form(label):
    p = project(label)
    return {
        "name": p.name,
        "need": "矩阵修改后的群众需求：" + NEED,
        "need_category": p.need_category,
        "beneficiaries": p.beneficiaries,
        "deadline": "2026-12-31",
        "version": p.version,
    }


def in_status(status):
    def prepare(label):
        Project.objects.filter(name__startswith=label).update(status=status)

    return prepare


def visit_form(label):
    return {
        "person": WHO_AT[label],
        "date": "2026-11-20",
        "topic": "RV-NEW",
        "place": "幸福村",
        "f-TOTAL_FORMS": "1",
        "f-INITIAL_FORMS": "0",
        "f-0-text": "矩阵调研发现的问题",
    }


def new_project(name):
    return {
        "name": f"{name} 为城关镇新建老年助餐点，解决独居老人吃饭难",
        "need": NEED,
        "need_category": "养老",
        "beneficiaries": 120,
        "deadline": "2026-12-31",
    }


CHANGES = [
    Change(
        "finding_add",
        "post",
        "/research/visit/{}/add/",
        "visit",
        lambda label: {"text": "矩阵补充的发现问题"},
        lambda label: visit(label).findings.filter(text="矩阵补充的发现问题").exists(),
        may=RECORDS,
        ok=302,
        denied=302,
    ),
    Change(
        "finding_to_problem",
        "post",
        "/research/visit/{}/problem/",
        "visit",
        to_problem_form,
        converted,
        may=MANAGES,
        ok=302,
        denied=302,
    ),
    Change(
        "finding_to_measure",
        "post",
        "/research/visit/{}/measure/",
        "visit",
        to_measure_form,
        converted,
        may=MANAGES,
        ok=302,
        denied=302,
        prepare=reopen_target,
    ),
    Change(
        "project_edit",
        "post",
        "/research/project/{}/edit/",
        "project",
        project_form,
        lambda label: project(label).need.startswith("矩阵修改后"),
        may=MANAGES,
        ok=302,
    ),
    Change(
        "project_status",
        "post",
        "/research/project/{}/status/",
        "project",
        lambda label: {"status": "推进中"},
        lambda label: project(label).status == "推进中",
        may=MANAGES,
        ok=302,
        denied=302,
    ),
    Change(
        "project_upload",
        "post",
        "/research/project/{}/evidence/",
        "project",
        files=upload("矩阵佐证.pdf"),
        applied=lambda label: project(label).evidence.filter(name="矩阵佐证.pdf").exists(),
        may=MANAGES,
        ok=302,
        denied=302,
    ),
    Change(
        "project_publish",
        "post",
        "/research/project/{}/publish/",
        "project",
        lambda label: {"summary": "矩阵办理结果"},
        lambda label: PublicItem.objects.filter(project__name__startswith=label, summary="矩阵办理结果").exists(),
        may=PUBLISHES,
        prepare=in_status("已完成"),
        ok=302,
        denied=302,
    ),
    Change(
        "visit_new",
        "post",
        "/research/{}/new/",
        "org",
        visit_form,
        lambda label: ResearchVisit.objects.filter(topic="RV-NEW", org__code=label).exists(),
        labels=ORG_LABELS,
        may=RECORDS,
        ok=302,
    ),
    Change(
        "project_new",
        "post",
        "/research/{}/projects/new/",
        "org",
        lambda label: new_project("PJ-NEW"),
        lambda label: Project.objects.filter(name__startswith="PJ-NEW", org__code=label).exists(),
        labels=ORG_LABELS,
        may=MANAGES,
        ok=302,
    ),
    Change(
        "project_check",
        "post",
        "/research/{}/projects/check/",
        "org",
        lambda label: new_project("PJ-CHECK"),
        labels=ORG_LABELS,
        writes=False,
    ),  # a preview of the 疑似泛化 check
    Change(
        "api_create_visit",
        "post",
        "/api/v1/research/visits",
        "person",
        lambda label: {"person": label, "date": "2026-11-20", "topic": "RV-API", "place": "幸福村"},
        lambda label: ResearchVisit.objects.filter(topic="RV-API", person__number=label).exists(),
        labels=("A1A1", "A1C1", "B1P1"),
        may=RECORDS,
        ok=201,
    ),
    Change(
        "api_add_finding",
        "post",
        "/api/v1/research/visits/{}/findings",
        "visit",
        lambda label: {"text": "矩阵接口补充的发现"},
        lambda label: visit(label).findings.filter(text="矩阵接口补充的发现").exists(),
        may=RECORDS,
        ok=201,
    ),
    Change(
        "api_to_problem",
        "post",
        "/api/v1/research/findings/{}/to-problem",
        "finding",
        lambda label: {},
        converted,
        may=MANAGES,
        ok=201,
    ),
    # A member sees their finding but not the problem it would join: the problem is the wrong field (422).
    Change(
        "api_to_measure",
        "post",
        "/api/v1/research/findings/{}/to-measure",
        "finding",
        lambda label: {"problem_id": Problem.objects.get(number=MEASURE_ON[label]).pk, "text": "矩阵接口措施"},
        converted,
        may=MANAGES,
        ok=201,
        denied={"member": 422, "committee_member": 422},
        prepare=reopen_target,
    ),
    Change(
        "api_create_project",
        "post",
        "/api/v1/research/projects",
        "org",
        lambda label: {"org": label, **new_project("PJ-API")},
        lambda label: Project.objects.filter(name__startswith="PJ-API", org__code=label).exists(),
        labels=ORG_LABELS,
        may=MANAGES,
        ok=201,
    ),
    Change(
        "api_patch_project",
        "patch",
        "/api/v1/research/projects/{}",
        "project",
        lambda label: {"version": project(label).version, "need": "矩阵接口修改的需求：" + NEED},
        lambda label: project(label).need.startswith("矩阵接口修改"),
        may=MANAGES,
    ),
    Change(
        "api_project_status",
        "post",
        "/api/v1/research/projects/{}/status",
        "project",
        lambda label: {"status": "推进中"},
        lambda label: project(label).status == "推进中",
        may=MANAGES,
    ),
    Change(
        "api_project_upload",
        "post",
        "/api/v1/research/projects/{}/evidence",
        "project",
        files=upload("矩阵接口佐证.pdf"),
        applied=lambda label: project(label).evidence.filter(name="矩阵接口佐证.pdf").exists(),
        may=MANAGES,
        ok=201,
    ),
    Change(
        "api_check_project",
        "post",
        "/api/v1/research/projects/check",
        "site",
        lambda label: new_project("PJ-X"),
        sees=only(*PERSONAS),
        writes=False,
    ),  # text in, reasons out: no data
]

# ------------------------------------------------------------------ the tests

test_an_object_is_shown_in_scope_and_is_404_outside = object_test(OBJECT_ENDPOINTS)
test_a_page_answers_each_persona_as_the_table_says = page_test(PAGES)
test_a_list_shows_exactly_the_rows_in_scope = listing_test(LISTINGS)
test_a_change_is_404_outside_scope_and_refused_without_the_permission = change_test(CHANGES)
test_anonymous_visitors_are_sent_to_login_and_the_api_answers_401 = anonymous_test(
    objects=OBJECT_ENDPOINTS, pages=PAGES, listings=LISTINGS, changes=CHANGES
)
