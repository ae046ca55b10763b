from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def plain(value):
    """A decimal without trailing zeros or exponent: 700.0000 → 700, 1.2500 → 1.25; None → ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value
