from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from archive_site import registry
from archive_site.forms import SUBMIT_TOKEN, new_submit_token

register = template.Library()


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
    """The registered navigation links this user may follow: (link, url, is current)."""
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    return [
        (link, reverse(link.url_name), link.is_current(match))
        for link in registry.nav
        if link.shown_to(request.user)
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


@register.simple_tag
def submit_token():
    """The one-time token of a button form that makes a record (a copy, a new draft):
    submitted twice, it makes one (archive_site.middleware.OneTimeSubmitMiddleware)."""
    return format_html('<input type="hidden" name="{}" value="{}">', SUBMIT_TOKEN, new_submit_token())
