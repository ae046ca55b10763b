"""The print templates' tags as they were before the layout was made cheaper: `bench.printing`
renders the frozen templates of this folder with them as the baseline of the layout cost."""

import re
from decimal import Decimal

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def num(value):
    """A decimal as the mill writes it: 0.800 → 0.8, 1200.0 → 1200; empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}"
    return str(value)


@register.filter
def percent(value):
    """A fraction as a percentage with one decimal: 0.7834 → 78.3%."""
    if value is None:
        return ""
    return f"{value * 100:.1f}%"


@register.simple_tag
def tolerance(minus, plus):
    """“（−0.03/+0.05）” from a pair of absolute tolerances; empty when neither is given."""
    if minus is None and plus is None:
        return ""
    low = f"−{num(minus)}" if minus is not None else "—"
    high = f"+{num(plus)}" if plus is not None else "—"
    return f"（{low}/{high}）"


@register.simple_tag
def value_range(low, high, unit=""):
    """“0.02–0.05”, “≥ 270”, “≤ 0.012” or empty."""
    unit = f" {unit}" if unit else ""
    if low is not None and high is not None:
        return f"{num(low)}–{num(high)}{unit}"
    if low is not None:
        return f"≥ {num(low)}{unit}"
    if high is not None:
        return f"≤ {num(high)}{unit}"
    return ""


def _css_string(text):
    """`text` as a CSS string literal that cannot end the string or the <style> element."""
    escaped = re.sub(r'(["\\])', r"\\\1", text).replace("\n", " ").replace("<", "\\3c ")
    return f'"{escaped}"'


@register.simple_tag
def page_counter_content():
    """CSS `content` for the page footer, e.g. "第 " counter(page) " 页 共 " counter(pages) " 页".

    Built from one translatable sentence so the English catalogue can say
    "Page 1 of 3" in its own word order.
    """
    sentence = _("第 {page} 页 共 {pages} 页")
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", sentence):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return mark_safe(" ".join(parts))  # noqa: S308 — every piece is a quoted, escaped CSS string
