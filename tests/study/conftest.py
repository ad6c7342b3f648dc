"""A small campaign over the shared `world` (tests/conftest.py) with round numbers.

The campaign runs 100 days, 2026-09-01 to 2026-12-09; on AS_OF (2026-11-09) 70 days have passed,
so time progress is exactly 0.70 and, with the lag threshold 0.10, the bar for "keeping pace" is 0.60.
The reading list has five chapters: R1-01..R1-03 and R2-01..R2-02.
"""

import datetime as dt
import textwrap

import pytest

from tuijin.campaigns.actions import load_campaign
from tuijin.campaigns.models import Chapter

AS_OF = dt.date(2026, 11, 9)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

CAMPAIGN = textwrap.dedent("""
    [campaign]
    name = "主题教育（测试）"
    start = 2026-09-01
    end = 2026-12-09
    root = "XS"

    [[reading]]
    code = "R1"
    title = "党的二十大报告"
    chapters = ["R1-01 第一部分", "R1-02 第二部分", "R1-03 第三部分"]

    [[reading]]
    code = "R2"
    title = "党章"
    chapters = ["R2-01 总纲", "R2-02 党员"]

    [[task]]
    code = "S1"
    title = "每个党支部开展专题研讨"
    applies_to = { kind = ["党支部"] }
    deadline = 2026-12-31
    rule = { count = "study_session", where = { form = "专题研讨" }, at_least = 1 }

    [[task]]
    code = "S2"
    title = "每个单位邀请党校专家宣讲"
    applies_to = { kind = ["党委"], level = [2] }
    deadline = 2026-12-31
    rule = { count = "expert_lecture", at_least = 1 }
""")


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """Views, the API and imports read today() at their edge; pin it so dates in the tests are 'past'."""
    monkeypatch.setenv("TUIJIN_TODAY", AS_OF.isoformat())


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(world):
    return load_campaign(CAMPAIGN, actor=None)


@pytest.fixture
def ch(campaign):
    """Chapters by code."""
    return {c.code: c for c in Chapter.objects.filter(item__campaign=campaign)}


@pytest.fixture
def scenario(world, ch):
    """Hand-built study data with known answers (members are 正式/预备党员 of each org itself):

    A1a (3 members: A1A1-3)  — one 支部学习 on 10-10 covering R1-01..R2-01 (4 chapters), all three attend;
                               A1A1 self-studies R1-01 (again) and R2-02.
                               covered 13 of 15 pairs; collective 12, own 2  → unbalanced (0.8 ≥ 0.6 > 0.13)
    A1b (2 members: A1B1-2)  — no attendance; A1B1 self-studies R1-01..R1-03, A1B2 R1-01;
                               a 支部学习 on 11-03 with a headcount only.  covered 4 of 10, own 4
    A1  (1 member: cadre)    — 中心组学习 on 11-02 by a 党校 expert on R1-01, cadre attends; a 专题研讨 on
                               11-05 with a headcount only.  covered 1 of 5, collective 1
    B1  (1 member: B1P1)     — nothing.
    """
    from tuijin.study import actions

    w = world
    w.s_a1a = actions.record_session(
        actor=w.branch_reporter,
        org=w.branch_a1a,
        date=dt.date(2026, 10, 10),
        form="支部学习",
        topic="学习党的二十大报告",
        chapters=[ch[c] for c in ("R1-01", "R1-02", "R1-03", "R2-01")],
        attendees=w.p_a1a,
        hours=2,
    )
    actions.log_self_study(
        actor=w.member,
        person=w.p_a1a[0],
        date=dt.date(2026, 10, 12),
        chapter=ch["R1-01"],
        reflection="重温报告，体会更深",
    )
    actions.log_self_study(actor=w.member, person=w.p_a1a[0], date=dt.date(2026, 11, 1), chapter=ch["R2-02"])
    for code in ("R1-01", "R1-02", "R1-03"):
        actions.log_self_study(actor=w.county_office, person=w.p_a1b[0], date=dt.date(2026, 10, 20), chapter=ch[code])
    actions.log_self_study(actor=w.county_office, person=w.p_a1b[1], date=dt.date(2026, 10, 21), chapter=ch["R1-01"])
    w.s_a1b = actions.record_session(
        actor=w.county_office,
        org=w.branch_a1b,
        date=dt.date(2026, 11, 3),
        form="支部学习",
        topic="集中学习党章",
        headcount=2,
    )
    w.s_expert = actions.record_session(
        actor=w.county_office,
        org=w.unit_a1,
        date=dt.date(2026, 11, 2),
        form="中心组学习",
        topic="党校专家辅导",
        speaker="王教授",
        speaker_affiliation="市委党校",
        speaker_category="党校专家",
        chapters=[ch["R1-01"]],
        attendees=[w.cadre],
    )
    w.s_seminar = actions.record_session(
        actor=w.county_office,
        org=w.unit_a1,
        date=dt.date(2026, 11, 5),
        form="专题研讨",
        topic="以学促干专题研讨",
        headcount=5,
    )
    return w
