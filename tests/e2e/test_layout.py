import pytest
from playwright.sync_api import expect

from tests.factories import make_contact, make_customer

pytestmark = pytest.mark.e2e

SCREENSHOT = "/tmp/e2e-customer-page-1366x768.png"


def test_language_switches_to_english_and_back(logged_in_page, alice):
    page = logged_in_page(alice)
    page.goto("/customers/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.locator('header form.lang button[value="en"]').click()
    expect(page).to_have_url("/customers/")  # stays on the same page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/")  # the choice is remembered on the next page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator('header form.lang button[value="zh-hans"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator('header form.lang button[value="en"]')).to_be_visible()


def test_customer_page_fits_a_1366_wide_office_screen(logged_in_page, alice):
    customer = make_customer(
        name="中国第一汽车股份有限公司长春轿车冲压分厂",
        short_name="一汽轿车",
        region="吉林长春",
        address="吉林省长春市绿园区东风大街 8899 号",
        phone="0431-85781234",
        website="https://www.faw.com.cn",
        main_business="乘用车车身外覆盖件、内板件及结构件冲压",
        remarks="对表面质量要求高，外板须 FD 级。",
        sales_owner=alice,
    )
    make_contact(customer, name="刘工", title="采购经理", phone="0431-85781235", mobile="13812345678")
    page = logged_in_page(alice)
    page.goto(customer.get_absolute_url())
    page.get_by_role("link", name="编辑", exact=True).click()
    page.locator("#id_remarks").fill("对表面质量要求高，外板须 FD 级；内板 FC 级。")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#history tbody tr")).to_have_count(3)  # customer, contact created; edit
    page.screenshot(path=SCREENSHOT, full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, f"the page scrolls sideways ({width} px wide); see {SCREENSHOT}"
