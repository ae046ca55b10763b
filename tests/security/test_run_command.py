"""The README's run command (`make run`) serves the way production does: DEBUG off, gunicorn,
whitenoise, the app's own error pages, on the demo archive it loads; Ctrl-C stops the server
and the worker.

It runs on a copy of the test database (migrated already, so the command's migrate has
nothing to do), on a port of its own, with its static files collected into a folder of
the test's.
"""

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from psycopg2 import sql

from archive_site import backup
from customers.models import Customer
from quality.models import Objection
from tests.security.helpers import ROOT, database_url, free_port, wait_for


@pytest.fixture
def database_copy(transactional_db, tmp_path):
    """A copy of the test database on the same server, dropped afterwards: its name."""
    name = f"{connection.settings_dict['NAME']}_run_{os.getpid()}"
    server = backup.connect({**connection.settings_dict, "NAME": "postgres"})
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        major = backup.server_major(cursor)
    dump = tmp_path / "copy.dump"
    command = [backup.find_tool("pg_dump", major), "--format=custom", f"--file={dump}"]
    subprocess.run(command, env=backup.libpq_env(), check=True, capture_output=True)
    command = [backup.find_tool("pg_restore", major), "--no-owner", "--no-privileges", f"--dbname={name}"]
    subprocess.run([*command, str(dump)], env=backup.libpq_env(), check=True, capture_output=True)
    yield name
    with server.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    server.close()


def session(sid):
    """{pid: command line} of the running processes of session `sid` (a command and all it
    started). A zombie has ended: only its parent's wait is missing, and an orphan's parent
    is whatever reaps for the machine (a container's first process may not)."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                state = Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()[0]
                if os.getsid(int(entry)) == sid and state != "Z":
                    command = Path(f"/proc/{entry}/cmdline").read_bytes()
                    found[int(entry)] = command.replace(b"\0", b" ").decode()
            except (ProcessLookupError, FileNotFoundError, PermissionError):
                continue
    return found


def as_from_a_terminal():
    """Ctrl-C's signal at its default, as a terminal's foreground job has it. A suite started
    in the background by a shell without job control inherits SIGINT ignored, and a shell
    cannot trap a signal ignored on entry: the command under test would never see Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def table(model):
    return sql.Identifier(model._meta.db_table)


def get(url):
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers={"Accept": "text/html"}), timeout=30
        ) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


@pytest.mark.long
def test_make_run_serves_like_production_with_the_apps_error_pages(database_copy, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY")}
    env.update(
        DATABASE_URL=database_url(database_copy),
        PORT=str(port),
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    log = open(tmp_path / "run.log", "w+")  # noqa: SIM115 (closed below)
    # -o: the virtual environment is taken as installed (the test runs in it).
    run = subprocess.Popen(
        ["make", "-o", ".venv/.installed", "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal gives it
        preexec_fn=as_from_a_terminal,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def up():
            if run.poll() is not None:
                log.seek(0)
                raise AssertionError("make run ended:\n" + log.read())
            try:
                return get(f"{base}/login/")[0] == 200
            except OSError:
                return False

        wait_for(up, timeout=180, interval=0.5, what="make run to serve")
        commands = " | ".join(session(run.pid).values())

        status, headers, body = get(f"{base}/no-such-page/")
        assert status == 404
        assert "gunicorn" in headers.get("Server", "")
        assert 'class="topbar"' in body and "这个页面或记录不存在" in body
        assert "URLconf" not in body and "DEBUG" not in body and "Traceback" not in body

        status, _headers, body = get(f"{base}/login/?next=%00")
        assert status == 400 and "请求中含有系统不能处理的内容" in body

        status, headers, _body = get(f"{base}/static/css/app.css")  # whitenoise, from collectstatic
        assert status == 200 and "no-store" not in headers.get("Cache-Control", "")
        assert (tmp_path / "static" / "staticfiles.json").exists()

        # The fresh database now holds the demo archive, with 北汽福田's story.
        copy = backup.connect({**connection.settings_dict, "NAME": database_copy})
        try:
            with copy.cursor() as cursor:
                cursor.execute(sql.SQL("SELECT name FROM {} WHERE code = 'C0001'").format(table(Customer)))
                assert cursor.fetchone() == ("北汽福田汽车股份有限公司",)
                cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(table(Objection)))
                assert cursor.fetchone()[0] > 1000
        finally:
            copy.close()

        key = (ROOT / ".secret_key").read_text().strip()
        assert len(key) >= 50
        assert "gunicorn archive_site.wsgi" in commands and "db_worker" in commands
    finally:
        os.killpg(run.pid, signal.SIGINT)  # Ctrl-C
        try:
            run.wait(timeout=120)  # gunicorn and the task worker end gracefully, slower on a loaded machine
        finally:
            log.close()
    try:
        wait_for(lambda: not session(run.pid), timeout=90, interval=0.2)
    except AssertionError:
        tail = (tmp_path / "run.log").read_text()[-3000:]
        raise AssertionError(f"still running 90 s after Ctrl-C: {session(run.pid)}\n{tail}") from None


def test_ctrl_c_lets_the_command_under_the_database_wrapper_finish_stopping(tmp_path):
    """Ctrl-C goes to the whole process group. The wrapper that provides the database
    must wait while its command stops what it started: a command that needs a second to
    stop its worker (as `make run`'s shell does) still gets to do it, and the wrapper
    returns the command's own status."""
    stopped = tmp_path / "stopped"
    ready = tmp_path / "ready"
    script = f'trap "sleep 1; echo clean > {stopped}; exit 3" INT; touch {ready}; while :; do sleep 0.1; done'
    wrapper = subprocess.Popen(
        [sys.executable, "-m", "devtools.devdb", "run", "--", "sh", "-c", script],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url()},
        start_new_session=True,
        preexec_fn=as_from_a_terminal,
    )
    wait_for(ready.exists, timeout=30, what="the command to start")
    os.killpg(wrapper.pid, signal.SIGINT)
    assert wrapper.wait(timeout=30) == 3
    assert stopped.read_text() == "clean\n"
    assert not session(wrapper.pid)
