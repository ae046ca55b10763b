"""Production settings: deploy checks, CSP, password hashing, sessions, CSRF."""

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from archive_site.middleware import csp_header_value

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


def production_env(**overrides):
    """The environment of a production deployment behind a TLS proxy (nothing of the test run's)."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        DJANGO_SETTINGS_MODULE="archive_site.settings",
        DEBUG="false",
        HTTPS="true",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_HSTS_SECONDS="31536000",
        ALLOWED_HOSTS="archive.mill.example",
    )
    env.update(overrides)
    return env


def run_in_production(code, **env):
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_https_on_turns_on_hsts_redirect_and_secure_cookies_by_default():
    code = (
        "from django.conf import settings as s\n"
        "print(s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    result = run_in_production(code, SECURE_HSTS_SECONDS="")
    assert result.stdout.split() == ["True", "True", "True", "True"], result.stderr


def test_plain_http_intranet_gets_no_redirect_and_no_secure_only_cookies():
    code = (
        "from django.conf import settings as s\n"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    result = run_in_production(code, HTTPS="false", SECURE_HSTS_SECONDS="")
    assert result.stdout.split() == ["0", "False", "False", "False"], result.stderr


def test_production_hashes_passwords_with_djangos_default_pbkdf2():
    code = (
        "from django.contrib.auth.hashers import get_hasher, make_password\n"
        "print(get_hasher('default').algorithm, make_password('Correct-Horse-42').split('$')[0])"
    )
    result = run_in_production(code)
    assert result.stdout.split() == ["pbkdf2_sha256", "pbkdf2_sha256"], result.stderr


def test_sessions_end_after_a_working_day_and_at_browser_close():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY


@pytest.mark.django_db
def test_expired_session_is_sent_back_to_login(login, alice):
    client = login(alice)
    assert client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# Content-Security-Policy


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_scripts(login, alice):
    response = login(alice).get(reverse("customers:customer-list"))
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' data: blob:"  # previews of the photos chosen for upload
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.django_db
def test_login_page_carries_the_policy_too(client):
    response = client.get(reverse("login"))
    assert response.headers["Content-Security-Policy"] == csp_header_value(settings.SECURE_CSP)


def _templates():
    return sorted(TEMPLATES.rglob("*.html"))


TAG = re.compile(r"<[a-zA-Z][^>]*>", re.S)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(TEMPLATES)
        for attrs, body in SCRIPT.findall(text):
            if body.strip() and "application/json" not in attrs:
                offenders.append(f"{name}: inline <script>")
        for tag in TAG.findall(text):
            if HANDLER.search(tag):
                offenders.append(f"{name}: handler in {tag[:60]}")
        if re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", text, re.I):
            offenders.append(f"{name}: javascript: URL")
    assert not offenders, "the CSP blocks these; move the code to static/js/:\n" + "\n".join(offenders)


# Inline styles are ignored under `style-src 'self'`. (PDF templates are rendered
# by WeasyPrint on the server, where no CSP applies.)
def test_no_template_uses_inline_styles():
    found = set()
    for path in _templates():
        name = str(path.relative_to(TEMPLATES))
        if name.startswith("printing/"):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"<style\b", text, re.I) or any(re.search(r"\sstyle\s*=", t) for t in TAG.findall(text)):
            found.add(name)
    assert not found, f"the CSP ignores inline styles; move these into static/css/: {sorted(found)}"


# CSRF


def _views(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _views(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


@pytest.mark.django_db
def test_no_view_a_session_can_write_through_is_exempt_from_csrf(alice):
    """The JSON API is exempt (machines send no CSRF token), so a session's POST to it — a
    browser led there by another site — is refused: writes take a token, reads take GET."""
    views = _views(get_resolver().url_patterns)
    exempt = [(route, view) for route, view in views if getattr(view, "csrf_exempt", False)]
    assert {route for route, _view in exempt} == {"quality/api/judgement", "quality/api/runs"}
    for route, view in exempt:
        request = RequestFactory().post(f"/{route}", {"customer": "C0005"})
        request.user = alice
        assert view(request).status_code in (401, 405), route


@pytest.mark.django_db
def test_post_without_csrf_token_is_refused(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("customers:customer-create"), {"code": "X1", "name": "伪造"})
    assert response.status_code == 403
