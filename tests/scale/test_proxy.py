"""The client's address behind the load balancer: from X-Forwarded-For, as the trusted proxy passed it."""

import pytest
from django.test import Client
from django.urls import reverse

from archive_site.models import AccessLog

pytestmark = pytest.mark.django_db

PROXY = "172.30.50.10"  # the load balancer, as the app instances see it


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["172.30.50.0/24"]
    settings.MIDDLEWARE = ["archive_site.proxy.TrustedProxyMiddleware", *settings.MIDDLEWARE]


def view_customer(user, customer, remote, forwarded=None):
    client = Client(REMOTE_ADDR=remote, **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}))
    client.force_login(user)
    assert client.get(reverse("customers:customer-detail", args=[customer.pk])).status_code == 200
    return AccessLog.objects.latest("pk").ip


def test_access_log_records_the_users_pc_not_the_load_balancer(behind_proxy, alice, alices_customer):
    assert view_customer(alice, alices_customer, PROXY, "10.8.1.23") == "10.8.1.23"


def test_an_address_the_client_made_up_is_not_believed(behind_proxy, alice, alices_customer):
    # The client sent "X-Forwarded-For: 1.1.1.1"; the load balancer appended the address it saw.
    assert view_customer(alice, alices_customer, PROXY, "1.1.1.1, 10.8.1.23") == "10.8.1.23"


def test_a_chain_of_trusted_proxies_is_followed_to_the_client(behind_proxy, alice, alices_customer):
    assert view_customer(alice, alices_customer, PROXY, "10.8.1.23, 172.30.50.7") == "10.8.1.23"


def test_the_header_is_ignored_from_anyone_but_the_proxy(behind_proxy, alice, alices_customer):
    assert view_customer(alice, alices_customer, "10.8.1.99", "10.8.1.23") == "10.8.1.99"


def test_garbage_in_the_header_leaves_the_last_trustworthy_address(behind_proxy, alice, alices_customer):
    assert view_customer(alice, alices_customer, PROXY, "10.8.1.23, not-an-address") == PROXY


def test_without_trusted_proxies_the_header_means_nothing(alice, alices_customer):
    assert view_customer(alice, alices_customer, PROXY, "10.8.1.23") == PROXY
