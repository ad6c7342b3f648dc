"""Demo research visits and practical projects for X市, uneven on purpose (SPEC §2.4):

- about a quarter of the leading cadres have made no research visit and a quarter only one, so the
  task "each leading cadre ≥2 调研" is met by some and missed by others;
- findings are partly converted (成果转化) into problems sourced 调研发现, a few into measures;
- most units list real practical projects, but some list routine work ("召开主题教育推进会议",
  "日常安全巡查") or name no need and no beneficiaries: genericness flags them 疑似泛化;
- about a third of the projects are finished, each with a piece of evidence.

Written in bulk (with history rows), flags computed by the same rules the actions apply.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from tuijin.core import events, files
from tuijin.orgs.models import OrgKind, Person
from tuijin.rectification.models import Measure, Problem, State
from tuijin.research.actions import apply_flags
from tuijin.research.models import Finding, Project, ProjectEvidence, ProjectStatus, ResearchVisit

from .generate import TOWNS, VILLAGES

TOPICS = [
    "{place}养老服务设施运行情况调研",
    "{place}农村饮水安全情况调研",
    "中小学课后服务开展情况调研",
    "基层医疗卫生服务能力调研",
    "企业发展困难和营商环境调研",
    "{place}老旧小区改造推进情况调研",
    "高校毕业生到基层就业情况调研",
    "信访积案化解情况调研",
    "{place}农村道路和公共设施管护情况调研",
]
FINDINGS = [
    "部分村级养老服务站建成后闲置，老人不愿去",
    "农村饮水工程管护不到位，水质季节性超标",
    "课后服务课程单一，家长满意度不高",
    "乡镇卫生院缺少全科医生，群众看病仍往县城跑",
    "企业反映涉企检查多头重复",
    "老旧小区改造后物业管理跟不上",
    "高校毕业生到基层就业意愿不强、留不住",
    "信访事项办理超期，群众满意度不高",
    "村内道路、路灯年久失修",
    "便民服务窗口午间不办公，群众办事不便",
]
OUTCOMES = ["形成调研报告1篇，提出意见建议{n}条", "召开座谈会听取群众意见，梳理问题{n}个", ""]

# (name, need, category, beneficiaries range): real answers to a people's need.
GOOD = [
    ("为{place}新建老年助餐点", "{place}独居和高龄老人吃饭难，子女不在身边", "养老", (60, 300)),
    (
        "改造{place}中心小学周边交通信号和斑马线",
        "{place}中心小学学生上下学高峰道路拥堵，存在交通安全隐患",
        "交通",
        (300, 1500),
    ),
    ("解决{place}{h}户饮水不安全问题", "{place}村民饮用水水质不达标，雨季浑浊", "饮水", (80, 600)),
    ("开通城乡公交专线方便{place}村民出行", "{place}村民到县城看病办事需步行3公里转车", "交通", (500, 3000)),
    ("为{place}留守儿童提供课后托管", "{place}双职工和留守家庭学生放学后无人看护", "教育", (40, 200)),
    ("建设{place}社区卫生服务站", "{place}居民看病要到10公里外的镇卫生院", "医疗", (1000, 5000)),
    ("为{place}失业人员开展订单式技能培训并推荐就业", "{place}登记失业人员和返乡农民工就业难", "就业", (30, 200)),
    ("整治{place}老旧小区排水管网", "{place}老旧小区住户雨天污水倒灌", "住房", (200, 1200)),
    ("治理{place}河道黑臭水体", "{place}沿河居民反映夏季异味严重", "环境", (800, 4000)),
    ("为{place}重度残疾人上门办理证件", "{place}重度残疾人行动不便，办证需多次往返", "助残", (10, 80)),
]
# Routine duty dressed as practical projects, or projects that name no need and no beneficiaries.
ROUTINE = [
    ("召开主题教育推进会议", "", "其他", None),
    ("日常安全巡查", "", "安全", 0),
    ("完成年度目标任务", "完成上级下达的年度任务", "其他", None),
    ("组织党员干部集中学习", "提高干部理论水平", "其他", 45),
    ("开展主题党日活动", "", "其他", None),
    ("例行消防安全检查", "排查隐患", "安全", 0),
    ("提升便民服务水平", "", "便民服务", None),
]
STATUS_WEIGHTS = [(ProjectStatus.DONE, 0.3), (ProjectStatus.IN_PROGRESS, 0.45), (ProjectStatus.NOT_STARTED, 0.25)]
EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
BATCH = 2000


def _weighted(rng, pairs):
    r, total = rng.random(), 0.0
    for value, weight in pairs:
        total += weight
        if r < total:
            return value
    return pairs[-1][0]


def _place(rng) -> str:
    return rng.choice(TOWNS) + (rng.choice(VILLAGES) if rng.random() < 0.5 else "")


def _visits(cadres, children, campaign, today, rng):
    """(visit, [finding texts]) for each cadre: 0, 1, 2 or 3 visits (¼ none, ¼ one)."""
    span = max(1, (min(today, campaign.end) - campaign.start).days)
    out = []
    for pk, org_id in cadres:
        for _ in range(_weighted(rng, [(0, 0.25), (1, 0.25), (2, 0.35), (3, 0.15)])):
            place = _place(rng)
            below = children.get(org_id) or []
            visited = rng.choice(below) if below and rng.random() < 0.5 else None
            visit = ResearchVisit(
                person_id=pk,
                org_id=org_id,
                date=campaign.start + dt.timedelta(days=rng.randrange(span)),
                topic=rng.choice(TOPICS).format(place=place),
                place=visited.name if visited else place,
                visited_org=visited,
                outcome=rng.choice(OUTCOMES).format(n=rng.randint(2, 6)),
            )
            out.append((visit, rng.sample(FINDINGS, rng.choice([0, 1, 2, 2, 3]))))
    return out


def _convert(findings, visits_by_id, today, rng):
    """Turn ~40% of findings into problems sourced 调研发现 and ~10% into measures of those problems."""
    problems, pending_measures = [], []
    numbers = defaultdict(int)
    by_org = defaultdict(list)  # org id -> problems created here, for measure conversions
    for finding in findings:
        visit = visits_by_id[finding.visit_id]
        r = rng.random()
        converted_on = min(today, visit.date + dt.timedelta(days=rng.randint(1, 20)))
        if r < 0.4:
            numbers[visit.org_id] += 1
            problem = Problem(
                org_id=visit.org_id,
                number=f"DY-{numbers[visit.org_id]:03d}",
                category="服务群众",
                source="调研发现",
                description=finding.text,
                found_on=converted_on,
                deadline=converted_on + dt.timedelta(days=rng.choice([30, 45, 60])),
                state=rng.choice([State.OPEN, State.IN_PROGRESS]),
            )
            problems.append((problem, finding))
            by_org[visit.org_id].append(problem)
            finding.converted_on = converted_on
        elif r < 0.5 and by_org[visit.org_id]:
            pending_measures.append((rng.choice(by_org[visit.org_id]), finding, converted_on))
    return problems, pending_measures


def _projects(owners, today, rng):
    projects = []
    for org in owners:
        names = set()
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            if rng.random() < 0.18:
                name, need, category, beneficiaries = rng.choice(ROUTINE)
            else:
                name, need, category, (low, high) = rng.choice(GOOD)
                place = _place(rng)
                name = name.format(place=place, h=rng.randint(12, 60))
                need = need.format(place=place)
                beneficiaries = rng.randint(low, high)
            if name in names:
                continue
            names.add(name)
            listed_on = today - dt.timedelta(days=rng.randint(20, 80))
            status = _weighted(rng, STATUS_WEIGHTS)
            project = Project(
                org_id=org.pk,
                name=name,
                need=need,
                need_category=category,
                beneficiaries=beneficiaries,
                deadline=today + dt.timedelta(days=rng.randint(-20, 60)),
                status=status,
                listed_on=listed_on,
                completed_on=today - dt.timedelta(days=rng.randint(0, 15)) if status == ProjectStatus.DONE else None,
            )
            projects.append(apply_flags(project))
    return projects


def build_research(orgs, campaign, today: dt.date, rng, scale: str) -> dict:
    """Add research visits, findings (partly converted) and practical projects for the demo city.
    `orgs` is the generated tree; `scale` only names the run in the event log. Returns counts."""
    orgs = [o for o in orgs if o.active]
    ids = {o.pk for o in orgs}
    children = defaultdict(list)
    for o in orgs:
        if o.parent_id in ids:
            children[o.parent_id].append(o)
    cadres = [
        (pk, org_id)
        for pk, org_id in Person.objects.filter(org_id__in=ids, is_leading_cadre=True, active=True)
        .order_by("number")
        .values_list("pk", "org_id")
    ]
    history = dict(default_change_reason="演示数据")
    with transaction.atomic():
        planned = _visits(cadres, children, campaign, today, rng)
        visits = bulk_create_with_history([v for v, _ in planned], ResearchVisit, batch_size=BATCH, **history)
        findings = [
            Finding(visit_id=v.pk, text=t, position=i)
            for v, (_, texts) in zip(visits, planned, strict=True)
            for i, t in enumerate(texts)
        ]
        visits_by_id = {v.pk: v for v in visits}
        problems, pending = _convert(findings, visits_by_id, today, rng)
        created = bulk_create_with_history([p for p, _ in problems], Problem, batch_size=BATCH, **history)
        for problem, (_, finding) in zip(created, problems, strict=True):
            finding.converted_problem_id = problem.pk
        measures = [
            Measure(problem_id=p.pk, text=f.text, owner="", deadline=p.deadline, position=0) for p, f, _ in pending
        ]
        measures = bulk_create_with_history(measures, Measure, batch_size=BATCH, **history)
        for measure, (problem, finding, on) in zip(measures, pending, strict=True):
            finding.converted_problem_id, finding.converted_measure_id = problem.pk, measure.pk
            finding.converted_on = on
        bulk_create_with_history(findings, Finding, batch_size=BATCH, **history)

        # Units (the level below the counties) list projects; about a third of the branches do too.
        depth = min((o.depth for o in orgs), default=1) + 2
        owners = [o for o in orgs if o.depth == depth or (o.kind == OrgKind.BRANCH and rng.random() < 0.3)]
        projects = bulk_create_with_history(_projects(owners, today, rng), Project, batch_size=BATCH, **history)
        done = [p for p in projects if p.status == ProjectStatus.DONE]
        evidence = []
        if done:
            stored = files.store("项目完成照片说明.pdf", EVIDENCE_PDF)
            evidence = [
                ProjectEvidence(
                    project_id=p.pk,
                    name=f"{p.name[:40]}-完成情况.pdf",
                    content_type=stored.content_type,
                    size=stored.size,
                    sha256=stored.sha256,
                    storage_name=stored.storage_name,
                )
                for p in done
            ]
            ProjectEvidence.objects.bulk_create(evidence, batch_size=BATCH)
        counts = {
            "visits": len(visits),
            "findings": len(findings),
            "converted": sum(1 for f in findings if f.converted_problem_id),
            "projects": len(projects),
            "flagged": sum(1 for p in projects if p.flagged),
            "completed": len(done),
        }
        root = min(orgs, key=lambda o: o.depth) if orgs else None
        events.record(
            None,
            "demo.research",
            ("demo", scale),
            org=root,
            summary=f"生成演示调研与办实事数据：调研 {counts['visits']} 次，发现问题 {counts['findings']} 条"
            f"（已转化 {counts['converted']} 条），办实事项目 {counts['projects']} 个"
            f"（疑似泛化 {counts['flagged']} 个）",
            after=counts,
        )
    return counts
