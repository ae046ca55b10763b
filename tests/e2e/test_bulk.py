"""Work on ticked rows in a browser: the customer list's boxes, the confirmation, the result."""

import pytest
from playwright.sync_api import expect

from customers.models import Customer
from tests.factories import make_customer

pytestmark = pytest.mark.e2e


def test_an_administrator_hands_two_ticked_customers_to_another_sales_owner(
    logged_in_page, admin_user, alice, bob, alices_customer, bobs_customer
):
    third = make_customer(name="海信家电集团股份有限公司", short_name="海信", code="C0009", sales_owner=bob)
    page = logged_in_page(admin_user)
    page.goto("/customers/")
    button = page.locator("#bulk-owner")
    expect(button).to_be_disabled()  # nothing ticked yet (selection.js)
    page.get_by_label("选择客户 C0001").check()
    page.get_by_label("选择客户 C0005").check()
    expect(button).to_be_enabled()
    button.click()

    expect(page.locator("h1")).to_have_text("更改负责销售")
    expect(page.locator("table.bulk-rows tbody tr")).to_have_count(2)
    expect(page.locator("table.bulk-rows")).to_contain_text(alices_customer.name)
    expect(page.locator("table.bulk-rows")).not_to_contain_text(third.name)
    page.locator("#id_sales_owner").select_option(label=str(alice))
    page.get_by_role("button", name="确认更改 2 个客户").click()

    expect(page.locator(".messages")).to_contain_text("2 个客户的负责销售已改为 王丽。")
    assert page.url.endswith("/customers/")
    rows = page.locator("main table tbody tr")
    expect(rows.filter(has_text="C0001")).to_contain_text("王丽")
    expect(rows.filter(has_text="C0009")).to_contain_text("鲍勃")
    assert Customer.objects.get(pk=bobs_customer.pk).sales_owner == alice
    assert Customer.objects.get(pk=third.pk).sales_owner == bob


def test_the_page_box_ticks_every_row_of_the_page(logged_in_page, admin_user, alices_customer, bobs_customer):
    page = logged_in_page(admin_user)
    page.goto("/customers/")
    page.get_by_label("选择本页全部客户").check()
    expect(page.locator('input[name="ids"]:checked')).to_have_count(2)
    page.locator("#bulk-share").click()
    expect(page.locator("table.bulk-rows tbody tr")).to_have_count(2)
