"""The problem's state machine in one place: the actions enforce it, the pages ask it which buttons to
show, the importer asks it which states a sheet may set.

    待整改 ─start─▶ 整改中 ─submit─▶ 待验收 ─close─▶ 已销号 ─reopen─▶ 已反弹
       └──────────submit──────────────▲   │                              │
                                          └─send_back─▶ 整改中           └─start/submit─▶ …

A move is made by the owner org (`RECTIFY`) or by a reviewer above it (`REVIEW`). A rule about the
problem beyond its state (evidence, open measures, …) is a guard on the move's target state:
`add_guard(State.SUBMITTED, fn)`; `refusal()` asks the state rule first, then every guard in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import Evidence, Problem, State

RECTIFY, REVIEW = "rectify", "review"


@dataclass(frozen=True)
class Move:
    name: str
    sources: frozenset[str]
    target: str
    by: str  # RECTIFY or REVIEW
    refusal: str  # why not, when the problem is in another state ({state}: its state)
    live_only: bool = False  # a withdrawn problem may not make this move


MOVES: dict[str, Move] = {
    m.name: m
    for m in [
        Move(
            "start",
            frozenset({State.OPEN, State.RELAPSED}),
            State.IN_PROGRESS,
            RECTIFY,
            "问题当前为“{state}”，不能开始整改",
            live_only=True,
        ),
        Move(
            "submit",
            frozenset({State.OPEN, State.IN_PROGRESS, State.RELAPSED}),
            State.SUBMITTED,
            RECTIFY,
            "问题当前为“{state}”，不能提交验收",
            live_only=True,
        ),
        Move(
            "close",
            frozenset({State.SUBMITTED}),
            State.CLOSED,
            REVIEW,
            "问题当前为“{state}”，只有“待验收”的问题可以销号",
        ),
        Move(
            "send_back",
            frozenset({State.SUBMITTED}),
            State.IN_PROGRESS,
            REVIEW,
            "问题当前为“{state}”，只有“待验收”的问题可以退回",
        ),
        Move("reopen", frozenset({State.CLOSED}), State.RELAPSED, REVIEW, "只有已销号的问题可以标记为反弹"),
    ]
}

# States a new problem may start in when an owner org records it (page or import).
NEW_STATES = frozenset({State.OPEN, State.IN_PROGRESS})


@dataclass(frozen=True)
class Refusal:
    message: str
    field: str | None = None


Guard = Callable[[Problem], "Refusal | None"]
_GUARDS: dict[str, list[Guard]] = {}


def add_guard(target: str, guard: Guard) -> None:
    """A further condition for entering `target` (e.g. issue 11: no 待验收 while a measure is open)."""
    _GUARDS.setdefault(target, []).append(guard)


def in_source_state(name: str, problem: Problem) -> bool:
    """Whether the problem's state allows the move (what a page asks before showing its button)."""
    move = MOVES[name]
    return problem.state in move.sources and not (move.live_only and problem.withdrawn)


def refusal(name: str, problem: Problem) -> Refusal | None:
    """Why the move may not be made now, or None. Permission is the action's business, not this."""
    move = MOVES[name]
    if not in_source_state(name, problem):
        return Refusal(move.refusal.format(state=problem.state))
    for guard in _GUARDS.get(move.target, []):
        refused = guard(problem)
        if refused is not None:
            return refused
    return None


def owner_may_move(current: str, target: str) -> bool:
    """Whether the owner org may itself take a problem from `current` to `target` in one move."""
    return any(m.by == RECTIFY and current in m.sources and m.target == target for m in MOVES.values())


# ------------------------------------------------------------------ the guards rectification itself sets


def _needs_support(problem: Problem) -> Refusal | None:
    if not problem.evidence.filter(kind=Evidence.Kind.SUPPORT).exists():
        return Refusal("提交验收前至少要上传一份支撑材料（图片、PDF、Word 或 Excel）", field="evidence")
    return None


def _special_needs_plan(problem: Problem) -> Refusal | None:
    if problem.is_special and not problem.evidence.filter(kind=Evidence.Kind.PLAN).exists():
        return Refusal("专项整治问题必须先上传整改方案，才能提交验收或销号", field="evidence")
    return None


def _special_plan_before_start(problem: Problem) -> Refusal | None:
    """专项整治, 严密实施: a special rectification enters 整改中 only with its plan (整改方案) uploaded.
    Only the move out of 待整改 is guarded: a problem sent back from 待验收 had its plan already."""
    if (
        problem.is_special
        and problem.state == State.OPEN
        and not problem.evidence.filter(kind=Evidence.Kind.PLAN).exists()
    ):
        return Refusal("专项整治问题须先上传整改方案（类型选“整改方案”），才能开始整改", field="evidence")
    return None


def _no_open_milestones(problem: Problem) -> Refusal | None:
    """专项整治的节点 are tracked like measures: every one done before 待验收 / 已销号."""
    open_ = list(problem.milestones.filter(done=False).values_list("title", flat=True))
    if not open_:
        return None
    shown = "；".join(f"“{t[:30]}”" for t in open_[:3]) + ("等" if len(open_) > 3 else "")
    return Refusal(f"专项整治还有 {len(open_)} 个节点未完成：{shown}。请先把节点标记完成", field="milestones")


def _no_open_measures(problem: Problem) -> Refusal | None:
    """Issue 11: 待验收 and 已销号 only when every measure is done or set aside (不再需要) by a reviewer."""
    open_ = [m.text for m in problem.measures.all() if m.is_open]
    if not open_:
        return None
    total = problem.measures.count()
    shown = "；".join(f"“{t[:30]}”" for t in open_[:3]) + ("等" if len(open_) > 3 else "")
    return Refusal(
        f"还有 {len(open_)} 项整改措施未完成（共 {total} 项，已完成或不再需要 {total - len(open_)} 项）：{shown}。"
        "请先把措施标记完成；确实不再需要的措施，可由上级办公室或指导组标记为“不再需要”并写明原因",
        field="measures",
    )


add_guard(State.IN_PROGRESS, _special_plan_before_start)
add_guard(State.SUBMITTED, _needs_support)
add_guard(State.SUBMITTED, _no_open_milestones)
add_guard(State.SUBMITTED, _special_needs_plan)
add_guard(State.CLOSED, _no_open_milestones)
add_guard(State.SUBMITTED, _no_open_measures)
add_guard(State.CLOSED, _no_open_measures)
add_guard(State.CLOSED, _special_needs_plan)
