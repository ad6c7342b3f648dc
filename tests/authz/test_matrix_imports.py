"""The authorization matrix for the upload page /imports/ (SPEC §3, §4.2): every kind of import ×
a row about an org or person in scope and one out of it.

The page is for business roles (a party member or an admin role gets 404). An upload always answers
302 to its job's page — which shows the result or every row's error — so the database decides: a row naming an org
or a person outside the uploader's scope, or one it may not change, is refused and the import writes
nothing (all-or-nothing). Creating an org needs org.manage (offices only); people, problems, sessions,
self-study, visits and projects need the unit or an office above it (MANAGES).
"""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from tuijin.imports.registry import KINDS
from tuijin.orgs.models import Org, Person
from tuijin.rectification.models import Problem
from tuijin.research.models import Project, ResearchVisit
from tuijin.study.models import SelfStudy, StudySession

from .matrix import BUSINESS, MANAGES, Change, anonymous_test, change_test

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ORG_LABELS = ("XS-A-1-1", "XS-B-1")
PERSON_LABELS = ("A1A2", "B1P1")

# org.manage: offices only, over their subtree
OFFICES_MANAGE = {"city_office": {"XS-A-1-1", "XS-B-1"}, "county_office": {"XS-A-1-1"}}


def sheet(kind, row):
    """An upload of one row in the kind's template columns."""
    book = openpyxl.Workbook()
    headers = KINDS[kind].headers
    book.active.append(headers)
    book.active.append([row.get(h, "") for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)

    def files(label):
        return {"file": SimpleUploadedFile(f"{kind}.xlsx", buffer.getvalue(), XLSX)}

    return files


def importing(kind, labels, row, applied, may):
    """Uploading a sheet whose one row is `row(label)`: refused or not, the page answers 200."""

    def files(label):
        return sheet(kind, row(label))(label)

    return Change(
        f"import_{kind}",
        "post",
        "/imports/",
        "org" if labels == ORG_LABELS else "person",
        lambda label: {"kind": kind},
        applied,
        may=may,
        labels=labels,
        files=files,
        sees={p: set(labels) for p in BUSINESS},
        ok=302,
        denied=302,
    )


PROJECT = "PJ-IMP 为城关镇新建老年助餐点，解决独居老人吃饭难"

CHANGES = [
    importing(
        "orgs",
        ORG_LABELS,
        lambda label: {
            "组织编码": f"{label}-9",
            "组织名称": f"{label}矩阵新增党支部",
            "上级组织编码": label,
            "组织类别": "党支部",
            "所属领域": "机关",
            "批次": "第二批",
        },
        lambda label: Org.objects.filter(code=f"{label}-9").exists(),
        OFFICES_MANAGE,
    ),
    importing(
        "people",
        ORG_LABELS,
        lambda label: {"人员编号": "MXP1", "姓名": "矩阵新人", "所在组织编码": label, "政治面貌": "正式党员"},
        lambda label: Person.objects.filter(number="MXP1", org__code=label).exists(),
        MANAGES,
    ),
    importing(
        "problems",
        ORG_LABELS,
        lambda label: {"组织编码": label, "问题编号": "MX-IMP", "问题描述": "矩阵导入的问题", "问题来源": "集体查"},
        lambda label: Problem.objects.filter(number="MX-IMP", org__code=label).exists(),
        MANAGES,
    ),
    importing(
        "study-sessions",
        ORG_LABELS,
        lambda label: {
            "组织编码": label,
            "日期": "2026-11-20",
            "学习形式": "专题研讨",
            "主题": "SS-IMP",
            "参加人数": 5,
        },
        lambda label: StudySession.objects.filter(topic="SS-IMP", org__code=label).exists(),
        MANAGES,
    ),
    importing(
        "projects",
        ORG_LABELS,
        lambda label: {
            "组织编码": label,
            "项目名称": PROJECT,
            "群众需求": "城关镇独居和高龄老人120人吃饭难",
            "所属领域": "养老",
            "受益人数": 120,
            "计划完成时间": "2026-12-31",
        },
        lambda label: Project.objects.filter(name=PROJECT, org__code=label).exists(),
        MANAGES,
    ),
    importing(
        "self-study",
        PERSON_LABELS,
        lambda label: {"人员编号": label, "日期": "2026-11-20", "篇目编码": "R1-03"},
        lambda label: SelfStudy.objects.filter(person__number=label, chapter__code="R1-03").exists(),
        MANAGES,
    ),
    importing(
        "research",
        PERSON_LABELS,
        lambda label: {"人员编号": label, "日期": "2026-11-20", "调研主题": "RV-IMP", "调研地点": "幸福村"},
        lambda label: ResearchVisit.objects.filter(topic="RV-IMP", person__number=label).exists(),
        MANAGES,
    ),
]

test_an_upload_writes_only_what_the_uploader_may_change = change_test(CHANGES)
test_anonymous_visitors_are_sent_to_login = anonymous_test(changes=CHANGES)
