"""Forms of the study pages. They only parse input; every rule lives in actions.py."""

from django import forms

from tuijin.core.forms import Bootstrap, date_field

from .models import FORMS, SPEAKER_CATEGORIES


def _choices(values, blank=None):
    return ([("", blank)] if blank else []) + [(v, v) for v in values]


class SessionForm(Bootstrap, forms.Form):
    """A collective session. Chapters and attendees are checkbox lists drawn by the template from the
    reading list and the org's people; here they are validated against those same choices."""

    date = date_field("日期", required=True)
    form = forms.ChoiceField(label="学习形式", choices=_choices(FORMS, "请选择"))
    topic = forms.CharField(label="主题", max_length=200)
    speaker = forms.CharField(label="主讲人", max_length=60, required=False)
    speaker_affiliation = forms.CharField(label="主讲人单位", max_length=120, required=False)
    speaker_category = forms.ChoiceField(
        label="主讲人类别", choices=_choices(SPEAKER_CATEGORIES, "未注明"), required=False
    )
    chapters = forms.MultipleChoiceField(label="学习篇目", required=False, widget=forms.CheckboxSelectMultiple)
    attendees = forms.MultipleChoiceField(label="参加人员", required=False, widget=forms.CheckboxSelectMultiple)
    headcount = forms.IntegerField(
        label="参加人数",
        required=False,
        min_value=0,
        help_text="勾选了参加人员可不填（按勾选人数计）；未逐一登记姓名时填总人数",
    )
    hours = forms.DecimalField(label="时长（小时）", required=False, min_value=0, max_digits=5, decimal_places=2)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, chapters=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chapters"].choices = [(c.code, f"{c.code} {c.title}") for c in chapters]
        self.fields["attendees"].choices = [(p.number, p.name) for p in people]


class SelfStudyForm(Bootstrap, forms.Form):
    chapter = forms.ChoiceField(label="篇目")
    date = date_field("学习日期", required=True)
    reflection = forms.CharField(
        label="学习心得（可不填）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "写几句体会，可不填"}),
    )

    def __init__(self, *args, chapters=(), **kwargs):
        super().__init__(*args, **kwargs)
        groups = {}
        for c in chapters:
            groups.setdefault(c.item.title, []).append((c.code, f"{c.code} {c.title}"))
        self.fields["chapter"].choices = [("", "请选择篇目")] + list(groups.items())


class ReasonForm(Bootstrap, forms.Form):
    reason = forms.CharField(label="撤回原因", max_length=300)


class EvidenceForm(Bootstrap, forms.Form):
    file = forms.FileField(label="会议记录或照片")


class ReadingItemForm(Bootstrap, forms.Form):
    code = forms.CharField(label="书目编码", max_length=40, help_text="如 R4；导入导出用，设定后不再修改")
    title = forms.CharField(label="书目名称", max_length=200)


class ChapterForm(Bootstrap, forms.Form):
    code = forms.CharField(label="篇目编码", max_length=40, help_text="如 R1-06；导入导出用，设定后不再修改")
    title = forms.CharField(label="篇目名称", max_length=200)


class RenameForm(Bootstrap, forms.Form):
    title = forms.CharField(label="名称", max_length=200)


class FollowupItemForm(Bootstrap, forms.Form):
    """跟进学习（第一议题）: a newly published speech or article, to be studied within its own window."""

    code = forms.CharField(label="书目编码", max_length=36, help_text="如 G1；篇目编码为“编码-01”，导入导出用")
    title = forms.CharField(label="学习内容", max_length=200, help_text="如 习近平总书记在某会议上的重要讲话")
    opens_on = date_field("开始日期", required=True)
    due_on = date_field("截止日期", required=True, help_text="如“两周内学完”，即开始日期后第13天")
