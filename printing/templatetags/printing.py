"""Print templates' helpers, and the customer archive page's section of prints (issue 6)."""

import re
from decimal import Decimal

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from printing.models import PRINT_PERMISSION, PrintLog

register = template.Library()

SECTION_SIZE = 30


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


@register.inclusion_tag("printing/_customer_section.html", takes_context=True)
def print_section(context, customer):
    """Printing on the customer archive page: what may be printed, and the print log.

    Four queries whatever the number of parts, demands and prints.
    """
    from customers.models import Demand
    from products.models import Part

    user = context["request"].user
    may_print = user.has_perm(PRINT_PERMISSION)
    may_read_log = user.has_perm("printing.view_printlog")
    parts, demands, logs, log_count = [], [], [], 0
    if may_print:
        parts = list(Part.objects.visible_to(user).filter(customer=customer).only("pk", "number", "name"))
        demands = list(Demand.objects.visible_to(user).filter(customer=customer).only("pk", "name"))
    if may_read_log:
        scoped = PrintLog.objects.visible_to(user).filter(customer=customer)
        logs = list(scoped.select_related("printed_by")[:SECTION_SIZE])
        log_count = len(logs) if len(logs) < SECTION_SIZE else scoped.count()
    return {
        "customer": customer,
        "may_print": may_print,
        "may_read_log": may_read_log,
        "parts": parts,
        "demands": demands,
        "logs": logs,
        "log_count": log_count,
        "section_size": SECTION_SIZE,
        "csrf_token": context.get("csrf_token"),
    }
