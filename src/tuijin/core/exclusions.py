"""Records that must not count in the indicators for now (SPEC §2.9: a record found 不属实 on a random
check stops counting until it is corrected).

Apps above the indicators' modules register `(kind, as_of) -> iterable of record ids` from their
AppConfig.ready() (supervision registers the open 不属实 checks); an indicator asks `excluded(kind, as_of)`.
Kinds: "study_session", "problem_closed", "project_done"."""

EXCLUDERS: list = []


def excluded(kind: str, as_of) -> set[int]:
    found: set[int] = set()
    for fn in EXCLUDERS:
        found.update(fn(kind, as_of))
    return found
