"""The archive's middleware, in the order settings.MIDDLEWARE uses them.

HealthCheckMiddleware answers GET /healthz before the Host and HTTPS checks.

ContentSecurityPolicyMiddleware sends settings.SECURE_CSP (same shape as
Django 6's setting of that name: directive → list of sources) on every
response: scripts and styles only from the site's own static files, so an
injected inline script does not run.

PrivateNoStoreMiddleware: nothing the views send (pages, exports, PDFs,
photos, downloads — all behind a login and a permission check) is kept in a
browser's or a proxy's cache, so it is gone from the PC once access is
withdrawn. Static files are answered before it, by whitenoise, and cached.

LanguageMiddleware: Chinese unless the user chose another language.

UnusableInputMiddleware refuses with a 400 a request whose query string or
form fields hold a NUL character: no text in the archive can hold one
(PostgreSQL refuses it), and no input of a person does.

A database that is unreachable or drops the connection — in a view or while a
middleware loads the session — is answered 503 by the 500 handler
(`archive_site.errors.server_error`), whichever layer it happens in.

OneTimeSubmitMiddleware honours the one-time token of the forms that make a
record (`archive_site.forms.OneTimeSubmitMixin`, `{% submit_token %}`): the
first submission that succeeds (answers with a redirect) records where it led;
the same token submitted again — a double click, a page sent again — is
answered with a redirect there and a message, and the view does not run. A
second submission arriving while the first is still running waits for it (a
PostgreSQL advisory lock on the token).

StaleEditMiddleware: a record someone else saved between the check of a form
(or the page of a button) and its save (`archive_site.forms.StaleEdit`) sends
the user back to the form, which shows the newer record, with a message;
nothing was written.
"""

import datetime
import hashlib
import re

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.db import Error, connection
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from archive_site.forms import STALE_EDIT, SUBMIT_TOKEN, StaleEdit
from archive_site.models import Submission

HEALTH_PATH = "/healthz"


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


class PrivateNoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Cache-Control"] = "private, no-store"
        return response


NUL = "\x00"


class UnusableInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        # .lists(): the raw values, whatever the view later reads.
        data = [request.GET] + ([request.POST] if request.method == "POST" else [])
        texts = [request.path_info] + [t for d in data for key, values in d.lists() for t in (key, *values)]
        if any(NUL in text for text in texts):
            raise BadRequest("Request contains a NUL character")
        return None


ALREADY_SUBMITTED = _("这张表单已经提交过，重复的提交没有再保存一次。下面是第一次提交的结果。")
TOKEN_FORMAT = re.compile(r"[0-9a-f]{32}")
SUBMISSIONS_KEPT = datetime.timedelta(days=1)


class OneTimeSubmitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request.POST.get(SUBMIT_TOKEN, "") if request.method == "POST" else ""
        if not TOKEN_FORMAT.fullmatch(token) or not request.user.is_authenticated:
            return self.get_response(request)
        key = int.from_bytes(hashlib.sha256(token.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        try:
            done = Submission.objects.filter(token=token, user=request.user).first()
            if done is not None:
                messages.info(request, ALREADY_SUBMITTED)
                return HttpResponseRedirect(done.location)
            response = self.get_response(request)
            if response.status_code in (301, 302, 303) and response.get("Location"):
                Submission.objects.filter(at__lt=timezone.now() - SUBMISSIONS_KEPT).delete()
                Submission.objects.create(token=token, user=request.user, location=response["Location"])
            return response
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


class StaleEditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, StaleEdit):
            return None
        messages.error(request, STALE_EDIT)
        return HttpResponseRedirect(exception.redirect_to or request.get_full_path())
