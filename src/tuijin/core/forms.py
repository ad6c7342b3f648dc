"""Form helpers every module's pages share: Bootstrap classes on widgets, one date field.

Templates render a field with the one include `_field.html` (templates/_field.html).
"""

from typing import Any

from django import forms

# Browsers send ISO dates from <input type=date>; clerks who type may write the other two.
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d"]


def date_field(label: str, required: bool = False, **kw: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kw,
    )


class Bootstrap:
    """Give every widget its Bootstrap class, so templates render fields with one include."""

    fields: dict[str, forms.Field]  # provided by the forms.Form this is mixed into

    def __init__(self, *args: Any, **kwargs: Any) -> None:
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
