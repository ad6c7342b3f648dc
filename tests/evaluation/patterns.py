"""A test city with one unit per short-board pattern and look-alikes that must not be named.

    XS 中共X市委 (as_of 2026-11-27, campaign 2026-09-01 … 2027-01-31: time progress 57.5%)
    ├── SZ 市直机关工委 (党工委: the briefing addresses the 党组 below it)
    │   ├── SZ-1 市卫健委党组      集体学习多个人自学少 (members never study on their own)
    │   ├── SZ-2 市教育局党组      look-alike: strong collective AND self-study; many findings, most converted
    │   ├── SZ-3 市水利局党组      措施不具体 (three measures that only say 加强/提高/进一步)
    │   └── SZ-4 市农业农村局党组  就整改抓整改 (its measures: a meeting, study and 制定整改方案)
    ├── A 中共A县委
    │   ├── A-1 A县城关镇党委 (3 branches)   末端覆盖不足 (no branch studied in November)
    │   ├── A-2 A县财政局党组      未开展专题研讨 (its branch held only 支部学习)
    │   ├── A-3 A县交通局党组      逾期未启动 (a problem past its deadline still 待整改)
    │   ├── A-4 A县审计局党组      未查摆问题 (no problems at all)
    │   ├── A-5 A县商务局党组      look-alike: a problem past its deadline but being rectified
    │   ├── A-6 A县农业农村局党组  立足自身主动改不够 (3 of its 4 problems found by 上级查/群众评)
    │   └── A-7 A县林业局党组      look-alike: 2 of 4 problems found by others (balanced), one of
    │                              them on 11-20 (problems spread over the campaign); 举一反三不够 (its
    │                              对照检视 suggestions of October still unanswered; every other unit answered)
    └── B 中共B县委
        ├── B-1 B县人社局党组      未邀请党校专家宣讲 (its lecture was by its own leader)
        ├── B-2 B县民政局党组      领导干部调研少/无 (cadres made no visit)
        ├── B-3 B县城南镇党委      调研多转化少 (6 findings, 1 converted); one real 办实事 project
        ├── B-4 B县住建局党组      办实事泛化 (its only project is 召开工作会议)
        ├── B-5 B县文旅局党组      look-alike: cadres made one visit each (enough at 57.5%); its only
        │                          problem was found by 上级查 (too few problems to judge);
        │                          领导干部个人检视问题缺失 (its one problem is the unit's, no cadre's own)
        ├── B-6 B县科技局党组      只请进来未走出去 (党校 experts came; it never went out to learn)
        └── B-7 B县统计局党组      边学边改不够 (its 2 problems both found on 11-20, in the last quarter)

Every other unit does everything (each unit also held one 现场教学 in October): each branch (3 members) and each unit's cadres (2) attend a
专题研讨 by a 党校 expert in November covering the reading list and study every chapter on their
own; each cadre makes two visits; each unit has one problem with one concrete measure, its first cadre's own
(个人检视).
"""

import datetime as dt
from types import SimpleNamespace

from tests.conftest import make_org, make_person
from tuijin.campaigns.models import Campaign, Chapter, ReadingItem
from tuijin.rectification import actions as rect
from tuijin.research import actions as research
from tuijin.study import actions as study

AS_OF = dt.date(2026, 11, 27)
NOV, OCT = dt.date(2026, 11, 10), dt.date(2026, 10, 12)

PATTERN = {  # detector -> the unit code that shows it
    "collective_over_self": "SZ-1",
    "vague_measures": "SZ-3",
    "grassroots_quiet": "A-1",
    "no_seminar": "A-2",
    "overdue_not_started": "A-3",
    "no_problems_found": "A-4",
    "no_expert_lecture": "B-1",
    "few_research": "B-2",
    "research_not_converted": "B-3",
    "generic_projects": "B-4",
    "found_by_others": "A-6",
    "only_invited_in": "B-6",
    "formal_rectification": "SZ-4",
    "late_problems": "B-7",
    "self_check_lagging": "A-7",
    "cadre_own_list_missing": "B-5",
}
NAMES = {
    "SZ-1": "市卫健委党组",
    "SZ-2": "市教育局党组",
    "SZ-3": "市水利局党组",
    "A-1": "A县城关镇党委",
    "A-2": "A县财政局党组",
    "A-3": "A县交通局党组",
    "A-4": "A县审计局党组",
    "A-5": "A县商务局党组",
    "B-1": "B县人社局党组",
    "B-2": "B县民政局党组",
    "B-3": "B县城南镇党委",
    "B-4": "B县住建局党组",
    "B-5": "B县文旅局党组",
    "SZ-4": "市农业农村局党组",
    "A-6": "A县农业农村局党组",
    "A-7": "A县林业局党组",
    "B-6": "B县科技局党组",
    "B-7": "B县统计局党组",
}


def build_city():
    w = SimpleNamespace(units={}, branches={}, people={}, cadres={})
    w.city = make_org(None, "XS", "中共X市委", kind="党委")
    w.sz = make_org(w.city, "SZ", "市直机关工委", kind="党工委")
    w.a = make_org(w.city, "A", "中共A县委", kind="党委")
    w.b = make_org(w.city, "B", "中共B县委", kind="党委")
    w.campaign = Campaign.objects.create(
        name="测试主题教育", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 31), root=w.city
    )
    item = ReadingItem.objects.create(campaign=w.campaign, code="R1", title="党的二十大报告")
    w.chapters = [Chapter.objects.create(item=item, code=f"R1-0{i}", title=f"第{i}部分", position=i) for i in (1, 2)]
    for code, name in NAMES.items():
        parent = {"S": w.sz, "A": w.a, "B": w.b}[code[0]]
        kind = "党委" if name.endswith("党委") else "党组"
        unit = w.units[code] = make_org(parent, code, name, kind=kind)
        w.cadres[code] = [
            make_person(unit, f"{code}-C{i}", f"{code}书记{i}", is_leading_cadre=True, cadre_level="县处级")
            for i in (1, 2)
        ]
        w.branches[code] = [
            make_org(unit, f"{code}-{k}", f"{name.removesuffix('党组').removesuffix('党委')}第{k}党支部")
            for k in range(1, (4 if code == "A-1" else 2))
        ]
        for branch in w.branches[code]:
            w.people[branch.code] = [
                make_person(branch, f"{branch.code}-P{i}", f"{branch.code}党员{i}") for i in (1, 2, 3)
            ]
    for code, unit in w.units.items():
        fill_unit(w, code, unit)
    # 举一反三: the 上级查 problems (A-6, A-7, B-5) were suggested to the other 党组 for a self-check (对照检视);
    # every unit answered within three days except A-7, whose suggestions are still open on 11-27.
    from tuijin.rectification.models import SelfCheck

    for check in SelfCheck.objects.exclude(org=w.units["A-7"]):
        rect.answer_self_check(
            check,
            actor=None,
            exists=False,
            note="已对照检视，本单位不存在同类问题",
            as_of=check.suggested_on + dt.timedelta(days=3),
        )
    return w


def session(w, org, people, *, date=NOV, form="专题研讨", category="党校专家"):
    return study.record_session(
        actor=None,
        org=org,
        date=date,
        form=form,
        topic=f"{org.name}{form}{date}",
        speaker="王教授" if category == "党校专家" else "本单位书记",
        speaker_category=category,
        chapters=w.chapters,
        attendees=people,
    )


def self_study(w, people):
    for person in people:
        for chapter in w.chapters:
            study.log_self_study(actor=None, person=person, date=dt.date(2026, 11, 3), chapter=chapter)


def fill_unit(w, code, unit):
    cadres = w.cadres[code]
    session(w, unit, cadres, category="本单位领导" if code == "B-1" else "党校专家")
    if code != "B-6":
        study.record_session(
            actor=None, org=unit, date=OCT, form="现场教学", topic="赴红色教育基地现场教学", headcount=2
        )
    if code != "SZ-1":
        self_study(w, cadres)
    for branch in w.branches[code]:
        people = w.people[branch.code]
        session(w, branch, people, date=OCT if code == "A-1" else NOV, form="支部学习" if code == "A-2" else "专题研讨")
        if code != "SZ-1":
            self_study(w, people)
    visits = {"B-2": 0, "B-5": 1}.get(code, 2)
    for cadre in cadres:
        for v in range(visits):
            research.record_visit(actor=None, person=cadre, date=dt.date(2026, 10, 20 + v), topic=f"调研{v}")
    if code in ("B-3", "SZ-2"):
        visit = research.record_visit(
            actor=None,
            person=cadres[0],
            date=dt.date(2026, 10, 25),
            topic="专题调研",
            findings=[f"{unit.name}调研发现{i}" for i in range(6)],
        )
        for finding in list(visit.findings.all())[: 1 if code == "B-3" else 4]:
            research.convert_to_problem(
                finding, actor=None, found_on=dt.date(2026, 10, 26), deadline=dt.date(2026, 12, 31)
            )
    if code == "B-4":
        research.create_project(actor=None, org=unit, name="召开工作会议", listed_on=dt.date(2026, 10, 1))
    if code == "B-3":
        research.create_project(
            actor=None,
            org=unit,
            name="为城南社区32户居民更换路灯",
            need="居民反映夜间出行不便",
            beneficiaries=32,
            listed_on=dt.date(2026, 10, 1),
        )
    if code == "A-4":
        return
    concrete = {"text": "由办公室负责，12月31日前完成台账整改", "owner": "张三", "deadline": dt.date(2026, 12, 31)}
    if code == "SZ-3":
        measures = [
            {"text": t, "owner": "李四", "deadline": dt.date(2026, 12, 31)}
            for t in ("加强理论学习", "提高思想认识", "进一步改进工作作风")
        ]
    elif code == "SZ-2":
        measures = [
            concrete,
            {"text": "每月召开1次支部委员会研究整改", "owner": "王五", "deadline": dt.date(2026, 12, 31)},
            {"text": "加强学习，11月底前完成4次集中学习", "owner": "王五", "deadline": dt.date(2026, 11, 30)},
        ]
    elif code == "SZ-4":
        measures = [
            {"text": t, "owner": "赵六", "deadline": dt.date(2026, 12, 31)}
            for t in ("召开专题会议研究部署整改工作", "组织集中学习2次", "制定整改方案")
        ]
    else:
        measures = [concrete]
    overdue = code in ("A-3", "A-5")
    others = {"A-6": ["上级查", "上级查", "群众评"], "A-7": ["上级查", "群众评", "个人纠"]}.get(code, [])
    late = dt.date(2026, 11, 20)  # in the last quarter of the elapsed time (from 11-05 on 11-27)
    if code == "B-7":
        others = ["集体查"]
    for i, source in enumerate(others):
        found_on = late if (code, source) in (("A-7", "个人纠"), ("B-7", "集体查")) else dt.date(2026, 10, 1)
        rect.create_problem(
            actor=None,
            org=unit,
            description=f"{unit.name}的问题{i}",
            source=source,
            found_on=found_on,
            deadline=dt.date(2026, 12, 31),
            measures=[concrete],
        )
    problem = rect.create_problem(
        actor=None,
        org=unit,
        description=f"{unit.name}的问题",
        source="上级查" if code == "B-5" else "集体查",
        found_on=late if code == "B-7" else dt.date(2026, 10, 1),
        deadline=dt.date(2026, 11, 1) if overdue else dt.date(2026, 12, 31),
        measures=measures,
        owner_person=None if code == "B-5" else cadres[0],
    )
    if code == "A-5":
        rect.start_rectification(problem, actor=None)
