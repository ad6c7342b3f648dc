"""Forms of the problem pages. They only parse input; every rule lives in actions.py."""

from typing import cast

from django import forms

from tuijin.core.forms import Bootstrap, date_field
from tuijin.orgs.models import Person

from .models import CATEGORIES, SOURCES, Evidence, MeasureKind, Rating


def _choices(values, blank=None):
    return ([("", blank)] if blank else []) + [(v, v) for v in values]


class CadreChoice(forms.ModelChoiceField):
    """A leading cadre shown as 姓名（职务，单位）."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.post or '无职务'}，{obj.org.name}）"


class ProblemFields(Bootstrap, forms.Form):
    """The fields a clerk may edit (actions.EDITABLE)."""

    category = forms.ChoiceField(label="问题类别", choices=_choices(CATEGORIES), initial="其他")
    source = forms.ChoiceField(label="问题来源", choices=_choices(SOURCES, "请选择"))
    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 4}))
    responsible = forms.CharField(label="责任人", max_length=60, required=False)
    owner_person = CadreChoice(
        label="领导干部个人检视",
        queryset=Person.objects.none(),
        required=False,
        empty_label="不是（单位的问题）",
        help_text="领导干部个人检视查摆的问题，选择这位领导干部；单位的问题不选",
    )
    deadline = date_field("整改时限")
    is_special = forms.BooleanField(label="专项整治问题（销号前须上传整改方案）", required=False)

    def __init__(self, *args, categories=None, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cadres is not None:  # the org's leading cadres the user can see (views._cadres)
            cast(forms.ModelChoiceField, self.fields["owner_person"]).queryset = cadres
        if categories:  # the campaign's list (SPEC §4.3)
            cast(forms.ChoiceField, self.fields["category"]).choices = _choices(categories)
            if "其他" not in categories:
                self.fields["category"].initial = categories[0]


class ProblemForm(ProblemFields):
    number = forms.CharField(
        label="问题编号", max_length=40, required=False, help_text="不填则自动编号，如 2026-001；本组织内不能重复"
    )
    found_on = date_field("发现日期", required=True)
    reason = forms.CharField(
        label="新增原因",
        max_length=200,
        required=False,
        help_text="清单确定后再增加问题时，写明原因（如“群众反映”“督导指出”）",
    )

    field_order = [
        "number",
        "category",
        "source",
        "description",
        "responsible",
        "owner_person",
        "deadline",
        "found_on",
        "is_special",
        "reason",
    ]


class EditForm(ProblemFields):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MeasureForm(Bootstrap, forms.Form):
    text = forms.CharField(
        label="措施",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "措施内容", "aria-label": "措施内容"}),
    )
    owner = forms.CharField(
        label="责任人",
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "责任人", "aria-label": "责任人"}),
    )
    deadline = date_field("完成时限")
    kind = forms.ChoiceField(
        label="措施类型",
        choices=MeasureKind.choices,
        initial=MeasureKind.NOW,
        required=False,
        help_text="立行立改：马上改正这件事；建章立制：立规矩、管长远",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].widget.attrs.update({"aria-label": "完成时限", "title": "完成时限"})
        self.fields["kind"].widget.attrs.update({"aria-label": "措施类型", "title": "措施类型"})

    def clean(self):
        data = super().clean()
        if not data.get("text", "").strip() and (data.get("owner") or data.get("deadline")):
            self.add_error("text", "填写了责任人或时限，请同时填写措施内容")
        return data

    def measure(self) -> dict | None:
        """The action's {text, owner, deadline}, or None for a blank row."""
        data = self.cleaned_data
        if not data.get("text", "").strip():
            return None
        return {
            "text": data["text"].strip(),
            "owner": data.get("owner", "").strip(),
            "deadline": data.get("deadline"),
            "kind": data.get("kind") or MeasureKind.NOW,
        }


MeasureFormSet = forms.formset_factory(MeasureForm, extra=4, max_num=30)


class MilestoneForm(Bootstrap, forms.Form):
    """专项整治的节点: what, by when, who."""

    title = forms.CharField(
        label="节点",
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "节点内容，如：完成摸底排查", "aria-label": "节点内容"}),
    )
    due_on = date_field("计划完成日期", required=True)
    owner = forms.CharField(
        label="责任人", max_length=60, widget=forms.TextInput(attrs={"placeholder": "责任人", "aria-label": "责任人"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_on"].widget.attrs.update({"aria-label": "计划完成日期", "title": "计划完成日期"})


class ReasonForm(Bootstrap, forms.Form):
    reason = forms.CharField(label="原因", max_length=300)


class CloseForm(Bootstrap, forms.Form):
    # required by the action (its message names the field); not required here so the action's message shows
    change = forms.CharField(label="工作中发生了什么变化", max_length=300, required=False)
    comment = forms.CharField(label="验收意见", max_length=300, required=False)


class EvidenceForm(Bootstrap, forms.Form):
    file = forms.FileField(label="文件")
    kind = forms.ChoiceField(label="类型", choices=Evidence.Kind.choices, initial=Evidence.Kind.SUPPORT)


class PublishForm(Bootstrap, forms.Form):
    title = forms.CharField(label="公示标题", max_length=200, required=False, help_text="不填则用问题描述的开头")
    summary = forms.CharField(
        label="整改结果",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="群众能看到这段文字，请勿写人名、电话等个人信息",
    )


class EscalateForm(Bootstrap, forms.Form):
    to = forms.ChoiceField(label="提交给")
    reason = forms.CharField(label="本单位为什么解决不了", max_length=300)

    def __init__(self, *args, ancestors=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to"]).choices = [(o.code, o.name) for o in ancestors]


class HandDownForm(Bootstrap, forms.Form):
    number = forms.CharField(label="问题编号", max_length=40, required=False, help_text="不填则自动编号")
    category = forms.ChoiceField(label="问题类别", choices=_choices(CATEGORIES), initial="其他")
    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 4}))
    deadline = date_field("整改时限")
    targets = forms.MultipleChoiceField(label="交办给", required=False, widget=forms.CheckboxSelectMultiple)
    all_branches = forms.BooleanField(label="下级全部党支部", required=False)

    def __init__(self, *args, children=(), categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        if categories:
            cast(forms.ChoiceField, self.fields["category"]).choices = _choices(categories)
        cast(forms.MultipleChoiceField, self.fields["targets"]).choices = [(o.code, o.name) for o in children]

    def clean(self):
        data = super().clean()
        if not data.get("targets") and not data.get("all_branches"):
            self.add_error("targets", "请勾选下级组织，或选择“下级全部党支部”")
        return data


class RuleForm(Bootstrap, forms.Form):
    title = forms.CharField(label="制度名称", max_length=200)
    doc_number = forms.CharField(label="文号", max_length=60, required=False)
    issued_on = date_field("印发日期", required=True)
    problems = forms.MultipleChoiceField(label="针对的问题", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, problems=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["problems"]).choices = [
            (str(p.pk), f"{p.org.name} {p.number} {p.description[:40]}") for p in problems
        ]


class RatingForm(Bootstrap, forms.Form):
    choice = forms.ChoiceField(
        label="您的评价",
        choices=Rating.Choice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择 满意、基本满意 或 不满意"},
    )
    comment = forms.CharField(
        label="意见建议（可不填）", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
