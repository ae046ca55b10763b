"""Two app instances behind one address, as behind a load balancer: nothing between requests
lives in an instance's memory.

Each instance is gunicorn in a process of its own, configured through the
environment as production is: the same primary database, the streaming replica
(DATABASE_REPLICA_URL) and media in the S3 server's bucket (MEDIA_S3_*). One
browser (one cookie jar) sends each request to either instance: its login, CSRF
token, flash messages, uploads and read-after-write hold whichever instance
answers.
"""

import http.cookiejar
import io
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection
from PIL import Image

from archive_site.accounts import roles
from archive_site.db_router import COOKIE
from customers.models import CustomerDocument
from tests.factories import PASSWORD, make_user
from tests.scale.servers import free_port, wait_for
from tests.security.helpers import database_url

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def instances(replica_server, s3_server, tmp_path):
    """Two gunicorn instances of the app; yields their base URLs and the bucket they share."""
    bucket = f"archive-media-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=bucket)
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.scale.settings_instances",
        DATABASE_URL=database_url(),
        DATABASE_REPLICA_URL=replica_server.url(connection.settings_dict["NAME"]),
        MEDIA_S3_BUCKET=bucket,
        MEDIA_S3_ENDPOINT_URL=s3_server.endpoint,
        MEDIA_S3_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="archive-test",
        AWS_SECRET_ACCESS_KEY="archive-test-secret",
    )
    servers, bases = [], []
    for n in range(2):
        port = free_port()
        log = open(tmp_path / f"instance-{n}.log", "w+")  # noqa: SIM115 (closed below)
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "archive_site.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--threads=4",
            "--worker-class=gthread",
        ]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        servers.append((process, log))
        bases.append(f"http://127.0.0.1:{port}")

    def up(base, process, log):
        try:
            return urllib.request.urlopen(f"{base}/healthz", timeout=2).status == 200
        except OSError:
            if process.poll() is not None:
                log.seek(0)
                raise AssertionError("gunicorn exited:\n" + log.read()) from None
            return False

    try:
        for base, (process, log) in zip(bases, servers, strict=True):
            wait_for(lambda b=base, p=process, lg=log: up(b, p, lg), timeout=60, what="an instance to start")
        yield bases, bucket
    finally:
        for process, log in servers:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's browser: one cookie jar, whichever instance it talks to (cookies ignore ports)."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        cookies = urllib.request.HTTPCookieProcessor(self.cookies)
        self.opener = urllib.request.build_opener(cookies, NoRedirects)

    def request(self, url, data=None, headers=None):
        try:
            request = urllib.request.Request(url, data=data, headers=headers or {})
            with self.opener.open(request, timeout=60) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def get(self, url):
        return self.request(url)

    def page(self, url):
        status, _headers, body = self.get(url)
        assert status == 200, (url, status, body[:2000])
        return body.decode()

    def token(self, url):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.page(url)).group(1)

    def post(self, url, fields, files=()):
        """A form POST (multipart when it carries files); returns (status, Location)."""
        boundary = uuid.uuid4().hex
        body = io.BytesIO()
        for name, value in fields:
            part = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            body.write(part.encode())
        for name, filename, content, content_type in files:
            body.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n".encode()
            )
            body.write(content + b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        status, response_headers, _ = self.request(url, body.getvalue(), headers)
        return status, response_headers.get("Location")

    def has_cookie(self, name):
        return any(c.name == name for c in self.cookies)


def log_in(browser, form_on, post_to, user):
    token = browser.token(f"{form_on}/login/")
    fields = [("csrfmiddlewaretoken", token), ("username", user.username), ("password", PASSWORD)]
    status, location = browser.post(f"{post_to}/login/", fields)
    assert (status, location) == (302, "/"), "logged in on the other instance with the first one's form"


def jpeg():
    out = io.BytesIO()
    Image.effect_noise((320, 240), 40).convert("RGB").save(out, "JPEG")
    return out.getvalue()


def test_any_instance_serves_any_request_of_a_session(
    instances, replica_server, s3_server, alice, alices_customer
):
    (a, b), bucket = instances
    colleague = make_user("colleague", roles.ADMIN)
    with connection.cursor() as cursor:
        replica_server.catch_up(cursor)

    browser = Browser()
    log_in(browser, form_on=a, post_to=b, user=alice)
    assert "王丽" in browser.page(f"{a}/")  # the session made on b is known to a

    # A file uploaded through one instance is served by the other (shared object storage).
    new_document = f"/customers/{alices_customer.pk}/documents/new/"
    token = browser.token(f"{b}{new_document}")
    fields = [("csrfmiddlewaretoken", token), ("kind", "drawing"), ("title", "落料图")]
    status, _ = browser.post(f"{a}{new_document}", fields, [("file", "blank.jpg", jpeg(), "image/jpeg")])
    assert status == 302
    document = CustomerDocument.objects.get()
    status, _headers, served = browser.get(f"{b}/customers/documents/{document.pk}/")
    assert status == 200
    client = s3_server.client()
    assert served == client.get_object(Bucket=bucket, Key=document.file.name)["Body"].read()

    # A save through one instance is read back at once through the other, from the
    # primary, though the replica has not replayed it; a colleague still reads the replica.
    replica_server.pause()
    try:
        edit = f"/customers/{alices_customer.pk}/edit/"
        form = browser.page(f"{b}{edit}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        version = re.search(r'name="version" value="(\d+)"', form).group(1)
        fields = [
            ("csrfmiddlewaretoken", token),
            ("code", alices_customer.code),
            ("name", "青岛海尔股份有限公司（更名）"),
            ("short_name", alices_customer.short_name),
            ("category", alices_customer.category_id),
            ("status", alices_customer.status),
            ("sales_owner", alice.pk),
            ("version", version),
            ("contacts-TOTAL_FORMS", "0"),
            ("contacts-INITIAL_FORMS", "0"),
            ("contacts-MIN_NUM_FORMS", "0"),
            ("contacts-MAX_NUM_FORMS", "1000"),
        ]
        status, location = browser.post(f"{a}{edit}", fields)
        assert status == 302 and browser.has_cookie(COOKIE)
        detail = browser.page(f"{b}{location}")
        assert "客户“青岛海尔股份有限公司（更名）”已保存。" in detail  # the flash message, across instances
        assert "青岛海尔股份有限公司（更名）" in browser.page(f"{b}/customers/")

        other = Browser()
        log_in(other, form_on=b, post_to=a, user=colleague)
        other.cookies.clear(domain="127.0.0.1", path="/", name=COOKIE)  # as if the login were long ago
        listing = other.page(f"{a}/customers/")
        assert "青岛海尔股份有限公司（更名）" not in listing and alices_customer.name in listing
    finally:
        replica_server.resume()
