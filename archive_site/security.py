"""Response headers and failure pages that keep the archive safe.

ContentSecurityPolicyMiddleware sends settings.SECURE_CSP (same shape as
Django 6's setting of that name: directive → list of sources) on every
response: scripts and styles only from the site's own static files, so an
injected inline script does not run.

DatabaseUnavailableMiddleware answers a view that lost its database
connection (server restarted, connection terminated) with a short 503 page
instead of a 500: the request's transaction was rolled back whole
(ATOMIC_REQUESTS), and Django's connection health checks open a new
connection for the next request, so the user only has to try again.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.template.response import TemplateResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def csp_header_value(policy):
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = csp_header_value(getattr(settings, "SECURE_CSP", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Content-Security-Policy", self.header)
        return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("Database unavailable during %s %s", request.method, request.path, exc_info=exception)
        response = TemplateResponse(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
