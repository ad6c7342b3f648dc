"""Issue 14: the briefing's 一、总体情况 cites the typical-case library — adopted 典型案例/经验做法 of the
subtree, highest level and most recent first, each under the unit that wrote it, and nothing else."""

import datetime as dt

from tuijin.campaigns.models import Campaign
from tuijin.evaluation import briefing
from tuijin.publicity import actions

AS_OF = dt.date(2026, 11, 27)


def piece(w, org, title, type, *, level=None, on=dt.date(2026, 11, 10)):
    s = actions.create_submission(actor=None, org=org, title=title, date=dt.date(2026, 11, 5), type=type)
    if level:
        s = actions.adopt(s, actor=w.city_office if level != "县" else None, level=level, quality=4, as_of=on)
    return s


def overall_text(org):
    b = briefing.build(org, AS_OF)
    return "\n".join(c.text for c in b.sections[0].paragraphs)


def test_the_overview_names_adopted_cases_with_their_writers_and_no_look_alike(world):
    w = world
    Campaign.objects.create(name="测试主题教育", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 31), root=w.city)
    piece(w, w.branch_a2, "城关镇“板凳会”收集群众意见", "经验做法", level="县", on=dt.date(2026, 11, 20))
    piece(w, w.branch_a1a, "教育局第一党支部“学思践悟”工作法", "典型案例", level="市", on=dt.date(2026, 11, 12))
    # Look-alikes, none of which may be cited:
    piece(w, w.branch_b1, "B县第一党支部召开专题会议", "工作动态", level="市")  # adopted, not a case
    piece(w, w.unit_a1, "教育局党委理论学习中心组经验", "经验做法")  # not adopted
    piece(w, w.branch_b1, "B县第一党支部为民办实事案例", "典型案例", level="市", on=dt.date(2026, 12, 1))  # later
    text = overall_text(w.city)
    assert (
        "出经验、出典型方面，A县教育局第一党支部的典型案例《教育局第一党支部“学思践悟”工作法》被市级采用，"
        "A县城关镇党支部的经验做法《城关镇“板凳会”收集群众意见》被县级采用，可供各单位学习借鉴。"
    ) in text
    assert "专题会议" not in text and "中心组经验" not in text and "为民办实事" not in text
    # The unit above the writer is not credited with its branch's case.
    assert "A县教育局党委的" not in text
    # A county's briefing cites only its own subtree's cases.
    b_text = overall_text(w.county_b)
    assert "出经验、出典型" not in b_text
    claim = next(c for c in briefing.build(w.city, AS_OF).sections[0].paragraphs if c.text.startswith("出经验"))
    assert [x["units"] for x in claim.basis] == [["XS-A-1-1"], ["XS-A-2"]]
