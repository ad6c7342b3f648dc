"""Demo publicity for X市, uneven on purpose (SPEC §2.6, §2.9; the speech's 四、宣传氛围不够浓厚):

- the city office asks every county for material twice and the schools once; 东城区's office asks its
  units once. About 60% of the asked answer on time, 20% late, 20% never;
- more pieces come in unasked; some read like routine business (招商引资, 运动会): flagged 关联不紧密;
- offices adopt most at 县 level, forward some that the city adopts at 市 level (one goes on to 省);
  a few are returned with a reason; a few 典型案例/经验做法 are adopted (the library);
- media coverage is uneven: some units use every channel, some only 网络; a few placements in
  public places, with a photo;
- a few 心得 and measures are copied between branches (with light edits), and the city's copy check
  finds them; the office has confirmed one pair and dismissed none yet.

Written through the actions (a few hundred records at any scale), so every event and flag is real.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from tuijin.core.scope import subtree_q
from tuijin.orgs.models import Org, Person
from tuijin.publicity import actions
from tuijin.publicity.models import CopyPair, Submission

SH = ZoneInfo("Asia/Shanghai")
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)

GOOD = [
    (
        "{org}以“四下基层”推动主题教育走深走实",
        "经验做法",
        "{org}把主题教育同解决群众急难愁盼结合起来，班子成员带头到基层开展调查研究，梳理问题清单{n}条，"
        "已整改{m}条，为群众办实事{k}件。通过专题研讨、读原著学原文，党员干部以学促干的劲头更足。",
    ),
    (
        "{org}创新“微党课”学习模式",
        "创新举措",
        "{org}围绕学思想、强党性，推出十分钟“微党课”，由支部书记和普通党员轮流讲，结合检视整改讲身边事，"
        "参学党员{n}人次，学习教育覆盖到基层末端。",
    ),
    (
        "{org}：整改“停车难”群众点赞",
        "典型案例",
        "{org}在主题教育中把群众反映强烈的停车难列入问题清单，调研后增设停车位{n}个、错时开放单位停车场，"
        "整改结果经群众评议满意率达{p}%，形成了“查、改、评”闭环。",
    ),
    (
        "{org}召开主题教育专题研讨会",
        "工作动态",
        "{org}党委理论学习中心组围绕学习贯彻习近平新时代中国特色社会主义思想开展专题研讨，班子成员逐一交流发言，"
        "查摆问题{n}条，明确整改措施。",
    ),
]
OFF_TOPIC = [
    (
        "{org}召开三季度招商引资推进会",
        "工作动态",
        "会议通报了前三季度招商引资完成情况，签约项目{n}个，协议资金{m}亿元。",
    ),
    ("{org}举办职工趣味运动会", "工作动态", "本次运动会设拔河、跳绳、接力等项目，参赛职工{n}余人。"),
]
# Body sentences: each piece gets an opening naming its org and a pair of these no other piece has, so
# the demo's own pieces are not copies of each other (the planted ones below are).
SENTENCES = [
    "班子成员带头到基层开展调查研究，梳理问题清单{n}条。",
    "已完成整改{m}项，整改情况在党务公开栏公示。",
    "通过专题研讨交流心得，党员干部以学促干的劲头更足。",
    "组织党员读原著学原文，撰写学习心得{n}篇。",
    "聚焦群众急难愁盼，为群众办实事{k}件。",
    "邀请驻地党校专家教授开展专题宣讲{k}场。",
    "建立问题整改销号台账，逐项明确责任人和完成时限。",
    "开展“回头看”，对已销号问题逐一复核。",
    "青年党员组成学习小组，每周开展一次读书分享。",
    "结合岗位实际开展“亮身份、作表率”活动。",
    "深入村组社区走访群众{n}户，收集意见建议{m}条。",
    "把主题教育成效转化为推动发展的实际成果。",
    "针对检视出的作风问题，制定整改措施{k}条。",
    "用好“三会一课”，把学习教育延伸到基层末端。",
    "开展警示教育，组织观看警示教育片并交流体会。",
    "设立党员先锋岗{k}个，服务群众更加便捷。",
    "召开专题组织生活会，开展批评和自我批评。",
    "为困难群众解决就医、就学等实际困难{k}件。",
    "将群众满意度作为检验整改成效的重要标准。",
    "组织党员志愿服务队开展环境整治活动{k}次。",
    "围绕学思想、强党性开展集中学习研讨{k}次。",
    "对照指定书目制定学习计划，推进个人自学。",
]
MEDIA = [
    ("电视", "X市电视台《X市新闻》"),
    ("报刊", "《X市日报》"),
    ("网络", "X市新闻网"),
    ("新媒体", "“X市发布”微信公众号"),
]
PLACES = [("重点路段", "人民路与解放路交叉口"), ("公共场所", "市民广场"), ("单位内部", "机关大院宣传栏")]
# Copied with light edits: (original, copy).
COPIED_REFLECTION = (
    "通过这次主题教育集中学习，我深刻认识到理论学习必须往深里走、往实里走。作为一名基层党员，要把学习成果"
    "转化为服务群众的实际行动，主动走访困难群众，及时解决群众反映的急难愁盼问题，在岗位上发挥先锋模范作用。",
    "通过本次主题教育的集中学习，我深刻认识到理论学习一定要往深里走、往实里走！作为一名普通党员，要把学习"
    "成果转化成服务群众的实际行动，主动走访困难群众，及时解决群众反映的急难愁盼问题，在本职岗位上发挥先锋模范作用。",
)
COPIED_MEASURE = (
    "建立党员联系服务群众台账，每名党员联系不少于5户群众，每月至少走访一次，收集意见建议后在支部会议上研究"
    "解决，解决结果在村务公开栏公示，接受群众监督。",
    "建立党员联系服务群众台账，每名党员联系不少于3户群众，每月至少走访一次，收集到的意见建议在支部会议上研究"
    "解决，解决结果在公开栏公示，接受群众监督。",
)


def _moment(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 30), tzinfo=SH)


def _body(org, rng, pairs):
    short = org.name.removeprefix("中共").removesuffix("委员会")
    i, j = pairs.pop() if pairs else (0, 1)
    return _fill(
        f"{short}在主题教育中{rng.choice(['突出实干导向', '坚持问题导向', '注重学用结合', '抓实基层末端'])}。"
        + SENTENCES[i]
        + SENTENCES[j],
        org,
        rng,
    )


def _fill(template, org, rng):
    short = org.name.removeprefix("中共").removesuffix("委员会")
    return template.format(
        org=short, n=rng.randint(6, 40), m=rng.randint(3, 20), k=rng.randint(2, 9), p=rng.randint(90, 99)
    )


def build_publicity(orgs, notable, campaign, today: dt.date, rng, scale: str) -> dict:
    if today - dt.timedelta(days=40) < campaign.start:
        return {}
    city, counties = notable["city"], notable["counties"]
    county = counties[1]  # 东城区, the demo county office's
    counts = {"solicitations": 0, "submissions": 0, "items": 0}
    per_org: dict[int, list[Submission]] = {}
    pairs = [(i, j) for i in range(len(SENTENCES)) for j in range(len(SENTENCES)) if i < j]
    rng.shuffle(pairs)

    def piece(org, title, type, body, day, hour=10, sol=None):
        counts["submissions"] += 1
        p = actions.create_submission(
            actor=None,
            org=org,
            title=title,
            type=type,
            body=body,
            date=day,
            submitted_at=_moment(day, hour),
            solicitation=sol,
        )
        per_org.setdefault(org.pk, []).append(p)
        return p

    def ask(org, topic, targets, issued, deadline):
        counts["solicitations"] += 1
        s = actions.issue_solicitation(
            actor=None, org=org, topic=topic, deadline=deadline, targets=targets, issued_at=_moment(issued, 9)
        )
        for target in targets:
            roll = rng.random()
            if roll < 0.2 and target != county:
                continue  # never answers
            writer = target
            branches = list(Org.objects.filter(parent=target, active=True)[:3])
            if branches and rng.random() < 0.4:
                writer = rng.choice(branches)  # a unit below answers for the one asked
            late = roll < 0.4 and target != county
            day = (
                deadline + dt.timedelta(days=rng.randint(1, 6))
                if late
                else issued + dt.timedelta(days=rng.randint(1, max(1, (deadline - issued).days)))
            )
            if day > today:
                continue
            title, type, _ = rng.choice(GOOD)
            piece(
                writer,
                _fill(title, writer, rng),
                type,
                _body(writer, rng, pairs),
                day,
                hour=rng.choice([9, 15, 23]),
                sol=s,
            )
        return s

    start = today - dt.timedelta(days=40)
    ask(city, "全市主题教育“以学促干”经验做法", counties, start, start + dt.timedelta(days=7))
    ask(city, "主题教育检视整改典型案例", counties, start + dt.timedelta(days=20), start + dt.timedelta(days=27))
    schools = list(
        Org.objects.filter(subtree_q("path", city.path), sector="学校", active=True)
        .exclude(kind="党支部")
        .order_by("path")[:12]
    )
    if schools:
        ask(city, "教育系统主题教育特色做法", schools, start + dt.timedelta(days=25), start + dt.timedelta(days=32))
    units = list(Org.objects.filter(parent=county, active=True).order_by("path")[:15])
    if units:
        ask(
            county,
            f"{county.name.removeprefix('中共').removesuffix('委员会')}主题教育工作动态",
            units,
            start + dt.timedelta(days=10),
            start + dt.timedelta(days=15),
        )

    # Unasked pieces, a few off the campaign's point.
    branches = list(Org.objects.filter(subtree_q("path", county.path), kind="党支部", active=True).order_by("path"))
    for i, org in enumerate(rng.sample(branches, min(len(branches), 20))):
        title, type, body = rng.choice(OFF_TOPIC if i % 6 == 0 else GOOD)
        body = _fill(body, org, rng) if i % 6 == 0 else _body(org, rng, pairs)
        piece(org, _fill(title, org, rng), type, body, today - dt.timedelta(days=rng.randint(1, 30)))

    # Review: 东城区's office reviews its units' pieces and forwards the best to the city; the city office
    # reviews the counties' own answers and other counties' pieces (they have no office account here).
    from tuijin.orgs.models import User

    county_office = User.objects.filter(username="county_office").first()
    city_office = User.objects.filter(username="city_office").first()
    forwarded = 0
    for org_pieces in per_org.values():
        for p in org_pieces:
            roll = rng.random()
            in_county = p.org.path.startswith(county.path) and p.org_id != county.pk
            reviewer = county_office if in_county else city_office
            if p.relevance_flagged:
                actions.return_submission(
                    p, actor=reviewer, reason="与主题教育关联不紧密，请补充本单位学习教育的做法和成效", quality=2
                )
            elif roll < 0.55:
                p = actions.adopt(
                    p, actor=reviewer, level="县" if in_county else "市", quality=rng.choice([3, 4, 4, 5]), as_of=p.date
                )
                if in_county and p.type in ("典型案例", "经验做法") and forwarded < 5:
                    p = actions.forward(p, actor=county_office)
                    actions.adopt(p, actor=city_office, level="省" if forwarded == 0 else "市", quality=5, as_of=p.date)
                    forwarded += 1
            elif roll < 0.65:
                actions.return_submission(p, actor=reviewer, reason="素材不够具体，请补充数据和群众评价", quality=3)
            # else: still waiting in the queue

    # Media and placements: some units everywhere, some only on the web, some nowhere.
    units_all = list(Org.objects.filter(subtree_q("path", city.path), depth=3, active=True).order_by("path"))
    for i, org in enumerate(units_all[:40]):
        channels = MEDIA if i % 4 == 0 else MEDIA[2:3] if i % 4 in (1, 2) else []
        for channel, outlet in channels:
            counts["items"] += 1
            actions.create_item(
                actor=None,
                org=org,
                channel=channel,
                outlet=outlet,
                title=f"{org.name.removeprefix('中共').removesuffix('委员会')}扎实开展主题教育",
                date=today - dt.timedelta(days=rng.randint(1, 35)),
            )
        if i % 5 == 0:
            kind, place = PLACES[i % 3]
            counts["items"] += 1
            item = actions.create_item(
                actor=None,
                org=org,
                channel=kind,
                outlet=place,
                title="主题教育宣传展板",
                date=today - dt.timedelta(days=rng.randint(1, 35)),
            )
            actions.attach_photo(item, actor=None, name="宣传展板.png", data=PNG)

    _plant_copies(county, today, rng)
    found, _ = actions.run_copy_check(actor=None, org=county, as_of=today)  # the county's texts only: fast
    first = CopyPair.objects.filter(subtree_q("org_b__path", county.path)).order_by("id").first()
    if first is not None:
        actions.decide_pair(
            first, actor=None, confirm=True, as_of=today, note="与另一支部的材料基本一致，仅改动个别字词"
        )
    counts["copies"] = found
    return counts


def _plant_copies(county, today, rng):
    """Two branches of the demo county share a 心得 and a measure, with light edits."""
    from tuijin.rectification import actions as rect
    from tuijin.study import actions as study
    from tuijin.study.models import SelfStudy

    people = list(
        Person.objects.filter(subtree_q("org__path", county.path), org__kind="党支部", active=True).order_by(
            "org__path", "number"
        )
    )
    by_org: dict[int, Person] = {}
    for p in people:
        by_org.setdefault(p.org_id, p)
    two = list(by_org.values())[:2] + list(by_org.values())[-1:]
    if len(two) < 3:
        return
    chapter_id = SelfStudy.objects.values_list("chapter_id", flat=True).first()
    if chapter_id is not None:
        from tuijin.campaigns.models import Chapter

        chapter = Chapter.objects.get(pk=chapter_id)
        for person, text, days in ((two[0], COPIED_REFLECTION[0], 20), (two[2], COPIED_REFLECTION[1], 12)):
            study.log_self_study(
                actor=None,
                person=person,
                date=today - dt.timedelta(days=days),
                chapter=chapter,
                reflection=text,
                minutes=60,
            )
    for person, text, days in ((two[1], COPIED_MEASURE[0], 25), (two[2], COPIED_MEASURE[1], 18)):
        problem = rect.create_problem(
            actor=None,
            org=person.org,
            description="党员联系服务群众不够经常",
            source="集体查",
            category="服务群众",
            found_on=today - dt.timedelta(days=days),
        )
        rect.add_measure(problem, actor=None, text=text, owner=person.name, deadline=today + dt.timedelta(days=30))
