"""Contacts' phones and e-mails leave the archive only with `customers.export_contacts`."""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from openpyxl import load_workbook

from archive_site.accounts import roles
from tests.factories import make_contact, make_user

pytestmark = pytest.mark.django_db

MOBILE, EMAIL = "13812345678", "zhang.wei@example.com"


@pytest.fixture
def contact(alices_customer):
    return make_contact(alices_customer, name="张伟", title="采购经理", mobile=MOBILE, email=EMAIL)


def sheets(response):
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}


def values(workbook):
    return {v for rows in workbook.values() for row in rows for v in row}


def module_export(client):
    return sheets(client.get(reverse("imports:export", args=["customers"])))


def test_only_admins_and_sales_hold_the_permission():
    holders = {
        g.name
        for g in Group.objects.filter(
            permissions__codename="export_contacts", permissions__content_type__app_label="customers"
        )
    }
    assert holders == {roles.ADMIN, roles.SALES}


@pytest.mark.parametrize("who", ["alice", "admin_user"])
def test_sales_and_admins_export_the_contacts_sheet(login, request, who, contact):
    workbook = module_export(login(request.getfixturevalue(who)))
    assert "联系人" in workbook
    assert [row[:2] for row in workbook["联系人"][1:]] == [["C0005", "张伟"]]
    assert {MOBILE, EMAIL} <= values(workbook)


@pytest.mark.parametrize("who", ["engineer", "quality"])
def test_customer_export_without_the_permission_leaves_contacts_out(login, request, who, contact):
    user = request.getfixturevalue(who)
    assert user.has_perm("customers.export_customer") and not user.has_perm("customers.export_contacts")
    workbook = module_export(login(user))
    assert "客户" in workbook and "联系人" not in workbook
    assert "青岛海尔股份有限公司" in values(workbook)
    assert not {MOBILE, EMAIL, "张伟"} & values(workbook)


def test_the_permission_itself_opens_the_contacts_sheet(login, contact):
    user = make_user("auditor", roles.QUALITY)
    user.user_permissions.add(Permission.objects.get(codename="export_contacts"))
    assert "联系人" in module_export(login(user))


def test_the_customer_list_export_never_holds_contacts(login, alice, engineer, contact):
    for user in (alice, engineer):
        workbook = sheets(login(user).get(reverse("customers:customer-export")))
        assert "联系人" not in workbook
        assert not {MOBILE, EMAIL} & values(workbook)


def test_viewers_export_nothing(login, viewer, contact):
    assert login(viewer).get(reverse("imports:export", args=["customers"])).status_code == 403
