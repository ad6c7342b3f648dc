"""The `problem` record kind for campaign task rules, e.g. every branch finds ≥3 problems."""

from tuijin.core.kinds import RecordKind, register_kind


def _problems():
    from .models import Problem

    return Problem.objects.filter(withdrawn=False, is_hand_down=False)


register_kind(
    RecordKind(
        name="problem",
        label="问题",
        queryset=_problems,
        org_field="org",
        date_field="found_on",
        fields={"state": "state", "source": "source", "category": "category", "is_special": "is_special"},
    )
)
