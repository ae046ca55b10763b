import datetime

from django import template
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, mark_safe

from archive_site import registry
from archive_site.forms import SUBMIT_TOKEN, new_submit_token
from archive_site.lib import numbers

register = template.Library()


@register.filter
def num(value, places=None):
    """A number as the mill writes it (archive_site.lib.numbers.plain): 0.800 → 0.8, 1.5E+3 → 1500.

    `{{ mean|num:3 }}` rounds a computed value to at most 3 decimals.
    """
    return numbers.plain(value, places)


@register.filter(expects_localtime=True)
def day(value):
    """`|date:"Y-m-d"`: a date, or a datetime in local time, as its day (2026-12-05). Django's
    filter reads its format anew for every value, ~20 µs: a list of 50 rows drew 100 dates."""
    if isinstance(value, datetime.date):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return date_filter(value, "Y-m-d")


@register.filter(expects_localtime=True)
def minute(value):
    """`|date:"Y-m-d H:i"`: a datetime in local time to the minute (2026-12-05 09:30)."""
    if isinstance(value, datetime.datetime):
        return f"{day(value)} {value.hour:02d}:{value.minute:02d}"
    return date_filter(value, "Y-m-d H:i")


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
    query = context["request"].GET.copy()
    current = query.get("o", "")
    descending = current == field
    query["o"] = f"-{field}" if descending else field
    query.pop("page", None)
    arrow = " ▲" if current == field else " ▼" if current == f"-{field}" else ""
    return format_html('<a href="?{}">{}{}</a>', query.urlencode(), label, arrow)


@register.simple_tag(takes_context=True)
def nav_links(context):
    """The registered navigation links this user may follow, as `links`: (link, url, is
    current) on the navigation's line, and `menus`: (label, [(link, url, is current)], one
    of them current) for the links registered with a menu, in the order of their first link."""
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    links, menus = [], {}
    for link in registry.nav:
        if link.shown_to(request.user):
            entry = (link, reverse(link.url_name), link.is_current(match))
            (menus.setdefault(str(link.menu), []) if link.menu else links).append(entry)
    menus = [(label, entries, any(current for *_, current in entries)) for label, entries in menus.items()]
    return {"links": links, "menus": menus}


@register.simple_tag(takes_context=True)
def header_links(context):
    """The registered links of the header's account area: (link, url, count or None)."""
    user = context["request"].user
    return [
        (link, reverse(link.url_name), link.count(user) if link.count else None)
        for link in registry.header_links
        if link.shown_to(user)
    ]


SECTIONS = {
    "home": registry.home_panels,
    "customer": registry.customer_sections,
    "demand": registry.demand_sections,
}


@register.simple_tag(takes_context=True)
def sections(context, page, obj=None):
    """The sections the apps registered for `page` ("home", "customer", "demand"), rendered in order."""
    request = context["request"]
    parts = []
    for section in SECTIONS[page]:
        ctx = section.context(request, obj)
        if ctx is not None:
            parts.append(render_to_string(section.template, ctx, request=request))
    return mark_safe("".join(parts))  # each part rendered by its own template, autoescaped


@register.filter
def without(form, names):
    """The form's visible fields but those named (comma-separated): for a field a page shows apart."""
    left_out = {n.strip() for n in names.split(",")}
    return [field for field in form.visible_fields() if field.name not in left_out]


@register.simple_tag
def submit_token():
    """The one-time token of a button form that makes a record (a copy, a new draft):
    submitted twice, it makes one (archive_site.middleware.OneTimeSubmitMiddleware)."""
    return format_html('<input type="hidden" name="{}" value="{}">', SUBMIT_TOKEN, new_submit_token())


@register.simple_tag(takes_context=True)
def select_options(context, widget):
    """A select's options and groups, exactly as Django's select.html and select_option.html
    draw them, written in one pass: the template language's loop over each option and each
    option's attributes was most of the time a form with a few dictionary selects took to draw
    (the objection list's filter form: 70 options)."""
    out = []
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{render_value_in_context(group_name, context)}">')
        for option in options:
            value, attrs = _as_string(option["value"]), _attributes(option["attrs"])
            label = render_value_in_context(option["label"], context)
            out.append(f'\n  <option value="{value}"{attrs}>{label}</option>\n')
        if group_name:
            out.append("\n  </optgroup>")
    return mark_safe("".join(out))


def _attributes(attrs):
    """HTML attributes as the project's widget templates write them: `True` bare, `False` left out."""
    written = []
    for name, value in attrs.items():
        if value is True:
            written.append(f" {conditional_escape(name)}")
        elif value is not False:
            written.append(f' {conditional_escape(name)}="{_as_string(value)}"')
    return "".join(written)


def _as_string(value):
    """`{{ value|stringformat:'s' }}`: the value as text, escaped unless it is safe already."""
    text = str(value)
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)
