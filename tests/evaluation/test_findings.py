"""Findings: each pattern is found at the unit where it sits, never at a look-alike (issue 9)."""

import datetime as dt

import pytest

from tests.evaluation.patterns import AS_OF, PATTERN, build_city, self_study
from tuijin.core import detectors
from tuijin.core.detectors import Probe
from tuijin.core.indicators import Pair
from tuijin.evaluation import counters
from tuijin.evaluation.findings import findings


@pytest.fixture
def city(db):
    return build_city()


def named(found):
    out = {}
    for f in found:
        out.setdefault(f.detector, []).append(f.subject.code)
    return out


def test_each_pattern_is_found_at_its_unit_and_nowhere_else(city):
    found = findings(city.city, AS_OF)
    assert named(found) == {code: [unit] for code, unit in PATTERN.items()}


def test_findings_are_addressed_to_the_units_of_the_addressee_line(city):
    found = {f.detector: f for f in findings(city.city, AS_OF)}
    # 市直: the 党组 itself (the 工委 is only a channel); counties: the county 委.
    assert found["collective_over_self"].addressed.code == "SZ-1"
    assert found["grassroots_quiet"].addressed.code == "A"
    assert found["few_research"].addressed.code == "B"


def test_each_finding_carries_the_figure_that_makes_it_a_board(city):
    found = {f.detector: f for f in findings(city.city, AS_OF)}
    assert found["collective_over_self"].text == "市卫健委党组：集体学习覆盖率100.0%，个人自学覆盖率0.0%"
    assert found["grassroots_quiet"].text == "A县城关镇党委：3个党支部中3个本月尚未开展集体学习"
    assert found["no_seminar"].text == "A县财政局党组：2个党组织中1个尚未开展专题研讨"
    assert found["no_expert_lecture"].text == "B县人社局党组：尚未邀请党校专家宣讲"
    assert found["few_research"].text == "B县民政局党组：领导干部2名，均未开展调研"
    assert found["research_not_converted"].text == "B县城南镇党委：调研发现问题6个，转化为问题或措施1个，转化率16.7%"
    assert found["vague_measures"].figures == {"measures": 3, "vague": 3, "share": 1.0}
    assert found["overdue_not_started"].text == "A县交通局党组：逾期未启动整改的问题1个"
    assert found["generic_projects"].text == "B县住建局党组：办实事项目1个，其中疑似泛化1个"
    assert found["no_problems_found"].text == "A县审计局党组：党员5名，尚未查摆出问题"


def test_changing_one_units_data_changes_exactly_its_finding(city):
    before = findings(city.city, AS_OF)
    people = city.cadres["SZ-1"] + city.people["SZ-1-1"]
    self_study(city, people)
    after = findings(city.city, AS_OF)
    assert [f.text for f in after] == [f.text for f in before if f.detector != "collective_over_self"]


def test_counters_give_the_same_findings_as_the_records(city):
    live = [f.text for f in findings(city.city, AS_OF)]
    counters.rebuild(AS_OF)
    assert [f.text for f in findings(city.city, AS_OF)] == live


def test_thresholds_come_from_the_campaign(city):
    city.campaign.detectors = {
        "research_not_converted": {"max_converted_share": 0.8},
        "no_problems_found": {"enabled": False},
    }
    city.campaign.save()
    found = named(findings(city.city, AS_OF))
    assert sorted(found["research_not_converted"]) == ["B-3", "SZ-2"]
    assert "no_problems_found" not in found


def test_a_county_briefing_names_the_branches_below_its_own_units(city):
    found = findings(city.a, AS_OF)
    expected = {d: u for d, u in PATTERN.items() if u.startswith("A-")}
    assert {f.detector for f in found} == set(expected)
    for f in found:  # the county's own units are addressed; the board sits in their branches
        assert f.subject.code.startswith(expected[f.detector] + "-") or f.subject.code == expected[f.detector]
        assert f.addressed.code == expected[f.detector]


def test_early_in_the_month_no_branch_is_blamed_for_not_having_studied_yet(city):
    found = named(findings(city.city, dt.date(2026, 12, 3)))
    assert "grassroots_quiet" not in found


# ------------------------------------------------------------------ pinned examples per detector


class Org:
    def __init__(self, kind="党组"):
        self.kind, self.name, self.depth = kind, "某单位", 3


def probe(totals, *, progress=0.575, as_of=AS_OF, kind="党组", **params):
    return Probe(Org(kind), {k: Pair(*v) for k, v in totals.items()}, progress, as_of, params)


def run(code, totals, **kw):
    detector = detectors.get(code)
    return detector.test(probe(totals, **{**detector.defaults, **kw}))


MEMBERS = {"study.chapters_per_member": (10, 5)}


@pytest.mark.parametrize(
    "code,positive,negative",
    [
        (
            "collective_over_self",
            {"study.collective_coverage": (9, 10), "study.self_study_coverage": (1, 10), **MEMBERS},
            {"study.collective_coverage": (9, 10), "study.self_study_coverage": (5, 10), **MEMBERS},
        ),
        ("grassroots_quiet", {"study.grassroots_coverage": (1, 4)}, {"study.grassroots_coverage": (3, 4)}),
        ("no_seminar", {"study.no_seminar": (3, 4)}, {"study.no_seminar": (1, 4)}),
        ("no_expert_lecture", {"study.no_expert_lecture": (1, 1)}, {"study.no_expert_lecture": (0, 1)}),
        ("few_research", {"research.visits_per_cadre": (1, 4)}, {"research.visits_per_cadre": (4, 4)}),
        ("research_not_converted", {"research.findings_converted": (1, 8)}, {"research.findings_converted": (1, 3)}),
        ("vague_measures", {"problems.measure_specificity": (1, 4)}, {"problems.measure_specificity": (3, 4)}),
        ("overdue_not_started", {"problems.not_started": (2, None)}, {"problems.not_started": (0, None)}),
        ("generic_projects", {"projects.flagged_share": (2, 3)}, {"projects.flagged_share": (1, 10)}),
        ("no_problems_found", {"problems.found": (0, None), **MEMBERS}, {"problems.found": (1, None), **MEMBERS}),
    ],
)
def test_pinned_positive_and_look_alike(code, positive, negative):
    assert run(code, positive) is not None
    assert run(code, negative) is None


def test_a_pattern_is_judged_only_when_the_calendar_allows():
    assert run("no_seminar", {"study.no_seminar": (3, 4)}) is not None
    assert (
        detectors.get("no_seminar").test(
            probe({"study.no_seminar": (3, 4)}, progress=0.1, **detectors.get("no_seminar").defaults)
        )
        is None
    )
    early = detectors.get("grassroots_quiet")
    assert (
        early.test(probe({"study.grassroots_coverage": (0, 4)}, as_of=dt.date(2026, 11, 2), **early.defaults)) is None
    )


def test_a_branch_is_not_asked_to_find_problems_unless_the_campaign_says_so():
    assert run("no_problems_found", {"problems.found": (0, None), **MEMBERS}) is not None
    d = detectors.get("no_problems_found")
    assert d.test(probe({"problems.found": (0, None), **MEMBERS}, kind="党支部", **d.defaults)) is None


def test_vague_measure_text():
    from tuijin.core.phrases import vague_measure

    assert vague_measure("加强理论学习，提高思想认识")
    assert vague_measure("进一步改进工作作风")
    assert not vague_measure("由办公室负责，2026年12月31日前完成")
    assert not vague_measure("加强学习，11月底前完成4次集中学习")
    assert not vague_measure("为村里安装路灯")


def test_a_letter_to_one_unit_can_include_the_unit_itself(city):
    unit = city.units["B-2"]
    assert [f.detector for f in findings(unit, AS_OF)] == []  # nothing below it: its branch is fine
    found = findings(unit, AS_OF, include_self=True)
    assert [(f.detector, f.subject.code, f.addressed.code) for f in found] == [("few_research", "B-2", "B-2")]


# ------------------------------------------------------------------ issue 16: the seed's further short boards


def test_issue16_boards_are_named_with_their_figures(city):
    found = {f.detector: f for f in findings(city.city, AS_OF)}
    assert (
        found["found_by_others"].text == "A县农业农村局党组：问题4个，其中上级查、群众评、上级交办的3个，自己查摆的1个"
    )
    assert found["found_by_others"].addressed.code == "A"
    assert (
        found["formal_rectification"].text
        == "市农业农村局党组：有整改措施的问题1个，其中1个的措施只是开会、学习或制定方案"
    )
    assert (
        found["late_problems"].text
        == "B县统计局党组：问题2个，都是在主题教育已开展时间的最后四分之一里查摆的，此前没有查摆问题"
    )
    assert found["only_invited_in"].text == "B县科技局党组：请进来宣讲、授课2次，尚未开展现场教学或外出学习"


def test_a_unit_that_went_out_once_is_no_longer_named(city):
    from tuijin.study import actions as study

    study.record_session(
        actor=None,
        org=city.branches["B-6"][0],
        date=dt.date(2026, 11, 5),
        form="外出学习",
        topic="赴先进村学习集体经济发展",
        headcount=3,
    )
    assert "only_invited_in" not in named(findings(city.city, AS_OF))


@pytest.mark.parametrize(
    "code,positive,negatives",
    [
        (
            "found_by_others",
            {"problems.self_found_share": (1, 4)},
            [
                {"problems.self_found_share": (0, 2)},  # few problems: too few to judge
                {"problems.self_found_share": (2, 4)},  # balanced
                {"problems.self_found_share": (0, None)},
            ],
        ),  # no problems
        (
            "only_invited_in",
            {"study.went_out_share": (0, 3)},
            [
                {"study.went_out_share": (1, 3)},  # did both
                {"study.went_out_share": (0, 0)},
            ],
        ),  # neither: nothing to say about 请进来、走出去
        (
            "formal_rectification",
            {"problems.formal_only": (1, 5)},
            [
                {"problems.formal_only": (0, 5)},  # measures with real changes
                {"problems.formal_only": (0, 0)},
            ],
        ),  # no measures yet
        (
            "late_problems",
            {"problems.found_late_share": (3, 3)},
            [
                {"problems.found_late_share": (1, 4)},  # spread over the campaign
                {"problems.found_late_share": (1, 1)},  # one problem: too few to judge
                {"problems.found_late_share": (0, 0)},
            ],
        ),
    ],
)
def test_issue16_pinned_positive_and_look_alikes(code, positive, negatives):
    assert run(code, positive) is not None
    for negative in negatives:
        assert run(code, negative) is None, negative


def test_a_branch_is_not_named_for_only_inviting_in_unless_the_campaign_says_so():
    d = detectors.get("only_invited_in")
    assert d.test(probe({"study.went_out_share": (0, 2)}, kind="党支部", **d.defaults)) is None
    assert d.test(probe({"study.went_out_share": (0, 2)}, kind="党支部", **{**d.defaults, "include_branches": 1}))
    assert d.test(probe({"study.went_out_share": (0, 2)}, progress=0.1, **d.defaults)) is None


@pytest.mark.parametrize(
    "texts,formal",
    [
        (["召开专题会议研究部署整改工作", "组织集中学习2次", "制定整改方案"], True),
        (["由张三负责，12月底前制定整改方案"], True),
        (["每月召开1次支部委员会研究整改", "加强学习，11月底前完成4次集中学习"], True),
        # look-alikes: a meeting or study beside a real change in the work
        (["召开专题会议研究整改", "由办公室负责，12月31日前完成台账整改"], False),
        (["召开居民议事会，解决小区停车难问题"], False),
        (["组织学习", "制定公车使用管理办法"], False),
        (["为城南社区32户居民更换路灯"], False),
        ([], False),  # no measures: 措施 missing is another check, not this one
    ],
)
def test_formal_rectification_text(texts, formal):
    from tuijin.core.phrases import formal_rectification

    assert formal_rectification(texts) is formal


def test_late_problems_are_judged_only_past_the_middle_of_the_campaign():
    d = detectors.get("late_problems")
    assert d.test(probe({"problems.found_late_share": (3, 3)}, progress=0.3, **d.defaults)) is None


def test_the_late_phase_is_the_last_quarter_of_the_elapsed_time(city):
    from tuijin.core.indicators import get
    from tuijin.rectification.indicators import late_cutoff

    assert late_cutoff(city.campaign, AS_OF) == dt.date(2026, 11, 5)  # 87 days elapsed, the last 22
    pairs = get("problems.found_late_share").compute([city.units["B-7"], city.units["A-7"]], AS_OF, city.campaign)
    assert pairs[city.units["B-7"].pk] == Pair(2, 2)
    assert pairs[city.units["A-7"].pk] == Pair(1, 4)
    # a month later the same two problems are no longer "late": the phase moves with as_of
    later = get("problems.found_late_share").compute([city.units["B-7"]], dt.date(2027, 1, 20), city.campaign)
    assert later[city.units["B-7"].pk] == Pair(0, 2)
