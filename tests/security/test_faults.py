"""Faults on the real PostgreSQL server and a real disk folder.

- the disk refuses an upload: no row is kept, the user gets a form error;
- an import process is killed in the middle of writing: nothing is written;
- the database drops the app's connections under load: the requests caught in
  it fail cleanly (503, nothing half-saved) and the next ones succeed without
  restarting the app server (persistent connections + health checks).
"""

import io
import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from pghistory.models import Events
from PIL import Image

from archive_site.backup import connect
from archive_site.models import DictKind
from customers.models import Contact, Customer, CustomerDocument, DemandAttachment
from products.models import Part, PartPhoto
from quality.models import Objection, ObjectionPhoto
from tests.factories import entry, make_customer, make_demand, make_objection, make_part
from tests.security.helpers import ROOT, database_url, gunicorn, wait_for


@pytest.fixture
def monitor(transactional_db):
    """A connection of its own (autocommit) to watch and terminate the others' server processes."""
    conn = connect()
    conn.autocommit = True
    with conn.cursor() as cursor:
        yield Monitor(cursor, {conn.get_backend_pid(), connection.cursor().connection.get_backend_pid()})
    conn.close()


class Monitor:
    def __init__(self, cursor, own):
        self.cursor, self.own = cursor, own

    def backends(self, waiting_on_lock=False, query_like="%"):
        """Server processes on the test database other than the test's own."""
        self.cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND NOT pid = ANY(%s)"
            " AND (NOT %s OR wait_event_type = 'Lock') AND query ILIKE %s",
            [list(self.own), waiting_on_lock, query_like],
        )
        return [pid for (pid,) in self.cursor.fetchall()]

    def terminate(self, pids):
        self.cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [pids])


# The disk refuses an upload ---------------------------------------------------


@pytest.mark.django_db
def test_full_disk_refuses_a_document_without_orphan_rows(login, alice, alices_customer, tmp_path):
    storages = {
        "default": {"BACKEND": "tests.security.storages.FullDiskStorage", "OPTIONS": {"location": tmp_path}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    data = {"kind": "contract", "title": "供货合同", "file": SimpleUploadedFile("c.pdf", b"%PDF-1.4 " * 50)}
    with override_settings(STORAGES=storages):
        response = login(alice).post(reverse("customers:document-create", args=[alices_customer.pk]), data)
    assert response.status_code == 200
    assert "文件未能保存" in response.content.decode()
    assert not CustomerDocument.objects.exists()
    assert not Events.objects.filter(pgh_obj_model="customers.CustomerDocument").exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_full_disk_refuses_a_demand_attachment_without_orphan_rows(login, alice, alices_customer, tmp_path):
    demand = make_demand(alices_customer)
    data = {"title": "图纸", "file": SimpleUploadedFile("d.pdf", b"%PDF-1.4 " * 50)}
    with override_settings(STORAGES=disk(tmp_path)):
        response = login(alice).post(
            reverse("customers:demand-attachment-create", args=[demand.pk]), data, follow=True
        )
    assert "文件未能保存（存储空间不足或存储不可用）" in response.content.decode()
    assert not DemandAttachment.objects.exists()
    assert not Events.objects.filter(pgh_obj_model="customers.DemandAttachment").exists()
    assert files_in(tmp_path) == []


def disk(tmp_path, backend="FullDiskStorage", **options):
    """STORAGES with the media on a failing disk in `tmp_path`."""
    return {
        "default": {
            "BACKEND": f"tests.security.storages.{backend}",
            "OPTIONS": {"location": tmp_path, **options},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def photo(name="defect.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 60, 60)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def files_in(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_full_disk_refuses_objection_photos_without_orphan_rows(login, quality, alices_customer, tmp_path):
    objection = make_objection(alices_customer)
    url = reverse("quality:photo-upload", args=[objection.pk])
    # Room for the first photo and its thumbnail and the second photo: its thumbnail fails.
    with override_settings(STORAGES=disk(tmp_path, "DiskFillsUpStorage", room=3)):
        response = login(quality).post(url, {"photos": [photo("a.jpg"), photo("b.jpg")]})
    assert response.status_code == 200
    assert "照片未能保存（存储空间不足或存储不可用）" in response.content.decode()
    assert not ObjectionPhoto.objects.exists()
    assert not Events.objects.filter(pgh_obj_model="quality.ObjectionPhoto").exists()
    assert files_in(tmp_path) == []


@pytest.mark.django_db
def test_full_disk_refuses_a_new_objection_with_photos_and_keeps_its_number(
    login, quality, alices_customer, tmp_path
):
    data = {
        "kind": "objection",
        "customer": alices_customer.code,
        "received_date": "2026-03-02",
        "defect_type": entry(DictKind.DEFECT_TYPE, "SCRATCH").pk,
        "severity": 2,
        "tonnage": "12.5",
        "claim_amount": "0",
        "description": "表面划伤",
        "photos": [photo()],
    }
    client = login(quality)
    with override_settings(STORAGES=disk(tmp_path, "DiskFillsUpStorage", room=1)):
        response = client.post(reverse("quality:objection-create"), data)
    assert response.status_code == 200
    assert "照片未能保存" in response.content.decode()
    assert not Objection.objects.exists() and not ObjectionPhoto.objects.exists()
    assert files_in(tmp_path) == []
    data["photos"] = [photo()]
    client.post(reverse("quality:objection-create"), data)  # the disk has room again
    assert Objection.objects.get().number == "ZY-2026-0001"  # no number was lost


@pytest.mark.django_db
def test_full_disk_refuses_part_photos_without_orphan_rows(login, engineer, alices_customer, tmp_path):
    part = make_part(alices_customer)
    url = reverse("products:photo-upload", args=[part.pk])
    with override_settings(STORAGES=disk(tmp_path, "DiskFillsUpStorage", room=1)):
        response = login(engineer).post(url, {"photos": [photo()]}, follow=True)
    assert "照片未能保存（存储空间不足或存储不可用）" in response.content.decode()
    assert not PartPhoto.objects.exists()
    assert not Events.objects.filter(pgh_obj_model="products.PartPhoto").exists()
    assert files_in(tmp_path) == []


@pytest.mark.django_db
def test_full_disk_refuses_a_new_part_with_photos(login, engineer, alices_customer, tmp_path):
    data = {
        "name": "前门外板",
        "number": "5401011-A01",
        "blank_thickness": "0.8",
        "blank_width": "1250",
        "blank_length": "1600",
        "gross_weight": "12.560",
        "material_quota": "13.100",
        "net_weight": "8.300",
        "photos": [photo()],
    }
    url = reverse("products:part-create") + f"?customer={alices_customer.pk}"
    with override_settings(STORAGES=disk(tmp_path)):
        response = login(engineer).post(url, data)
    assert response.status_code == 200
    assert "照片未能保存" in response.content.decode()
    assert not Part.objects.exists() and not PartPhoto.objects.exists()
    assert files_in(tmp_path) == []


# An import killed while writing ------------------------------------------------

IMPORT_SCRIPT = """
import io, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from imports import files
from imports.engine import Importer
from imports.modules import get_module

user = get_user_model().objects.get(username=sys.argv[2])
importer = Importer(get_module("customers"), user)
with open(sys.argv[1], "rb") as f:
    result = importer.check(files.read(f, "客户.xlsx"))
assert result.ok, [e.as_dict() for e in result.errors[:5]]
print("applying", flush=True)
importer.apply(result)
print("done", flush=True)
"""


def customers_file(rows):
    from openpyxl import Workbook

    workbook = Workbook()
    customers = workbook.active
    customers.title = "客户"
    customers.append(["客户代码", "客户名称", "客户类别", "电话"])
    contacts = workbook.create_sheet("联系人")
    contacts.append(["客户代码", "姓名", "职务", "手机"])
    for i in range(rows):
        customers.append([f"K{i:05d}", f"导入测试客户{i}有限公司", "AUTO", "010-12345678"])
        contacts.append([f"K{i:05d}", f"联系人{i}", "采购", f"138{i:08d}"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_import_killed_while_writing_leaves_nothing_written(admin_user, monitor, tmp_path):
    path = tmp_path / "customers.xlsx"
    path.write_bytes(customers_file(300))
    before = Customer.objects.count(), Contact.objects.count(), Events.objects.count()
    env = dict(os.environ, DATABASE_URL=database_url(), DJANGO_SETTINGS_MODULE="archive_site.settings_test")

    with connection.cursor() as cursor:
        # Hold the contacts table: the import writes every customer, then waits
        # here, in the middle of its one transaction, to write the contacts.
        cursor.execute("BEGIN; LOCK TABLE customers_contact IN SHARE MODE")
        worker = subprocess.Popen(
            [sys.executable, "-c", IMPORT_SCRIPT, str(path), admin_user.username],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

        def import_waiting():
            if worker.poll() is not None:
                raise AssertionError("the import ended before the contacts:\n" + worker.stderr.read())
            # The import's write of the contacts (COPY, or an INSERT), held by the lock.
            return monitor.backends(waiting_on_lock=True, query_like='%"customers_contact"%')

        try:
            (pid,) = wait_for(import_waiting, timeout=120, what="the import to reach the contacts")
            monitor.cursor.execute(
                "SELECT relation::regclass::text FROM pg_locks WHERE pid = %s AND mode = 'RowExclusiveLock'",
                [pid],
            )
            written = {r for (r,) in monitor.cursor.fetchall()}
            assert "customers_customer" in written  # customers are in its open transaction
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
            cursor.execute("ROLLBACK")
    wait_for(lambda: pid not in monitor.backends(), what="the killed import's connection to end")

    assert worker.returncode == -signal.SIGKILL
    assert (Customer.objects.count(), Contact.objects.count(), Events.objects.count()) == before


# The database drops the app's connections under load ----------------------------


@pytest.fixture
def app_server(transactional_db, tmp_path):
    with gunicorn(database_url(), tmp_path / "gunicorn.log") as base:
        yield base


def get(url, cookie):
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_app_recovers_when_the_database_drops_its_connections(app_server, monitor, quality):
    for i in range(5):
        make_customer(name=f"负载测试客户{i}有限公司")
    session = SessionStore()
    session["_auth_user_id"] = str(quality.pk)
    session["_auth_user_backend"] = "archive_site.accounts.backends.AccountBackend"
    session["_auth_user_hash"] = quality.get_session_auth_hash()
    session.create()
    cookie = f"sessionid={session.session_key}"
    page = f"{app_server}/customers/"

    def load(n):
        results = []
        threads = [threading.Thread(target=lambda: results.append(get(page, cookie))) for _ in range(n)]
        for t in threads:
            t.start()
        return threads, results

    # Warm up: every worker thread now holds a persistent connection.
    threads, results = load(16)
    for t in threads:
        t.join()
    assert {status for status, _ in results} == {200}

    # 1. Idle connections dropped (a database restart between requests).
    idle = monitor.backends()
    assert idle, "gunicorn keeps its connections open"
    monitor.terminate(idle)
    wait_for(lambda: not set(idle) & set(monitor.backends()), what="the connections to end")
    threads, results = load(8)
    for t in threads:
        t.join()
    assert [s for s, _ in results] == [200] * 8, "health checks reconnect before the first query"

    with connection.cursor() as cursor:
        # 2. Connections dropped in the middle of requests: hold the customer
        # table so requests wait in their query, then terminate them there.
        cursor.execute("BEGIN; LOCK TABLE customers_customer IN ACCESS EXCLUSIVE MODE")
        try:
            threads, results = load(6)

            def waiting():
                pids = monitor.backends(waiting_on_lock=True)
                return pids if len(pids) >= 6 else None

            caught = wait_for(waiting, what="requests to wait on the customer table")
            monitor.terminate(caught)
        finally:  # a failure here must not leave the table locked for the teardown
            cursor.execute("ROLLBACK")
        for t in threads:
            t.join()

    statuses = sorted(s for s, _ in results)
    assert statuses == [503] * 6
    for _status, body in results:
        assert "系统暂时不可用" in body and "Traceback" not in body

    # 3. The next requests succeed: nothing was restarted.
    threads, results = load(12)
    for t in threads:
        t.join()
    assert [s for s, _ in results] == [200] * 12
    assert all("负载测试客户0有限公司" in body for _, body in results)
