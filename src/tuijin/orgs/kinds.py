"""Record kinds the org module contributes to task rules."""

from tuijin.core.kinds import RecordKind, register_kind


def _people():
    from .models import Person

    return Person.objects.filter(active=True)


def _child_orgs():
    from .models import Org

    # An org's "org" records are its direct sub-organizations; org_field points at the parent.
    return Org.objects.filter(active=True)


register_kind(
    RecordKind(
        name="org",
        label="下级组织",
        queryset=_child_orgs,
        org_field="parent",
        fields={"kind": "kind", "sector": "sector", "batch": "batch"},
    )
)
register_kind(
    RecordKind(
        name="person",
        label="人员",
        queryset=_people,
        org_field="org",
        fields={
            "status": "status",
            "is_leading_cadre": "is_leading_cadre",
            "cadre_level": "cadre_level",
            "post": "post",
        },
    )
)
