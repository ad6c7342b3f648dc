"""Record kinds for campaign task rules:

rule = { count = "research_visit", per = "leading_cadre", at_least = 2 }   # each leading cadre ≥2 调研
rule = { count = "project", where = { flagged = false }, at_least = 1 }     # a real project on the list
"""

from tuijin.core.kinds import RecordKind, register_kind


def _visits():
    from .models import ResearchVisit

    return ResearchVisit.objects.all()


def _projects():
    from .models import Project

    return Project.objects.all()


register_kind(
    RecordKind(
        name="research_visit",
        label="调研",
        queryset=_visits,
        org_field="org",
        date_field="date",
        person_field="person",
        fields={"leading_cadre": "person__is_leading_cadre"},
    )
)
register_kind(
    RecordKind(
        name="project",
        label="办实事项目",
        queryset=_projects,
        org_field="org",
        date_field="listed_on",
        fields={"status": "status", "need_category": "need_category", "flagged": "flagged"},
    )
)
