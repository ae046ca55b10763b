"""An administrator changes a role's permissions on the roles page, and shares a customer with a
department through the filterable checkbox list."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from archive_site.accounts import roles
from tests.factories import make_user

pytestmark = pytest.mark.e2e


def test_an_administrator_makes_a_department_and_shares_a_customer_with_it(
    logged_in_page, admin_user, alice, alices_customer
):
    for name in ("赵一", "钱二", "孙三"):
        make_user(None, roles.VIEWER, name=name)
    page = logged_in_page(admin_user)
    page.goto("/accounts/")
    page.locator("#role-list").click()
    page.locator("#role-create").click()
    page.locator("#id_name").fill("技术研究院")
    page.get_by_role("checkbox", name="客户 查看", exact=True).check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("角色“技术研究院”已创建。")
    institute = Group.objects.get(name="技术研究院")
    assert [p.codename for p in institute.permissions.all()] == ["view_customer"]

    page.goto(f"/customers/{alices_customer.pk}/edit/")
    users = page.locator("#id_shared_with").locator("xpath=ancestor::div[@data-checklist]")
    filter_box = users.locator("[data-checklist-filter]")
    expect(filter_box).to_be_visible()  # shown by the script; without it, the plain checkboxes
    filter_box.fill("钱")
    expect(users.get_by_text("钱二")).to_be_visible()
    expect(users.get_by_text("赵一")).to_be_hidden()
    page.get_by_label("技术研究院", exact=True).check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text(alices_customer.name)
    assert list(alices_customer.shared_with_groups.all()) == [institute]
