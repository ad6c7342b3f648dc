"""Number formatting for indicators: shares as percentages, counts as plain numbers."""

from django import template

register = template.Library()


@register.filter
def pct(value):
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def num(value):
    if value is None:
        return "—"
    value = float(value)
    return f"{int(value):,}" if value.is_integer() else f"{value:,.2f}"


@register.filter
def indicator_value(value, unit):
    if value is None:
        return "—"
    if unit == "%":
        return pct(value)
    return f"{num(value)} {unit}"
