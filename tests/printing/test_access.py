"""Who may print: the print permission (403 without it) and the customer scope (404 outside it)."""

import pytest
from django.urls import reverse

from printing.models import PrintJob, PrintLog
from printing.tasks import print_batch
from tests.factories import make_demand, make_part
from tests.printing.conftest import add_photos


@pytest.fixture
def alices_part(alices_customer, engineer):
    part = make_part(alices_customer, demand=make_demand(alices_customer))
    add_photos(part, engineer, count=1)
    return part


def urls(part):
    """(method, url) of every printing view, for `part` and its demand and customer."""
    return [
        ("get", reverse("printing:technical-sheet", args=[part.pk])),
        ("post", reverse("printing:technical-sheet-pdf", args=[part.pk])),
        ("get", reverse("printing:process-card", args=[part.demand.pk])),
        ("post", reverse("printing:process-card-pdf", args=[part.demand.pk])),
        ("post", reverse("printing:customer-sheets", args=[part.customer.pk])),
        ("get", reverse("printing:photo", args=[part.photos.first().pk])),
    ]


@pytest.mark.parametrize("role", ["viewer"])  # quality staff print (their objections' 8D reports)
def test_users_without_the_print_permission_are_refused(role, request, alices_part, login):
    user = request.getfixturevalue(role)
    client = login(user)
    for method, url in urls(alices_part):
        assert getattr(client, method)(url).status_code == 403, url
    assert not PrintLog.objects.exists()
    assert not PrintJob.objects.exists()


def test_sales_cannot_print_another_sales_users_customer(alices_part, login, bob):
    client = login(bob)
    for method, url in urls(alices_part):
        assert getattr(client, method)(url).status_code == 404, url
    assert not PrintLog.objects.exists()


@pytest.mark.parametrize("role", ["engineer", "quality"])
def test_engineers_and_quality_staff_print_every_customers_sheets(role, request, alices_part, login):
    engineer = request.getfixturevalue(role)
    client = login(engineer)
    for method, url in urls(alices_part):
        batch = url == reverse("printing:customer-sheets", args=[alices_part.customer.pk])
        expected = 302 if batch else 200  # a batch goes to the worker; the answer is its page
        assert getattr(client, method)(url).status_code == expected, url
    print_batch.call(PrintJob.objects.get().pk)
    assert PrintLog.objects.filter(printed_by=engineer).count() == 3


def test_anonymous_users_are_sent_to_the_login_page(alices_part, client):
    for method, url in urls(alices_part):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_pdfs_are_made_only_by_post(alices_part, login, alice):
    client = login(alice)
    for method, url in urls(alices_part):
        if method == "post":
            assert client.get(url).status_code == 405, url
    assert not PrintLog.objects.exists()


def test_print_section_shows_only_what_the_user_may_do(alices_part, alices_customer, login, alice, viewer):
    from customers.models import CustomerShare

    CustomerShare.objects.create(customer=alices_customer, user=viewer)
    url = alices_customer.get_absolute_url()
    page = login(alice).get(url).content.decode()
    assert reverse("printing:technical-sheet", args=[alices_part.pk]) in page
    assert reverse("printing:customer-sheets", args=[alices_customer.pk]) in page

    page = login(viewer).get(url).content.decode()
    assert 'id="printing"' in page  # the print log is there to read
    assert reverse("printing:technical-sheet", args=[alices_part.pk]) not in page
    assert reverse("printing:customer-sheets", args=[alices_customer.pk]) not in page
