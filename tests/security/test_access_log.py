"""Views, exports and downloads of a customer's archive are logged; admins read the log."""

import html
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from archive_site.models import AccessLog
from archive_site.photos import process_upload, save_photos
from customers.models import CustomerDocument
from imports.models import ImportRun
from products.models import PartPhoto
from tests.factories import make_customer, make_demand, make_objection, make_part, make_plan, make_user

pytestmark = pytest.mark.django_db


def test_viewing_a_customer_is_logged_with_who_what_where(login, alice, alices_customer):
    login(alice).get(alices_customer.get_absolute_url(), REMOTE_ADDR="10.1.2.3")
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.customer_id) == (alice, "view", alices_customer.pk)
    assert entry.customer_name == "青岛海尔股份有限公司"
    assert entry.ip == "10.1.2.3"
    assert entry.path == alices_customer.get_absolute_url()
    assert timezone.now() - entry.at < timedelta(minutes=1)


def test_refused_view_is_not_logged(login, bob, alices_customer):
    response = login(bob).get(alices_customer.get_absolute_url())
    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_export_is_logged_with_its_filters(login, alice, alices_customer):
    login(alice).get(reverse("customers:customer-export"), {"q": "海尔"})
    entry = AccessLog.objects.get()
    assert entry.action == "export"
    assert entry.customer_id is None
    assert "q=" in entry.detail


def test_document_download_is_logged(login, alice, alices_customer):
    client = login(alice)
    pdf = SimpleUploadedFile("c.pdf", b"%PDF-1.4 x")
    data = {"kind": "contract", "title": "2026 年供货合同", "file": pdf}
    client.post(reverse("customers:document-create", args=[alices_customer.pk]), data)
    document = CustomerDocument.objects.get()
    client.get(reverse("customers:document-download", args=[document.pk]))
    entry = AccessLog.objects.get(action="download")
    assert (entry.customer_id, entry.detail) == (alices_customer.pk, "2026 年供货合同")


def test_log_cannot_be_changed_or_deleted(login, alice, alices_customer):
    login(alice).get(alices_customer.get_absolute_url())
    for tamper in (
        lambda: AccessLog.objects.update(user=None),
        lambda: AccessLog.objects.update(customer_name="别人"),
        lambda: AccessLog.objects.all().delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            tamper()
    assert AccessLog.objects.get().customer_name == "青岛海尔股份有限公司"


def test_log_outlives_a_deleted_customer(login, admin_user):
    customer = make_customer(name="已注销客户有限公司")
    client = login(admin_user)
    client.get(customer.get_absolute_url())
    response = client.post(reverse("customers:customer-delete", args=[customer.pk]))
    assert response.status_code == 302
    page = client.get(reverse("access-log"), {"customer": customer.pk})
    assert "已注销客户有限公司" in page.content.decode()


# The log page


@pytest.mark.parametrize("who", ["alice", "engineer", "quality", "viewer"])
def test_only_admins_read_the_log(login, request, who):
    response = login(request.getfixturevalue(who)).get(reverse("access-log"))
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("access-log"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def _entries(user, customer, n, action="view", at=None):
    return AccessLog.objects.bulk_create(
        AccessLog(
            user=user,
            action=action,
            customer_id=customer.pk,
            customer_name=customer.name,
            path=customer.get_absolute_url(),
            at=at or timezone.now(),
        )
        for _ in range(n)
    )


def test_log_filters_by_user_customer_action_and_dates(login, admin_user, alice, bob, alices_customer):
    old = timezone.now() - timedelta(days=40)
    _entries(alice, alices_customer, 2)
    _entries(bob, alices_customer, 1, action="export")
    _entries(alice, alices_customer, 3, at=old)
    client = login(admin_user)

    def count(**params):
        return client.get(reverse("access-log"), params).context["page_obj"].paginator.count

    assert count() == 6
    assert count(user=bob.pk) == 1
    assert count(action="export") == 1
    assert count(customer=alices_customer.pk) == 6
    assert count(customer_name="海尔") == 6
    assert count(customer_name="福田") == 0
    day = timezone.localdate(old)
    assert count(date_from=day.isoformat(), date_to=day.isoformat()) == 3
    assert count(date_from=(day + timedelta(days=1)).isoformat()) == 3


def test_log_page_shows_entries_and_links_to_customer(login, admin_user, alice, alices_customer):
    _entries(alice, alices_customer, 1)
    page = login(admin_user).get(reverse("access-log")).content.decode()
    assert "王丽" in page and "青岛海尔股份有限公司" in page and "查看" in page
    assert f"?customer={alices_customer.pk}" in page


def test_customer_page_links_admins_to_its_log(login, admin_user, alice, alices_customer):
    assert "customer-access-log" in login(admin_user).get(alices_customer.get_absolute_url()).content.decode()
    assert "customer-access-log" not in login(alice).get(alices_customer.get_absolute_url()).content.decode()


@pytest.mark.parametrize("rows", [3, 120])
def test_log_page_runs_a_constant_number_of_queries(
    login, admin_user, alices_customer, django_assert_num_queries, rows
):
    users = [make_user(f"reader{i}") for i in range(3)]
    for user in users:
        _entries(user, alices_customer, rows // 3)
    client = login(admin_user)
    # session, user, the request's savepoint and release, permissions, count, page,
    # the users offered by the filter form
    with django_assert_num_queries(8):
        response = client.get(reverse("access-log"))
    assert response.status_code == 200


# Every module's views, exports, prints and files --------------------------------


def jpeg(name="photo.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def assert_on_the_log_page(login, admin_user, entry, who):
    """The admin's log page has a row saying who did what to which customer, and when."""
    page = login(admin_user).get(reverse("access-log"), {"user": entry.user_id}).content.decode()
    when = timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S")
    (row,) = [r for r in page.split("<tr>") if when in r and html.escape(entry.detail) in r]
    assert who in row and entry.get_action_display() in row
    assert (entry.customer_name or "多个客户") in row


def logged(action, **filters):
    return AccessLog.objects.filter(action=action, **filters).get()


def test_demand_detail_export_and_attachment_are_logged(login, admin_user, alice, alices_customer):
    demand = make_demand(alices_customer, name="冰箱侧板用 DC01")
    client = login(alice)
    client.get(demand.get_absolute_url())
    client.get(reverse("customers:demand-export"), {"q": "DC01"})
    pdf = SimpleUploadedFile("drawing.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    client.post(
        reverse("customers:demand-attachment-create", args=[demand.pk]), {"title": "图纸", "file": pdf}
    )
    attachment = demand.attachments.get()
    client.get(reverse("customers:demand-attachment-download", args=[attachment.pk]))

    view = logged("view")
    assert (view.customer_id, view.detail) == (alices_customer.pk, "冰箱侧板用 DC01")
    assert "q=DC01" in logged("export", customer_id=None).detail
    assert logged("download").customer_name == "青岛海尔股份有限公司"
    assert_on_the_log_page(login, admin_user, view, "王丽")


def test_objection_detail_export_and_full_size_photo_are_logged(login, admin_user, quality, alices_customer):
    objection = make_objection(alices_customer)
    client = login(quality)
    client.post(
        reverse("quality:photo-upload", args=[objection.pk]), {"photos": [jpeg()], "caption": "边部划伤"}
    )
    photo = objection.photos.get()
    client.get(objection.get_absolute_url())
    client.get(reverse("quality:objection-export"), {"status": "registered"})
    client.get(reverse("quality:photo", args=[photo.pk, "thumb"]))  # lists and pages: not logged
    client.get(reverse("quality:photo", args=[photo.pk, "full"]))

    views = AccessLog.objects.filter(action="view").order_by("id")
    assert [e.detail for e in views] == [objection.number, f"{objection.number} photo.jpg"]
    assert {e.customer_id for e in views} == {alices_customer.pk}
    assert "status=registered" in logged("export").detail
    assert_on_the_log_page(login, admin_user, views[1], "张质")


def test_plan_pages_and_exports_are_logged(login, admin_user, engineer, alices_customer):
    revision = make_plan(alices_customer, code="GK-0042")
    client = login(engineer)
    client.get(reverse("quality:plan-detail", args=[revision.plan_id]))
    client.get(reverse("quality:revision-detail", args=[revision.pk]))
    client.get(reverse("quality:plan-export"))
    client.get(reverse("quality:objection-stats-export"), {"customer": alices_customer.code})

    views = AccessLog.objects.filter(action="view")
    assert [e.detail for e in views] == ["GK-0042 Rev.1", "GK-0042 Rev.1"]
    assert logged("export", customer_id=None).detail.startswith("工艺控制方案列表")
    stats = logged("export", customer_id=alices_customer.pk)
    assert stats.detail.startswith("质量异议统计")
    assert_on_the_log_page(login, admin_user, stats, "李工")


def test_objection_statistics_of_one_customer_are_logged(login, quality, alices_customer):
    client = login(quality)
    client.get(reverse("quality:objection-stats"))  # across customers: nobody's archive
    assert not AccessLog.objects.exists()
    client.get(reverse("quality:objection-stats"), {"customer": alices_customer.code})
    assert logged("view").customer_id == alices_customer.pk


def test_part_pages_photos_and_exports_are_logged(login, admin_user, engineer, alices_customer):
    part = make_part(alices_customer, number="5401011-A01", name="前门外板")
    client = login(engineer)
    client.post(reverse("products:photo-upload", args=[part.pk]), {"photos": [jpeg("door.jpg")]})
    photo = part.photos.get()
    client.get(part.get_absolute_url())
    client.get(reverse("products:photo", args=[photo.pk, "thumb"]))
    client.get(reverse("products:photo", args=[photo.pk, "full"]))
    client.get(reverse("products:part-export"), {"q": "前门"})
    client.get(reverse("products:statistics-export"), {"q": "海尔", "customer": alices_customer.pk})

    views = AccessLog.objects.filter(action="view").order_by("id")
    assert [e.detail for e in views] == ["5401011-A01 前门外板", "5401011-A01 前门外板 door.jpg"]
    assert "q=" in logged("export", customer_id=None).detail
    supply = logged("export", customer_id=alices_customer.pk)
    assert supply.detail.startswith("供货统计")
    assert_on_the_log_page(login, admin_user, supply, "李工")


def test_previews_prints_and_print_photos_are_logged(login, admin_user, alice, alices_customer):
    demand = make_demand(alices_customer)
    part = make_part(alices_customer, demand=demand)
    (photo,) = save_photos(PartPhoto, [process_upload(jpeg())], part=part)
    client = login(alice)
    client.get(reverse("printing:technical-sheet", args=[part.pk]))
    client.get(reverse("printing:photo", args=[photo.pk]))
    client.post(reverse("printing:technical-sheet-pdf", args=[part.pk]))
    client.get(reverse("printing:process-card", args=[demand.pk]))
    client.post(reverse("printing:process-card-pdf", args=[demand.pk]))
    client.post(reverse("printing:customer-sheets", args=[alices_customer.pk]))  # queues a batch

    actions = list(AccessLog.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["view", "view", "print", "view", "print", "print"]
    assert set(AccessLog.objects.values_list("customer_id", flat=True)) == {alices_customer.pk}
    sheet, card, batch = AccessLog.objects.filter(action="print").order_by("id")
    assert sheet.detail.startswith("技术单") and card.detail.startswith("工艺卡")
    assert alices_customer.code in batch.detail
    assert_on_the_log_page(login, admin_user, card, "王丽")


def test_import_module_export_and_uploaded_file_are_logged(login, admin_user, alice, alices_customer):
    client = login(alice)
    client.get(reverse("imports:export", args=["customers"]), {"q": "海尔"})
    content = b"".join(client.get(reverse("imports:template", args=["customers"])).streaming_content)
    client.post(
        reverse("imports:upload", args=["customers"]), {"file": SimpleUploadedFile("客户.xlsx", content)}
    )
    run = ImportRun.objects.get()
    client.get(reverse("imports:run-file", args=[run.pk]))

    export = logged("export")
    assert "联系人" in export.detail and "q=" in export.detail  # which sheets went out
    assert logged("download").detail == "导入文件 客户.xlsx"
    assert_on_the_log_page(login, admin_user, export, "王丽")


def test_lists_with_thumbnails_log_nothing_and_add_no_query_per_row(login, engineer, alices_customer):
    client = login(engineer)

    def add(n):
        for i in range(n):
            part = make_part(alices_customer)
            save_photos(PartPhoto, [process_upload(jpeg(f"p{i}.jpg"))], part=part)
            make_objection(alices_customer)

    def queries(name):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name)).status_code == 200
        return len(captured)

    add(2)
    client.get(reverse("products:part-list"))  # warm the session and permission caches
    few = queries("products:part-list"), queries("quality:objection-list")
    add(10)
    assert (queries("products:part-list"), queries("quality:objection-list")) == few
    for photo in PartPhoto.objects.all():
        client.get(reverse("products:photo", args=[photo.pk, "thumb"]))
    assert not AccessLog.objects.exists()
