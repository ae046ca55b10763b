"""Rendering one section that an app registered for a core page (`archive_site.registry`)."""

from django.template.loader import render_to_string
from django.test import RequestFactory

from archive_site.templatetags.archive import SECTIONS


def render_section(page, template, user, obj=None):
    """The section of `page` ("home", "customer", "demand") drawn from `template`, as `user` sees it."""
    (section,) = [s for s in SECTIONS[page] if s.template == template]
    request = RequestFactory().get("/")
    request.user = user
    context = section.context(request, obj)
    return "" if context is None else render_to_string(section.template, context, request)
