from django import template

from archive_site.lib import numbers

register = template.Library()


@register.filter
def num(value, places=None):
    """A number as the mill writes it (archive_site.lib.numbers.plain): 0.800 → 0.8, 1.5E+3 → 1500.

    `{{ mean|num:3 }}` rounds a computed value to at most 3 decimals.
    """
    return numbers.plain(value, places)


@register.simple_tag
def span(low, high, unit=""):
    """“0.02–0.05 %”, “≥ 270 MPa”, “≤ 0.012 %” or empty."""
    return numbers.span(low, high, unit)


@register.simple_tag
def tolerance(minus, plus):
    """“（−0.03/+0.05）” or empty."""
    return numbers.tolerance(minus, plus)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters changed (pagination, sorting)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag(takes_context=True)
def sort_link(context, field, label):
    """A column header that sorts by `field`, toggling the direction."""
    from django.utils.html import format_html

    query = context["request"].GET.copy()
    current = query.get("o", "")
    descending = current == field
    query["o"] = f"-{field}" if descending else field
    query.pop("page", None)
    arrow = " ▲" if current == field else " ▼" if current == f"-{field}" else ""
    return format_html('<a href="?{}">{}{}</a>', query.urlencode(), label, arrow)
