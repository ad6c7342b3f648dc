"""Template helpers for forms (issue 11): the error summary at the top of a page lists each field in error."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def field_errors(form: Any) -> list:
    """The bound fields of `form` that have errors, in form order (none for anything that is not a
    submitted form). A hidden field's error has no field to move to: the summary leaves it to the
    non-field errors the page shows."""
    if not getattr(form, "is_bound", False) or not hasattr(form, "visible_fields"):
        return []
    if not form.errors:
        return []
    return [f for f in form.visible_fields() if f.errors]
