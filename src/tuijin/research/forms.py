"""Forms of the research and practical-project pages. They only parse input; every rule lives in actions.py."""

from django import forms

from tuijin.core.forms import Bootstrap, date_field
from tuijin.rectification.models import CATEGORIES

from .models import NEED_CATEGORIES, ProjectStatus


def _choices(values, blank=None):
    return ([("", blank)] if blank else []) + [(v, v) for v in values]


class VisitForm(Bootstrap, forms.Form):
    person = forms.ChoiceField(label="调研人")
    date = date_field("调研日期", required=True)
    visited_org = forms.ChoiceField(
        label="调研单位", required=False, help_text="到本组织下级单位调研时选择；也可以只填写调研地点"
    )
    place = forms.CharField(
        label="调研地点", max_length=200, required=False, help_text="如“城关镇幸福村”“东关小学”；选择了调研单位时可不填"
    )
    topic = forms.CharField(label="调研主题", max_length=200)
    outcome = forms.CharField(
        label="调研成果",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="调研报告要点、形成的意见建议等",
    )

    def __init__(self, *args, people=(), orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "请选择")] + [
            (p.number, f"{p.name}（{p.post or '无职务'}{'，领导干部' if p.is_leading_cadre else ''}）") for p in people
        ]
        self.fields["visited_org"].choices = [("", "（不选）")] + [(o.code, o.name) for o in orgs]

    def clean(self):
        data = super().clean()
        if not (data.get("place") or "").strip() and not data.get("visited_org"):
            self.add_error("place", "请填写调研地点，或选择调研单位")
        return data


class FindingForm(Bootstrap, forms.Form):
    text = forms.CharField(
        label="发现问题",
        max_length=500,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": "一条发现的问题，如“群众反映办事窗口午间不开放”", "aria-label": "发现问题"}
        ),
    )


FindingFormSet = forms.formset_factory(FindingForm, extra=5, max_num=30)


class FindingAddForm(Bootstrap, forms.Form):
    text = forms.CharField(
        label="发现问题",
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "补充一条发现的问题", "aria-label": "补充发现问题"}),
    )


class ToProblemForm(Bootstrap, forms.Form):
    org = forms.ChoiceField(label="列入哪个组织的问题清单")
    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.ChoiceField(label="问题类别", choices=_choices(CATEGORIES), initial="其他")
    responsible = forms.CharField(label="责任人", max_length=60, required=False)
    deadline = date_field("整改时限")

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.code, o.name) for o in orgs]


class ToMeasureForm(Bootstrap, forms.Form):
    problem = forms.ChoiceField(label="加到哪个问题")
    text = forms.CharField(label="整改措施", max_length=500)
    owner = forms.CharField(label="责任人", max_length=60, required=False)
    deadline = date_field("完成时限")

    def __init__(self, *args, problems=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem"].choices = [("", "请选择")] + [
            (str(p.pk), f"{p.org.name} {p.number} {p.description[:30]}") for p in problems
        ]


class ProjectFields(Bootstrap, forms.Form):
    name = forms.CharField(
        label="项目名称", max_length=200, help_text="写明为谁、办成什么事，如“为城关镇新建3处老年助餐点”"
    )
    need = forms.CharField(
        label="群众需求（急难愁盼）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="写明哪些群众、遇到什么困难，如“城关镇独居老人120人吃饭难”",
    )
    need_category = forms.ChoiceField(label="所属领域", required=False, choices=_choices(NEED_CATEGORIES, "请选择"))
    beneficiaries = forms.IntegerField(label="受益人数", required=False, min_value=0)
    deadline = date_field("计划完成时间")


class ProjectForm(ProjectFields):
    pass


class ProjectEditForm(ProjectFields):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StatusForm(Bootstrap, forms.Form):
    status = forms.ChoiceField(
        label="状态", choices=ProjectStatus.choices, widget=forms.Select(attrs={"aria-label": "状态"})
    )


class EvidenceForm(Bootstrap, forms.Form):
    file = forms.FileField(label="佐证材料")
