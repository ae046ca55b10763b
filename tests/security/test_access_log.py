"""Views, exports and downloads of a customer's archive are logged; admins read the log."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from archive_site.models import AccessLog
from customers.models import CustomerDocument
from tests.factories import make_customer, make_user

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
    # session, user, the request's savepoint and release, permissions (2), count, page,
    # the users offered by the filter form
    with django_assert_num_queries(9):
        response = client.get(reverse("access-log"))
    assert response.status_code == 200
