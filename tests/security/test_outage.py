"""The database server stopped under a logged-in session: the app's own 503, one log line each.

The app runs under gunicorn on a PostgreSQL server of its own (a copy of the test
database, with a session in it), so the test can stop that server — the whole server,
not one connection — while the rest of the test run keeps its own.
"""

import json
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pgserver
import pytest
from django.contrib.sessions.backends.db import SessionStore
from pgserver._commands import pg_ctl

from archive_site import backup
from tests.factories import PASSWORD, make_customer, make_objection
from tests.security.helpers import gunicorn, wait_for


@pytest.fixture
def database_copy(transactional_db, tmp_path):
    """Copies the test database, as it is when called, onto a PostgreSQL server of its own:
    returns (its DATABASE_URL, stop(), start())."""
    servers = []

    def copy():
        server = pgserver.get_server(tmp_path / "pg", cleanup_mode="delete")
        servers.append(server)
        server.psql('CREATE DATABASE "archive";')
        socket_dir = urllib.parse.quote(str(server.get_postmaster_info().socket_dir), safe="")
        url = f"postgres://postgres@{socket_dir}/archive"
        conn = backup.connect()
        with conn.cursor() as cursor:
            major = backup.server_major(cursor)
        conn.close()
        dump = tmp_path / "copy.dump"
        pg_dump, pg_restore = backup.find_tool("pg_dump", major), backup.find_tool("pg_restore", major)
        command = [pg_dump, "--format=custom", f"--file={dump}"]
        subprocess.run(command, env=backup.libpq_env(), check=True, capture_output=True)
        command = [pg_restore, "--no-owner", "--no-privileges", f"--dbname={url}", str(dump)]
        subprocess.run(command, check=True, capture_output=True)

        def stop():
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)

        return url, stop, server.ensure_postgres_running

    yield copy
    for server in servers:
        server.cleanup()


class Browser:
    """A cookie-keeping client of the running server, reading error answers too."""

    def __init__(self, base, cookie=None):
        self.base, self.jar = base, CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.cookie = cookie

    def request(self, path, data=None, accept="text/html,application/xhtml+xml"):
        headers = {"Accept": accept, "Referer": self.base + "/"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode()


def logged_in_cookie(user):
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "archive_site.accounts.backends.AccountBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def test_a_stopped_database_gets_the_apps_503_for_every_request_that_needs_it(
    database_copy, quality, tmp_path
):
    customer = make_customer(name="停机测试客户有限公司", code="C0777")
    make_objection(customer)
    cookie = logged_in_cookie(quality)
    url, stop, start = database_copy()  # with the customer, the objection and the session
    judgement = "/quality/api/judgement?customer=C0777&defect=SCRATCH&severity=2"

    with gunicorn(url, tmp_path / "gunicorn.log") as base:
        user, anonymous = Browser(base, cookie), Browser(base)
        assert user.request("/customers/")[0] == 200
        assert user.request(judgement, accept="application/json")[0] == 200
        status, _headers, login_page = anonymous.request("/login/")  # its form and CSRF cookie, for later
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
        log_before = (tmp_path / "gunicorn.log").read_text()

        stop()
        answers = {
            "page": user.request("/customers/"),
            "form": user.request("/customers/new/"),
            "API": user.request(judgement, accept="application/json"),
            "look-up": user.request("/customers/picker/?q=C07", accept="application/json"),
            "log in": anonymous.request(
                "/login/", {"csrfmiddlewaretoken": token, "username": "quality", "password": PASSWORD}
            ),
            "login page": anonymous.request("/login/"),
        }
        for what, (status, headers, body) in answers.items():
            assert status == 503, f"{what}: {status} {body[:300]}"
            assert headers.get("Retry-After") == "5", what
            assert "Traceback" not in body and "Server Error" not in body, what
        for what in ("page", "form", "log in", "login page"):
            assert "系统暂时不可用" in answers[what][2], what
        for what in ("API", "look-up"):
            assert json.loads(answers[what][2]) == {"error": "数据库暂时不可用，请稍后重试。", "status": 503}
        outage_log = (tmp_path / "gunicorn.log").read_text()[len(log_before) :]
        assert "Traceback" not in outage_log
        refused = [line for line in outage_log.splitlines() if "Service Unavailable" in line]
        # One line for each refused request (a request the server took while the database was
        # going down may add its own line, never a traceback).
        paths = ["/customers/", "/customers/new/", "/quality/api/judgement", "/customers/picker/", "/login/"]
        for path in paths:
            assert any(f"Service Unavailable: {path} " in line for line in refused), (path, outage_log)
        assert len(refused) in (len(answers), len(answers) + 1), outage_log

        start()  # the app recovers by itself: no restart of gunicorn
        wait_for(lambda: user.request("/customers/")[0] == 200, timeout=10, interval=0.2, what="recovery")
        status, _headers, body = user.request("/customers/")
        assert status == 200 and "停机测试客户有限公司" in body
