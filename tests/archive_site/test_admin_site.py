"""Django's admin site is read-only: records change only through the app's pages (rules, scope, history)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from archive_site.accounts import roles
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return make_user("root", roles.ADMIN, is_superuser=True, is_staff=True)


def test_a_superuser_reads_a_customer_on_the_admin_site_but_cannot_change_it(
    login, superuser, alices_customer
):
    client = login(superuser)
    url = reverse("admin:customers_customer_change", args=[alices_customer.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    before = alices_customer.name
    assert client.post(url, {"name": "改名", "code": alices_customer.code}).status_code == 403
    alices_customer.refresh_from_db()
    assert alices_customer.name == before


@pytest.mark.parametrize(
    "name", ["admin:customers_customer_add", "admin:auth_group_add", "admin:archive_site_user_add"]
)
def test_nothing_is_added_on_the_admin_site(login, superuser, name):
    assert login(superuser).get(reverse(name)).status_code == 403


def test_roles_and_customers_are_not_deleted_on_the_admin_site(login, superuser, alices_customer):
    client = login(superuser)
    group = Group.objects.get(name=roles.SALES)
    assert (
        client.post(reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"}).status_code == 403
    )
    assert (
        client.post(
            reverse("admin:customers_customer_delete", args=[alices_customer.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Group.objects.filter(pk=group.pk).exists()
    assert type(alices_customer).objects.filter(pk=alices_customer.pk).exists()


def test_the_apps_menu_does_not_link_to_the_admin_site(login, admin_user):
    page = login(admin_user).get(reverse("home")).content.decode()
    assert "/admin/" not in page
