"""学习教育 indicators (SPEC §2.3, §2.8). Each is an additive pair per org over the org's own records,
so a subtree's value is the sum of its orgs' pairs (core.indicators.roll_up).

Members are an org's own 正式党员 and 预备党员; a chapter is covered by a member who attended a
session on it or logged self-study of it (queries.study_by_org reads the derived Coverage table).
"""

from tuijin.core.indicators import HIGHER, LOWER, ZERO, Indicator, Pair, register
from tuijin.orgs.models import OrgKind

from . import detectors  # noqa: F401  (registers this module's detectors; they read indicators by code)
from . import queries


def _ids(orgs):
    return [o.pk for o in orgs]


def reading_coverage(orgs, as_of, campaign):
    """member-chapter pairs covered / (members × chapters)."""
    if campaign is None:
        return {}
    return {k: Pair(s.covered, s.pairs) for k, s in queries.study_by_org(_ids(orgs), campaign, as_of).items()}


def chapters_per_member(orgs, as_of, campaign):
    """pairs covered / members: the average number of chapters a member has covered."""
    if campaign is None:
        return {}
    return {k: Pair(s.covered, s.members) for k, s in queries.study_by_org(_ids(orgs), campaign, as_of).items()}


def collective_coverage(orgs, as_of, campaign):
    """pairs covered through a session the member attended / (members × chapters)."""
    if campaign is None:
        return {}
    return {k: Pair(s.collective, s.pairs) for k, s in queries.study_by_org(_ids(orgs), campaign, as_of).items()}


def self_study_coverage(orgs, as_of, campaign):
    """pairs covered through the member's own self-study / (members × chapters)."""
    if campaign is None:
        return {}
    return {k: Pair(s.own, s.pairs) for k, s in queries.study_by_org(_ids(orgs), campaign, as_of).items()}


def unbalanced(orgs, as_of, campaign):
    """1 for each org whose collective study keeps pace while its members' own study lags (a count)."""
    if campaign is None:
        return {}
    progress, lag = campaign.progress(as_of), campaign.lag_threshold
    return {
        k: Pair(1 if queries.is_unbalanced(s, progress, lag) else 0)
        for k, s in queries.study_by_org(_ids(orgs), campaign, as_of).items()
    }


def grassroots_coverage(orgs, as_of, campaign):
    """Branches with any session this month (up to as_of) / branches."""
    branches = [o.pk for o in orgs if o.kind == OrgKind.BRANCH and o.active]
    active = queries.branches_with_session_this_month(branches, as_of)
    return {pk: Pair(1 if pk in active else 0, 1) for pk in branches}


def _without(expert):
    def compute(orgs, as_of, campaign):
        expected = [o.pk for o in queries.expected_to_hold(orgs, expert=expert)]
        held = queries.seminar_orgs(expected, campaign, as_of, expert=expert)
        return {pk: Pair(0 if pk in held else 1, 1) for pk in expected}

    return compute


def went_out_share(orgs, as_of, campaign):
    """请进来、走出去: sessions that went out (现场教学、外出学习) / sessions that went out or brought a
    speaker in (宣讲报告, a 党校 expert)."""
    return {k: Pair(out, n) for k, (out, n) in queries.invited_and_went_out(_ids(orgs), campaign, as_of).items()}


def followup_late(orgs, as_of, campaign):
    """跟进学习（第一议题）: over the items whose deadline has passed, members who had not studied the
    item by its deadline / members × those items. Each item is judged against its own window, never the
    campaign's time progress; an item still open is not counted here."""
    out: dict = {}
    for item in queries.followup_items(campaign, as_of, state="due"):
        for k, (members, studied) in queries.followup_by_org(_ids(orgs), item, as_of).items():
            out[k] = out.get(k, Pair(0, 0)) + Pair(members - studied, members)
    return out


def _cadres(which: int, value: str):
    """以上率下: leading cadres (which=0) or the other members (which=1) of each org, on their own."""

    def compute(orgs, as_of, campaign):
        if campaign is None:
            return {}
        out = {}
        for k, pair in queries.cadre_study_by_org(_ids(orgs), campaign, as_of).items():
            s = pair[which]
            if not s.members:
                continue
            out[k] = Pair(s.own, s.pairs) if value == "own" else Pair(s.covered, s.members)
        return out

    return compute


no_seminar = _without(expert=False)
no_expert_lecture = _without(expert=True)

# (code, name, unit, compute, expected, meaning, follows time progress, description, extra)
for code, name, unit, fn, expected, meaning, follows_time, description, extra in [
    (
        "study.reading_coverage",
        "指定书目学习覆盖率",
        "%",
        reading_coverage,
        lambda p: p,
        HIGHER,
        True,
        "党员已学篇目（参加集体学习或个人自学）占“党员数×指定篇目数”的比例，与时间进度比较",
        {},
    ),
    (
        "study.chapters_per_member",
        "人均已学篇目",
        "篇",
        chapters_per_member,
        None,
        HIGHER,
        False,
        "党员已学篇目总数除以党员数（即覆盖率×篇目数，便于讲评时说“人均学习N篇”）",
        {},
    ),
    (
        "study.collective_coverage",
        "集体学习覆盖率",
        "%",
        collective_coverage,
        lambda p: p,
        HIGHER,
        True,
        "党员通过参加集体学习学过的篇目占“党员数×指定篇目数”的比例，与时间进度比较",
        {},
    ),
    (
        "study.self_study_coverage",
        "个人自学覆盖率",
        "%",
        self_study_coverage,
        lambda p: p,
        HIGHER,
        True,
        "党员本人自学过的篇目占“党员数×指定篇目数”的比例，与时间进度比较",
        {},
    ),
    (
        "study.unbalanced",
        "集体学习好于个人自学的组织数",
        "个",
        unbalanced,
        None,
        ZERO,
        False,
        "集体学习覆盖率达到时间进度、但党员个人自学覆盖率滞后于时间进度的组织（按各组织本级党员计算）；应为零",
        {},
    ),
    (
        "study.grassroots_coverage",
        "基层党支部本月开展集体学习比例",
        "%",
        grassroots_coverage,
        lambda p: 1.0,
        HIGHER,
        False,
        (
            "本月1日至统计日开展过集体学习的党支部占全部党支部的比例；应达值按本月已过天数折算"
            "（第d天应达 d/本月天数），月初不会因本月尚未学习而显示滞后"
        ),
        {"per_month": True},
    ),
    (
        "study.no_seminar",
        "未开展专题研讨的组织占比",
        "%",
        no_seminar,
        lambda p: 1 - p,
        LOWER,
        True,
        "有本级党员的组织中，主题教育开始以来未开展专题研讨的比例；分子即未开展的组织数",
        {},
    ),
    (
        "study.no_expert_lecture",
        "未邀请党校专家宣讲的单位占比",
        "%",
        no_expert_lecture,
        lambda p: 1 - p,
        LOWER,
        True,
        "有本级党员的党委（党组、党总支等，不含党支部）中，未邀请党校专家宣讲的比例；分子即单位数",
        {},
    ),
    (
        "study.went_out_share",
        "“走出去”学习占比",
        "%",
        went_out_share,
        None,
        HIGHER,
        False,
        "主题教育开始以来，现场教学、外出学习占“请进来”（宣讲报告、党校专家授课）与“走出去”学习次数之和的比例；"
        "不设指标值，只请进来、从不走出去的单位由“只请进来未走出去”检测指出",
        {},
    ),
    (
        "study.cadre_self_study_coverage",
        "领导干部个人自学覆盖率",
        "%",
        _cadres(0, "own"),
        lambda p: p,
        HIGHER,
        True,
        "领导干部（标记为领导干部的党员）本人自学过的篇目占“领导干部数×指定篇目数”的比例，与时间进度比较；"
        "与其他党员的个人自学覆盖率对照，看以上率下",
        {},
    ),
    (
        "study.member_self_study_coverage",
        "其他党员个人自学覆盖率",
        "%",
        _cadres(1, "own"),
        lambda p: p,
        HIGHER,
        True,
        "领导干部以外的党员本人自学过的篇目占“党员数×指定篇目数”的比例，与时间进度比较",
        {},
    ),
    (
        "study.chapters_per_cadre",
        "领导干部人均已学篇目",
        "篇",
        _cadres(0, "covered"),
        None,
        HIGHER,
        False,
        "领导干部已学篇目（参加集体学习或个人自学）总数除以领导干部数",
        {},
    ),
    (
        "study.chapters_per_other_member",
        "其他党员人均已学篇目",
        "篇",
        _cadres(1, "covered"),
        None,
        HIGHER,
        False,
        "领导干部以外的党员已学篇目总数除以其人数",
        {},
    ),
    (
        "study.followup_late",
        "跟进学习逾期未学比例",
        "%",
        followup_late,
        lambda p: 0.0,
        LOWER,
        False,
        "已过截止日期的跟进学习（第一议题）书目中，截止日前未学完的党员占“党员数×书目数”的比例；"
        "每种书目按其自己的开始日期和截止日期衡量，不与主题教育时间进度比较，尚未截止的不计",
        {},
    ),
]:
    register(
        Indicator(
            code=code,
            name=name,
            dimension="学习教育",
            unit=unit,
            compute=fn,
            expected=expected,
            meaning=meaning,
            follows_time=follows_time,
            description=description,
            **extra,
        )
    )
