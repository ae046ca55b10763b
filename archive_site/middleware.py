from django.conf import settings
from django.db import Error, connection
from django.http import HttpResponse
from django.utils import translation

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
