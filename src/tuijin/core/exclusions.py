"""Records that must not count in the indicators for now (SPEC §2.9: a record found 不属实 on a random
check stops counting until it is corrected).

Apps above the indicators' modules register `(kind, as_of) -> iterable of record ids` from their
AppConfig.ready() (supervision registers the open 不属实 checks); an indicator asks `excluded(kind, as_of)`.
Kinds: "study_session", "problem_closed", "project_done".

Who asks (every scorecard figure that counts such a record):
- study_session: the derived reading coverage (study.actions.refresh_coverage, which follows the checks
  as they stand now: supervision rebuilds the attendees' rows when a check or a correction is recorded),
  专题研讨/党校专家 held, 请进来/走出去, branches that studied this month (study.queries);
- problem_closed: rectified share and closed-with-evidence share (rectification.indicators);
- project_done: completed share (research.indicators)."""

import datetime as dt

EXCLUDERS: list = []


def excluded(kind: str, as_of: dt.date) -> set[int]:
    found: set[int] = set()
    for fn in EXCLUDERS:
        found.update(fn(kind, as_of))
    return found
