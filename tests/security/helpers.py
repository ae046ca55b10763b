"""Reaching the test database from other processes (app servers, commands, workers)."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url(name=None):
    """A DATABASE_URL for database `name` (default: the test database) on the test server."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{quote(db['HOST'] or '', safe='')}{port}/{name or db['NAME']}"


def wait_for(condition, timeout=30, interval=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database, log_path):
    """The app under gunicorn (2 workers × 8 threads, persistent connections) on `database`
    (a DATABASE_URL); yields its base URL, its log written to `log_path`.

    Each worker has threads for every request a test holds at once: the kernel
    may hand all of them to one worker, and a request queued behind busy threads
    never reaches the database the test watches."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database, DJANGO_SETTINGS_MODULE="tests.security.settings_persistent")
    log = open(log_path, "w+")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "archive_site.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--threads=8",
            "--worker-class=gthread",
            "--timeout=60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            return urllib.request.urlopen(f"{base}/login/", timeout=2).status == 200
        except OSError:
            if server.poll() is not None:
                log.seek(0)
                raise AssertionError("gunicorn exited:\n" + log.read()) from None
            return False

    try:
        wait_for(up, timeout=60, interval=0.2, what="gunicorn to start")
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
