"""Print templates' helpers."""

import re

from django import template
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from archive_site.lib.numbers import plain

register = template.Library()


@register.filter
def percent(value):
    """A fraction as a percentage with one decimal: 0.7834 → 78.3%."""
    if value is None:
        return ""
    return f"{value * 100:.1f}%"


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


@register.simple_tag
def objection_facts(objection):
    """“DC04 · 0.8×1250 · 划伤（一般） · 12.5 t · 已受理 · 零件 P-01 前门外板（车型）”: one line
    for what would take six cells.

    Every table cell costs WeasyPrint half a millisecond to lay out, whatever
    it holds: the objection list is the longest table of a sheet.
    """
    defect = _("%(defect)s（%(severity)s）") % {
        "defect": objection.defect_type,
        "severity": objection.get_severity_display(),
    }
    tons = f"{plain(objection.tonnage)} t" if objection.tonnage is not None else ""
    grade = str(objection.production_grade or "")
    facts = [grade, objection.spec, defect, tons, objection.get_status_display()]
    if part := objection.part:  # the part the customer stamped, and its car model
        model = f"（{part.car_model}）" if part.car_model_id else ""
        values = {"number": part.number, "name": part.name, "model": model}
        facts.append(_("零件 %(number)s %(name)s%(model)s") % values)
    return " · ".join(f for f in facts if f)


NEWLINE = '"\\A"'  # a line break in CSS `content` (the margin boxes have `white-space: pre`)


def _lines(*lines):
    """CSS `content` of one or more lines of text."""
    return f" {NEWLINE} ".join(_css_string(line) for line in lines)


@register.simple_tag
def doc_number_line(sheet):
    return _("文件编号：%(number)s") % {"number": sheet.number}


@register.simple_tag
def revision_line(sheet):
    return _("版次：Rev.%(revision)s") % {"revision": sheet.revision}


@register.simple_tag
def print_date_line(printed_at):
    return _("打印日期：%(date)s") % {"date": date_format(printed_at, "Y-m-d")}


@register.simple_tag
def print_stamp_line(printed_by, printed_at):
    """“打印人：王丽　打印时间：2026-03-01 09:30”: who printed this copy, and when."""
    return _("打印人：%(user)s　打印时间：%(when)s") % {
        "user": printed_by,
        "when": date_format(printed_at, "Y-m-d H:i"),
    }


@register.simple_tag
def page_header(sheet, mill_name):
    """The margin boxes of a sheet's pages: mill, title, number and revision (a third line left
    for the print date, which printing.stamp lays over each copy)."""
    boxes = {
        "top-left": _lines(str(mill_name)),
        "top-center": _lines(str(sheet.title)),
        "top-right": _lines(doc_number_line(sheet), revision_line(sheet)),
    }
    css = " ".join(f"@{box} {{ content: {content}; }}" for box, content in boxes.items())
    return mark_safe(css)  # noqa: S308 — every piece is a quoted, escaped CSS string


@register.simple_tag
def stamp_boxes(printed_by, printed_at):
    """The margin boxes of a print stamp: the print date under the sheet's number and revision,
    who printed and when at the foot of the page."""
    boxes = {
        "top-right": f"{NEWLINE} {NEWLINE} {_css_string(print_date_line(printed_at))}",
        "bottom-left": _css_string(print_stamp_line(printed_by, printed_at)),
    }
    css = " ".join(f"@{box} {{ content: {content}; }}" for box, content in boxes.items())
    return mark_safe(css)  # noqa: S308 — every piece is a quoted, escaped CSS string
