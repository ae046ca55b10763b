import pytest
from playwright.sync_api import expect

from customers.models import Customer
from tests.factories import make_contact, make_customer

pytestmark = pytest.mark.e2e


def test_sales_user_fills_what_the_completeness_panel_misses_and_sees_the_score_rise(logged_in_page, alice):
    customer = make_customer(code="C0005", name="青岛海尔股份有限公司", sales_owner=alice)
    page = logged_in_page(alice)
    page.goto(customer.get_absolute_url())
    panel = page.locator("#completeness")
    expect(panel.locator("#completeness-score")).to_have_text("0%")
    expect(panel.locator("#completeness-missing")).to_contain_text("统一社会信用代码")

    panel.get_by_role("link", name="填写统一社会信用代码").click()
    expect(page.locator("#id_credit_code")).to_be_focused()  # the link leads to the field
    page.locator("#id_credit_code").fill("91370200163562681G")
    page.locator("#id_address").fill("青岛市崂山区海尔路 1 号")
    page.locator("#id_contacts-0-name").fill("刘工")
    page.locator("#id_contacts-0-mobile").fill("13812345678")
    page.get_by_role("button", name="保存").click()

    expect(page.locator(".messages")).to_contain_text("已保存")
    # Credit code 15 + address 10 + a contact with a phone 15, of the 100 an automotive customer needs.
    expect(panel.locator("#completeness-score")).to_have_text("40%")
    expect(panel.locator("#completeness-missing")).not_to_contain_text("统一社会信用代码")
    panel.get_by_role("button", name="确认资料为最新").click()
    expect(page.locator(".messages")).to_contain_text("已确认")
    expect(panel.locator("#completeness-score")).to_have_text("50%")
    expect(panel.locator("#verification")).to_contain_text("王丽")
    assert Customer.objects.get(pk=customer.pk).verified_by == alice


def test_an_administrator_merges_a_duplicate(logged_in_page, admin_user, alice):
    kept = make_customer(code="C0005", name="青岛海尔股份有限公司", sales_owner=alice)
    duplicate = make_customer(code="C0099", name="青岛海尔股份有限责任公司", sales_owner=alice)
    make_contact(duplicate, name="重复客户的联系人", mobile="13900000001")
    page = logged_in_page(admin_user)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(kept.get_absolute_url())
    page.get_by_role("link", name="合并重复客户").click()
    page.locator("#id_duplicate").fill("C0099")
    page.get_by_role("button", name="查看将转移的记录").click()
    expect(page.locator("#merge-confirm")).to_contain_text("青岛海尔股份有限责任公司")
    expect(page.locator("#merge-confirm")).to_contain_text("联系人")
    page.get_by_role("button", name="确认合并").click()

    expect(page.locator(".messages")).to_contain_text("已并入本客户")
    expect(page.locator("h1")).to_contain_text("青岛海尔股份有限公司")
    expect(page.locator("#contacts")).to_contain_text("重复客户的联系人")
    expect(page.locator("#basic .alias")).to_contain_text("C0099")
    expect(page.locator("#history")).to_contain_text("客户合并记录")
    assert not Customer.objects.filter(pk=duplicate.pk).exists()
