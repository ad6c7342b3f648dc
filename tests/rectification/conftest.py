import datetime as dt

import pytest

from tuijin.rectification import actions

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def problem(world):
    """An open problem of branch A1a (owner: branch_reporter; reviewers: county/city office)."""
    return actions.create_problem(
        actor=world.branch_reporter,
        org=world.branch_a1a,
        description="理论学习不深入，学用脱节",
        source="集体查",
        category="理论学习",
        found_on=dt.date(2026, 10, 8),
        deadline=dt.date(2026, 12, 20),
        responsible="甲1",
        measures=[{"text": "每周集中学习一次", "owner": "甲1", "deadline": dt.date(2026, 12, 1)}, {"text": "加强学习"}],
    )


@pytest.fixture
def submitted(world, problem):
    actions.attach_evidence(problem, actor=world.branch_reporter, name="学习记录.pdf", data=PDF)
    for measure in problem.measures.all():
        actions.set_measure_done(measure, actor=world.branch_reporter, done=True, as_of=TODAY)
    return actions.submit_for_acceptance(problem, actor=world.branch_reporter)
