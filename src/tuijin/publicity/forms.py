"""Forms of the publicity pages. They only parse input; every rule lives in actions.py."""

from typing import cast

from django import forms

from tuijin.orgs.models import ORG_KINDS, SECTORS

from .models import CHANNELS, LEVELS, TYPES

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d"]


def date_field(label, required=True, **kw):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kw,
    )


def _choices(values, blank=None):
    return ([("", blank)] if blank else []) + [(v, v) for v in values]


class Bootstrap:
    fields: dict[str, forms.Field]  # provided by the forms.Form this is mixed into

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class SubmissionForm(Bootstrap, forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    type = forms.ChoiceField(label="信息类型", choices=_choices(TYPES), initial="工作动态")
    date = date_field("报送日期")
    solicitation = forms.ChoiceField(
        label="答复约稿", required=False, help_text="为答复上级约稿而写的，请选择对应的约稿"
    )
    body = forms.CharField(label="正文", required=False, widget=forms.Textarea(attrs={"rows": 8}))
    file = forms.FileField(label="附件（可选）", required=False, help_text="图片、PDF、Word 或 Excel")

    def __init__(self, *args, solicitations=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["solicitation"]).choices = [("", "（不是约稿）")] + [
            (s.number, f"{s.number} {s.topic[:30]}（{s.deadline:%m月%d日}前）") for s in solicitations
        ]


class AdoptForm(Bootstrap, forms.Form):
    level = forms.ChoiceField(label="采用层级", choices=_choices(LEVELS))
    quality = forms.TypedChoiceField(
        label="质量评分",
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "不评分")] + [(str(i), f"{i} 分") for i in range(5, 0, -1)],
    )
    note = forms.CharField(label="说明", max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReturnForm(Bootstrap, forms.Form):
    reason = forms.CharField(
        label="退回原因",
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "如：与主题教育关联不紧密，请补充本单位做法"}),
    )
    quality = forms.TypedChoiceField(
        label="质量评分",
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "不评分")] + [(str(i), f"{i} 分") for i in range(5, 0, -1)],
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ForwardForm(Bootstrap, forms.Form):
    note = forms.CharField(label="转报说明", max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FileForm(Bootstrap, forms.Form):
    file = forms.FileField(label="文件")


class SolicitationForm(Bootstrap, forms.Form):
    topic = forms.CharField(label="约稿主题", max_length=200)
    deadline = date_field("截止日期", help_text="当天 24 时（北京时间）前报送为按时")
    note = forms.CharField(label="约稿要求", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    targets = forms.MultipleChoiceField(
        label="约稿对象（从组织树选择）", required=False, widget=forms.SelectMultiple(attrs={"size": 10})
    )
    kinds = forms.MultipleChoiceField(
        label="或按组织类别", required=False, choices=_choices(ORG_KINDS), widget=forms.CheckboxSelectMultiple
    )
    sectors = forms.MultipleChoiceField(
        label="或按所属领域", required=False, choices=_choices(SECTORS), widget=forms.CheckboxSelectMultiple
    )
    depths = forms.MultipleChoiceField(label="或按层级", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, orgs=(), depths=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["targets"]).choices = list(orgs)  # (code, indented name)
        cast(forms.MultipleChoiceField, self.fields["depths"]).choices = depths


class ItemForm(Bootstrap, forms.Form):
    channel = forms.ChoiceField(label="宣传渠道", choices=_choices(CHANNELS, "请选择"))
    outlet = forms.CharField(
        label="媒体或地点",
        max_length=200,
        required=False,
        help_text="媒体报道填媒体名称（如“X市电视台”）；宣传阵地填地点（如“城关广场”）",
    )
    title = forms.CharField(label="标题或内容", max_length=500)
    date = date_field("日期")
    link = forms.CharField(
        label="链接", max_length=500, required=False, widget=forms.URLInput(attrs={"placeholder": "https://"})
    )
    file = forms.FileField(label="照片（可选）", required=False, help_text="宣传阵地请上传现场照片")


class DecideForm(Bootstrap, forms.Form):
    note = forms.CharField(
        label="说明",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "排除时写明理由，如“共同引用上级文件原文”"}),
    )
