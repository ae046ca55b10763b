import pytest
from playwright.sync_api import expect

from customers.models import Customer
from tests.factories import make_customer

pytestmark = pytest.mark.e2e


def test_sales_user_creates_a_customer_with_two_contacts(logged_in_page, alice):
    page = logged_in_page(alice)
    page.goto("/customers/")
    page.get_by_role("link", name="新建客户").click()
    page.locator("#id_code").fill("C7001")
    page.locator("#id_name").fill("安徽江淮汽车集团股份有限公司")
    page.locator("#id_short_name").fill("江淮")
    page.locator("#id_category").select_option(label="汽车板客户")
    page.locator("#id_region").fill("安徽合肥")
    page.locator("#id_contacts-0-name").fill("刘工")
    page.locator("#id_contacts-0-title").fill("采购经理")
    # The second row only exists once the button's script has added it.
    expect(page.locator("#id_contacts-1-name")).to_have_count(0)
    page.get_by_role("button", name="添加联系人").click()
    page.locator("#id_contacts-1-name").fill("陈静")
    page.locator("#id_contacts-1-mobile").fill("13812345678")
    page.get_by_role("button", name="保存").click()

    expect(page.locator(".messages")).to_contain_text("客户“安徽江淮汽车集团股份有限公司”已创建。")
    expect(page.locator("h1")).to_contain_text("安徽江淮汽车集团股份有限公司")
    expect(page.locator("#contacts tbody tr")).to_have_count(2)
    expect(page.locator("#contacts")).to_contain_text("刘工")
    expect(page.locator("#contacts")).to_contain_text("13812345678")
    customer = Customer.objects.get(code="C7001")
    assert customer.sales_owner == alice
    assert sorted(customer.contacts.values_list("name", flat=True)) == ["刘工", "陈静"]


def test_invalid_form_shows_the_errors_and_keeps_the_input(logged_in_page, alice, alices_customer):
    page = logged_in_page(alice)
    page.goto("/customers/new/")
    page.locator("#id_code").fill("C7002")
    page.locator("#id_name").fill(alices_customer.name)  # taken
    page.locator("#id_category").select_option(label="汽车板客户")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".field.invalid #id_name")).to_be_visible()
    expect(page.locator("#id_code")).to_have_value("C7002")
    assert Customer.objects.count() == 1


def test_list_finds_a_customer_by_a_chinese_substring(
    logged_in_page, quality, alices_customer, bobs_customer
):
    make_customer(name="海信家电集团股份有限公司", short_name="海信")
    page = logged_in_page(quality)
    page.goto("/customers/")
    expect(page.locator("main table tbody tr")).to_have_count(3)
    page.locator("#id_q").fill("海尔")
    page.get_by_role("button", name="查询").click()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("青岛海尔股份有限公司")
    expect(page.locator("#id_q")).to_have_value("海尔")
    page.get_by_role("link", name="青岛海尔股份有限公司").click()
    expect(page.locator("h1")).to_contain_text("青岛海尔股份有限公司")


def test_edit_shows_old_and_new_values_in_the_history(logged_in_page, alice):
    customer = make_customer(name="青岛海尔股份有限公司", region="山东青岛", sales_owner=alice)
    page = logged_in_page(alice)
    page.goto(customer.get_absolute_url())
    page.get_by_role("link", name="编辑", exact=True).click()
    page.locator("#id_region").fill("山东省青岛市")
    page.locator("#id_status").select_option(label="暂停合作")
    page.get_by_role("button", name="保存").click()

    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(page.locator("#basic")).to_contain_text("山东省青岛市")
    change = page.locator("#history tbody tr").first
    expect(change).to_contain_text("修改")
    expect(change).to_contain_text(str(alice))
    region = change.locator(".diff div", has_text="地区")
    expect(region.locator("del")).to_have_text("山东青岛")
    expect(region.locator("ins")).to_have_text("山东省青岛市")
    status = change.locator(".diff div", has_text="状态")
    expect(status.locator("del")).to_have_text("合作中")
    expect(status.locator("ins")).to_have_text("暂停合作")
