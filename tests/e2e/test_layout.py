import re

import pytest
from playwright.sync_api import expect

from tests.factories import (
    make_contact,
    make_customer,
    make_demand,
    make_objection,
    make_part,
    make_plan,
    make_run,
)

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


CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Text outside user data: the page's chrome, and the judgement's answer (a sentence around data).
# The language switch is left out on purpose: it names each language in that language (简体中文).
CHROME = "header a, nav a, h1, h2, h3, legend, th, label, button, .tabs a, .actions a, .verdict p"
CHROME_TEXTS = """selector => [
    document.title,
    ...[...document.querySelectorAll(selector)].filter(el => !el.closest("form.lang")).map(e => e.innerText),
    ...[...document.querySelectorAll("[placeholder]")].map(el => el.placeholder),
    ...[...document.querySelectorAll("input[type=submit]")].map(el => el.value),
]"""


def test_english_pages_show_no_chinese_outside_the_data(logged_in_page, admin_user):
    customer = make_customer(name="青岛海尔股份有限公司", short_name="海尔", region="山东青岛")
    make_contact(customer, name="刘工", title="采购经理")
    demand = make_demand(
        customer, name="冰箱侧板用 DC04", elements=[("C", 0, 0.08)], properties=[("Rm", 270, 350, "MPa")]
    )
    soak = ("CAL", "SOAK_T", 820, 800, 840, "℃")
    revision = make_plan(customer, demand, [soak], approved_by=admin_user, name="DC04 冰箱侧板")
    make_run(revision, "25C001", SOAK_T=815)
    objection = make_objection(customer, "SCRATCH", 2, description="冲压后侧板表面划伤", tonnage=12)
    part = make_part(customer, car_model=None, usage_location=None, name="冰箱侧板")
    data = [customer.name, customer.short_name, customer.region, "刘工", "采购经理", demand.name]
    data += [revision.plan.name, objection.description, part.name, str(admin_user)]
    judge = f"?customer={customer.code}&defect=SCRATCH&severity=2"
    pages = {
        "home": "/",
        "customer list": "/customers/",
        "customer page": customer.get_absolute_url(),
        "customer form": f"/customers/{customer.pk}/edit/",
        "demand list": "/customers/demands/",
        "demand page": demand.get_absolute_url(),
        "plan list": "/quality/plans/",
        "plan version page": revision.get_absolute_url(),
        "objection list": "/quality/objections/",
        "objection page": objection.get_absolute_url(),
        "objection form": "/quality/objections/new/",
        "objection statistics": "/quality/objections/stats/",
        "judgement check": f"/quality/judgement/{judge}",
        "part list": "/products/",
        "part page": part.get_absolute_url(),
        "supply statistics": "/products/statistics/",
        "import page": "/imports/",
        "dictionary list": "/dictionaries/",
        "account list": "/accounts/",
        "account form": f"/accounts/{admin_user.pk}/edit/",
    }
    page = logged_in_page(admin_user)
    page.locator('header form.lang button[value="en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    chinese = []
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status == 200, f"{name} ({url}): {response.status}"
        expect(page.locator("html")).to_have_attribute("lang", "en")
        for text in page.evaluate(CHROME_TEXTS, CHROME):
            for value in data:
                text = text.replace(value, "")
            if CJK.search(text):
                chinese.append(f"{name} ({url}): {text.strip()!r}")
    assert not chinese, "Chinese in the English page chrome:\n" + "\n".join(dict.fromkeys(chinese))


def test_the_customer_pickers_dialog_speaks_english_down_to_finding_nothing(logged_in_page, alice):
    """The dialog is built by the script from texts the page gives it in the page's language."""
    page = logged_in_page(alice)
    page.goto("/customers/demands/new/")
    page.locator('header form.lang button[value="en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#customer-picker-open").click()
    expect(page.locator("#customer-picker-title")).to_have_text("Find a customer")
    page.locator("#customer-picker-q").fill("ZZZ-无此客户")
    expect(page.locator("#customer-picker-status")).to_have_text("No customer found.")
    expect(page.locator("#customer-picker-close")).to_have_text("Close")
