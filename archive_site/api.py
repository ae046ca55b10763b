"""The door of the JSON API for the mill's other systems (process computers, MES): token or
session, JSON answers for every refusal.

    @api_view(methods=("POST",), token_required=True)
    def runs_api(request): ...

A request with `Authorization: Bearer <key>` is made as the user of that token
(`ApiToken`): the user's permissions and record scope apply, exactly as on the pages. A
missing, unknown or revoked token is answered 401 in JSON, never with the login page.
Views that change something take tokens only: a browser's session cookie would need CSRF
protection, and the pages are where people change things.
"""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from archive_site.models import ApiToken

SAFE = ("GET", "HEAD")


def json_response(data, status=200, **headers):
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def api_view(methods=SAFE, token_required=False):
    """Decorator: the view answers JSON to machines, authenticated by token (or, for reading
    views, by the session). Refusals: 405 for another method, 401 without a valid token or login."""
    if not token_required and set(methods) - set(SAFE):
        raise ValueError("a view that changes something takes tokens only (token_required=True)")

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                return json_response({"error": _("不支持这种请求方法。")}, 405, Allow=", ".join(methods))
            header = request.headers.get("Authorization", "")
            if header:
                scheme, _sep, key = header.partition(" ")
                token = ApiToken.authenticate(key.strip()) if scheme.lower() == "bearer" else None
                if token is None:
                    return json_response(
                        {"error": _("令牌无效、已吊销，或其用户已停用。")}, 401, WWW_Authenticate="Bearer"
                    )
                token.touch()
                request.user = token.user
                request.api_token = token
            elif token_required:
                message = _("此接口需要令牌：请在请求头中加上 Authorization: Bearer <令牌>。")
                return json_response({"error": message}, 401, WWW_Authenticate="Bearer")
            if not request.user.is_authenticated:
                return json_response({"error": _("需要登录。")}, 401, WWW_Authenticate="Bearer")
            return view(request, *args, **kwargs)

        # Session requests may only read (safe methods); writes need the token above.
        return csrf_exempt(login_not_required(wrapped))

    return decorate
