"""The state machine (rectification/transitions.py) is the one place actions, pages and imports ask."""

from types import SimpleNamespace

from tuijin.rectification import transitions
from tuijin.rectification.imports import state_refusal
from tuijin.rectification.models import State


def problem(state, withdrawn=False):
    return SimpleNamespace(state=state, withdrawn=withdrawn)


def test_each_move_starts_only_from_its_states_and_withdrawn_problems_cannot_start_or_submit():
    assert transitions.in_source_state("start", problem(State.RELAPSED))
    assert not transitions.in_source_state("start", problem(State.SUBMITTED))
    assert not transitions.in_source_state("submit", problem(State.IN_PROGRESS, withdrawn=True))
    assert transitions.in_source_state("close", problem(State.SUBMITTED))
    assert not transitions.in_source_state("reopen", problem(State.SUBMITTED))
    assert (
        transitions.refusal("close", problem(State.IN_PROGRESS)).message
        == "问题当前为“整改中”，只有“待验收”的问题可以销号"
    )


def test_a_guard_added_for_a_target_state_refuses_the_moves_into_it(monkeypatch):
    monkeypatch.setattr(transitions, "_GUARDS", {})
    transitions.add_guard(State.SUBMITTED, lambda p: transitions.Refusal("还有未完成的整改措施", field="measures"))
    assert transitions.refusal("submit", problem(State.IN_PROGRESS)) == transitions.Refusal(
        "还有未完成的整改措施", field="measures"
    )
    assert transitions.refusal("start", problem(State.OPEN)) is None  # a move into another state is untouched


def test_the_importer_lets_the_owner_make_exactly_the_owners_moves():
    states = list(State)
    for current in states:
        for target in states:
            if current == target:
                continue
            owner_move = transitions.owner_may_move(current, target)
            assert (state_refusal(current, target, has_evidence=True) is None) == owner_move, (current, target)
