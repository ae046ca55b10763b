"""The archive's middleware, in the order settings.MIDDLEWARE uses them.

HealthCheckMiddleware answers GET /healthz before the Host and HTTPS checks.

ContentSecurityPolicyMiddleware sends settings.SECURE_CSP (same shape as
Django 6's setting of that name: directive → list of sources) on every
response: scripts and styles only from the site's own static files, so an
injected inline script does not run.

DatabaseUnavailableMiddleware answers a view that lost its database
connection (server restarted, connection terminated) with a short 503 page
instead of a 500: the request's transaction was rolled back whole
(ATOMIC_REQUESTS), and Django's connection health checks open a new
connection for the next request, so the user only has to try again.

LanguageMiddleware: Chinese unless the user chose another language.

StaleEditMiddleware: a record someone else saved between the check of a form
and its save (`archive_site.forms.StaleEdit`) sends the user back to the form,
which shows the newer record, with a message; nothing was written.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.db import Error, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import translation

from archive_site.forms import STALE_EDIT, StaleEdit

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
RETRY_AFTER_SECONDS = 5


class LanguageMiddleware:
    """Chinese unless the user chose another language with the header's switch.

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is ignored:
    the mill's UI is Chinese by default, whatever language the PC was set up in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class HealthCheckMiddleware:
    """GET /healthz: "ok" (200) when the database answers, else 503. First in MIDDLEWARE.

    Container and load-balancer probes connect by address (localhost, the
    container's IP) over plain HTTP: answered here, before anything reads the
    Host header or redirects to HTTPS, the probe works whatever ALLOWED_HOSTS
    and HTTPS say. It tells nothing but ok or not, so it needs no login.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != HEALTH_PATH:
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Error:
            return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
        response = HttpResponse("ok\n", content_type="text/plain")
        response["Cache-Control"] = "no-store"
        return response


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


class StaleEditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, StaleEdit):
            return None
        messages.error(request, STALE_EDIT)
        return HttpResponseRedirect(request.get_full_path())
