"""The escalation ladder reads the detectors' short boards too (the same boards as the briefing and the
group home): a unit with a standing short board and no time-progress lag is suggested a 提示函 with the
board named; a board that appeared only lately gets a 提醒; a look-alike with no board, nothing."""

import datetime as dt

from tests.conftest import make_org
from tuijin.evaluation.jobs import take_snapshot
from tuijin.rectification import actions as rect
from tuijin.supervision import escalation

from .conftest import AS_OF, study_this_month

SNAPSHOTS = (dt.date(2026, 11, 6), dt.date(2026, 11, 13), dt.date(2026, 11, 20), AS_OF)


def _closed_problems(org, source, found_on, n=3):
    """n problems found on `found_on` from `source`, all closed by AS_OF: rectification keeps pace."""
    for i in range(n):
        p = rect.create_problem(
            actor=None,
            org=org,
            description=f"{org.name}{source}问题{i}",
            source=source,
            found_on=found_on,
            deadline=dt.date(2026, 12, 31),
        )
        rect.attach_evidence(p, actor=None, name="a.pdf", data=b"%PDF-1.4\n" + str(p.pk).encode())
        rect.submit_for_acceptance(p, actor=None)
        rect.close_problem(p, actor=None, as_of=dt.date(2026, 11, 25), change="群众办事少跑一趟")


def test_a_standing_short_board_without_lag_is_suggested_a_letter_with_the_board_named(world, campaign):
    # Three branches without members of their own (no study figures to lag), each studying this month
    # and with three problems all closed: none lags time progress.
    standing = world.branch_a2  # 群众评: found for it, since October
    fresh = make_org(world.county_a, "XS-A-3", "A县城郊镇党支部")  # the same board, only from 11-21
    alike = make_org(world.county_a, "XS-A-4", "A县河口镇党支部")  # found its problems itself
    for org in (standing, fresh, alike):
        study_this_month(org)
    _closed_problems(standing, "群众评", dt.date(2026, 10, 1))
    _closed_problems(fresh, "群众评", dt.date(2026, 11, 21))
    _closed_problems(alike, "集体查", dt.date(2026, 10, 1))
    for day in SNAPSHOTS:
        take_snapshot(day)

    s = escalation.suggest(standing, AS_OF)
    assert s.lagging == 0 and s.boards == ["立足自身主动改不够"]
    # shown by every snapshot back to 11-06; the walk back stops once LONG_LAG_DAYS (14) is reached
    assert s.step == "提示函" and s.board_days == 14
    assert any(
        "立足自身主动改不够" in r and "A县城关镇党支部：问题3个" in r and "自2026年11月13日以来" in r for r in s.reasons
    ), s.reasons

    f = escalation.suggest(fresh, AS_OF)
    # the same board (and 边学边改不够: all its problems came late), shown only since 11-21: no letter yet
    assert (f.step, f.boards, f.board_days) == ("提醒", ["立足自身主动改不够", "边学边改不够"], 0)

    a = escalation.suggest(alike, AS_OF)
    assert (a.step, a.boards) == ("无需督促", [])
