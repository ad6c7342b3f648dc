"""Record kinds for campaign task rules:

rule = { count = "submission", where = { type = "典型案例", adopted = true }, at_least = 1 }
rule = { count = "submission", where = { level = "市" }, at_least = 1 }   # adopted at city level
rule = { count = "publicity", where = { channel = "公共场所" }, at_least = 1 }
"""

from tuijin.campaigns.rules import RecordKind, register_kind


def _submissions():
    from .models import Submission

    return Submission.objects.all()


def _items():
    from .models import PublicityItem

    return PublicityItem.objects.all()


register_kind(
    RecordKind(
        name="submission",
        label="信息报送",
        queryset=_submissions,
        org_field="org",
        date_field="date",
        fields={"type": "type", "adopted": "adopted", "level": "adopted_level", "status": "status"},
    )
)
register_kind(
    RecordKind(
        name="publicity",
        label="宣传报道与阵地",
        queryset=_items,
        org_field="org",
        date_field="date",
        fields={"channel": "channel"},
    )
)
