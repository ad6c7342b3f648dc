"""Record kinds the study module gives campaign task rules (SPEC §4.3), e.g.

rule = { count = "study_session", where = { form = "专题研讨" }, at_least = 1 }
rule = { count = "expert_lecture", at_least = 1 }
rule = { count = "self_study", per = "leading_cadre", at_least = 5 }
rule = { count = "study_attendance", per = "leading_cadre", where = { form = "中心组学习" }, at_least = 3 }
"""

from tuijin.core.kinds import RecordKind, register_kind

from .models import EXPERT


def _sessions():
    from .models import StudySession

    return StudySession.objects.filter(withdrawn=False)


def _expert_lectures():
    return _sessions().filter(speaker_category=EXPERT)


def _self_study():
    from .models import SelfStudy

    return SelfStudy.objects.filter(withdrawn=False)


def _attendance():
    from .models import Attendance

    return Attendance.objects.filter(session__withdrawn=False)


SESSION_FIELDS = {"form": "form", "speaker_category": "speaker_category"}

register_kind(
    RecordKind(
        name="study_session",
        label="集体学习",
        queryset=_sessions,
        org_field="org",
        date_field="date",
        fields=SESSION_FIELDS,
    )
)
register_kind(
    RecordKind(
        name="expert_lecture",
        label="党校专家宣讲",
        queryset=_expert_lectures,
        org_field="org",
        date_field="date",
        fields={"form": "form"},
    )
)
register_kind(
    RecordKind(
        name="self_study",
        label="个人自学",
        queryset=_self_study,
        org_field="person__org",
        date_field="date",
        person_field="person",
        fields={"chapter": "chapter__code", "reading": "chapter__item__code"},
    )
)
# One row per person per session attended: "each leading cadre attends ≥3 中心组学习".
register_kind(
    RecordKind(
        name="study_attendance",
        label="参加集体学习",
        queryset=_attendance,
        org_field="person__org",
        date_field="session__date",
        person_field="person",
        fields={"form": "session__form", "speaker_category": "session__speaker_category"},
    )
)
