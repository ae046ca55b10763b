"""The pages a refused or failed request gets: the app's layout, Chinese or English, no internals.

Django calls these for every 400, 403, 404 and 500 (`handler400` … in
`archive_site/urls.py`, `CSRF_FAILURE_VIEW` in the settings). A request the
database could not serve — it is stopped, restarting, or dropped the connection,
whether in a view or while a middleware loads the session — reaches
`server_error` as an OperationalError or InterfaceError and is answered 503 with
Retry-After: the request's transaction was rolled back whole (ATOMIC_REQUESTS)
and Django's connection health checks reconnect on a later request.

JSON callers (the API, the pages' own look-ups) get the same answers as JSON.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 5

TITLES = {
    400: lambda: _("请求无法处理"),
    403: lambda: _("没有权限"),
    404: lambda: _("找不到页面或记录"),
    500: lambda: _("系统出错"),
    503: lambda: _("系统暂时不可用"),
}


def database_unavailable(exception):
    """Whether `exception` says the database could not be reached or lost the connection."""
    return isinstance(exception, (OperationalError, InterfaceError))


def wants_json(request):
    """API paths, and callers that prefer JSON to HTML."""
    path = request.path_info
    if "/api/" in path or path.endswith(".json"):
        return True
    preferred = request.get_preferred_type(["text/html", "application/json"])
    return preferred == "application/json"


def _json(status, message):
    return JsonResponse(
        {"error": str(message), "status": status}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def error_page(request, status, message=None):
    """The error page in the app's layout (with the navigation), or JSON for JSON callers."""
    if wants_json(request):
        return _json(status, message or TITLES[status]())
    context = {"status": status, "title": TITLES[status](), "message": message}
    body = loader.render_to_string("error.html", context, request)
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    return error_page(request, 400)


def permission_denied(request, exception=None):
    return error_page(request, 403)


def page_not_found(request, exception=None):
    return error_page(request, 404)


def csrf_failure(request, reason=""):
    """A form posted with a missing or outdated CSRF token: usually a page left open too long."""
    message = _("表单已过期（页面打开太久，或在登录、退出之前打开）。请刷新页面后重新提交。")
    return error_page(request, 403, message)


def unavailable(request):
    """503 with Retry-After; the page is standalone: it must not need the database."""
    if wants_json(request):
        response = _json(503, _("数据库暂时不可用，请稍后重试。"))
    else:
        response = HttpResponse(loader.render_to_string("503.html", {}, request), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    """500 in the layout; a database outage is 503. Django calls it while handling the exception."""
    if database_unavailable(sys.exc_info()[1]):
        return unavailable(request)
    try:
        return error_page(request, 500)
    except Exception:  # the layout itself failed (its navigation needs the database): a bare page
        if wants_json(request):
            return _json(500, TITLES[500]())
        return HttpResponse(loader.render_to_string("500_bare.html", {}, None), status=500)
