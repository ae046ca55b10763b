"""The judgement loop in the browser (paper 3.5): an objection on a part → the check for a coil of
that part says not 合格 and names the objection, and explains why another product of the same
customer is different → the decision is recorded and counted → a similar customer is alerted
and its own judgement answer shows it. And the judgement page and the decision form on the
shop floor: a 1024×768 tablet and a 390-wide phone."""

import re

import pytest
from playwright.sync_api import expect

from archive_site.models import DictKind
from quality.models import Alert, Decision, Objection
from tests.factories import entry, make_customer, make_demand, make_objection, make_part

pytestmark = pytest.mark.e2e


def fb_outer(customer, name):
    return make_demand(
        customer,
        name=name,
        surface_quality=entry(DictKind.SURFACE_QUALITY, "FB"),
        end_use=entry(DictKind.END_USE, "AUTO_EXT"),
    )


@pytest.fixture
def foton(db):
    customer = make_customer(code="C0001", name="北汽福田汽车股份有限公司", short_name="福田")
    outer = fb_outer(customer, "侧围外板用 DC04")
    inner = make_demand(
        customer,
        name="车门内板用 DC04",
        surface_quality=entry(DictKind.SURFACE_QUALITY, "FC"),
        end_use=entry(DictKind.END_USE, "AUTO_INT"),
    )
    make_part(customer, name="侧围外板", number="5401-00123", usage_location="SIDE", demand=outer)
    make_part(customer, name="前门内板", number="6101-00456", usage_location="DOOR_IN", demand=inner)
    return customer


def judge(page, customer, part_label=None):
    """Ask the judgement page about a 一般 scratch for `customer`, with the coil's part if given."""
    page.goto("/quality/judgement/")
    page.locator("#id_customer").fill(customer)
    page.locator("#id_defect").select_option(label="划伤")
    page.locator("#judgement-form").get_by_label("一般").check()
    page.locator("#judge").click()
    expect(page.locator("#verdict")).to_be_visible()
    if part_label:
        page.locator("#id_part").select_option(label=part_label)
        page.locator("#judge").click()
        expect(page.locator(".verdict-facts")).to_contain_text(part_label.split(" ", 1)[1])


def test_the_whole_loop(logged_in_page, quality, foton):
    gwm = make_customer(code="C0012", name="长城汽车股份有限公司", short_name="长城")
    fb_outer(gwm, "哈弗 翼子板用 DC04")
    page = logged_in_page(quality)
    page.on("dialog", lambda dialog: dialog.accept())

    # An objection for 划伤 on the 侧围外板, registered with its demand and part.
    page.goto("/quality/objections/new/?customer=C0001")
    page.locator("#id_received_date").fill("2026-03-02")
    page.locator("#id_defect_type").select_option(label="划伤")
    page.locator("#id_severity").select_option(label="一般")
    page.locator("#id_demand").select_option(label="侧围外板用 DC04")
    page.locator("#id_part").select_option(label="5401-00123 侧围外板")
    page.locator("#id_description").fill("侧围外板冲压后表面纵向划伤")
    page.get_by_role("button", name="保存").click()
    objection = Objection.objects.get()
    expect(page.locator(".messages")).to_contain_text(f"质量异议 {objection.number} 已登记。")
    expect(page.locator("#objection-part")).to_contain_text("侧围外板")

    # The check for a coil of that part: not 合格, and the objection that decided it.
    judge(page, "C0001", "5401-00123 侧围外板")
    expect(page.locator(".verdict-head")).to_contain_text("不得判定为合格")
    expect(page.locator(".verdict-basis")).to_contain_text(
        f"同一零件 侧围外板，划伤 一般，{objection.number}"
    )

    # A coil of that part's grade, part not named: the same kind of product, so not 合格 either.
    page.locator("#id_part").select_option(label="不指定")
    page.locator("#id_grade").select_option(label="DC04")
    page.locator("#judge").click()
    expect(page.locator(".verdict-head")).to_contain_text("不得判定为合格")
    expect(page.locator(".verdict-basis")).to_contain_text(
        f"同类产品：牌号 DC04，划伤 一般，{objection.number}"
    )
    page.locator("#id_grade").select_option(label="不指定")

    # The same defect on the customer's FC inner panel: answered, with the difference explained.
    page.locator("#id_part").select_option(label="6101-00456 前门内板")
    page.locator("#judge").click()
    expect(page.locator(".verdict-head")).to_contain_text("可按标准判定，须从严控制")
    expect(page.locator("#matches .match.other .reason")).to_have_text(
        "其他产品：表面质量 FB（本卷 FC）、用途 汽车外板（本卷 汽车内板）"
    )

    # Back on the outer panel: the decision 改判协议品 for two coils, with a process adjustment.
    page.locator("#id_part").select_option(label="5401-00123 侧围外板")
    page.locator("#judge").click()
    page.locator("#record-decision").click()
    expect(page.locator("#decision-answer")).to_contain_text("不得判定为合格")
    page.locator("#id_coil_numbers").fill("H25031801 H25031802")
    page.locator("#id_tonnage").fill("48.6")
    page.locator("#disposition").get_by_label("改判协议品").check()
    page.locator("#measure").get_by_label("调整工艺").check()
    page.locator("#id_adjustment").fill("平整张力降低 10%")
    page.locator("#decision-save").click()
    expect(page.locator(".messages")).to_contain_text("已记录：H25031801 H25031802 判定为“改判协议品”。")
    decision = Decision.objects.get()
    assert list(decision.objections.all()) == [objection] and decision.created_by == quality

    # It shows in the decisions list and in the statistics.
    page.goto("/quality/decisions/")
    row = page.locator(f"#decision-table tr[data-decision='{decision.pk}']")
    expect(row).to_contain_text("改判协议品")
    expect(row).to_contain_text("H25031801 H25031802")
    page.goto("/quality/decisions/stats/")
    customer_row = page.locator("#decision-customers tr[data-key='C0001']")
    expect(customer_row.locator("[data-stat='coils']")).to_have_text("2")
    expect(customer_row.locator("[data-stat='tons']")).to_have_text("48.6")
    expect(customer_row.locator("[data-stat='prevented']")).to_have_text("1")
    expect(page.locator("#decision-totals")).to_contain_text("拦下了 1 次重复异议")

    # 举一反三: 长城 buys the same grade, surface quality and end use and has not complained.
    page.goto(objection.get_absolute_url())
    page.locator("#objection-lessons").click()
    similar = page.locator("#similar-customers tr[data-customer='C0012']")
    expect(similar).to_contain_text("同牌号 DC04、同表面质量 FB、同用途 汽车外板")
    similar.get_by_role("checkbox").check()
    page.locator("#send-alerts").click()
    expect(page.locator(".messages")).to_contain_text("已向 长城汽车股份有限公司 发出预警。")
    assert Alert.objects.get().customer == gwm

    # 长城's archive and its own judgement answer show the alert, marked as from a similar customer.
    page.goto(gwm.get_absolute_url())
    expect(page.locator("#alerts")).to_contain_text("来自同类客户")
    expect(page.locator("#alerts")).to_contain_text(f"对划伤敏感：同类客户福田 {objection.number}")
    judge(page, "C0012")
    expect(page.locator(".verdict-head")).to_contain_text("可按标准判定，须从严控制")
    expect(page.locator("#answer-alerts .alert.same-defect")).to_contain_text("来自同类客户")


SCREENS = {"tablet": {"width": 1024, "height": 768}, "phone": {"width": 390, "height": 844}}


def fits(page, name):
    """The page as laid out, no wider than the screen. Call it once the page shown is the one
    meant: read during a navigation, the document may be none (no documentElement yet)."""
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    shot = f"/tmp/e2e-{name}-{viewport}.png"
    page.screenshot(path=shot, full_page=True)
    assert width <= viewport, f"{name} scrolls sideways at {viewport} px ({width} px wide); see {shot}"


def usable(locator):
    """Visible, inside the screen's width, and big enough to hit with a finger."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    viewport = locator.page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport, f"off screen: {box}"
    assert box["height"] >= 18 and box["width"] >= 18, f"too small to tap: {box}"


@pytest.mark.parametrize("screen", SCREENS)
def test_the_judgement_page_and_the_decision_form_on_the_shop_floor(logged_in_page, quality, foton, screen):
    make_objection(
        foton, "SCRATCH", 2, description="侧围外板表面纵向划伤，长约 120 mm，距边 30 mm 处，周期性分布"
    )
    page = logged_in_page(quality)
    page.set_viewport_size(SCREENS[screen])

    page.goto("/quality/judgement/")
    fits(page, "judgement-form")
    for control in ("#id_customer", "#id_defect", "#judge"):
        usable(page.locator(control))
    judge(page, "C0001", "5401-00123 侧围外板")
    expect(page.locator(".verdict-head")).to_contain_text("不得判定为合格")
    fits(page, "judgement-answer")
    usable(page.locator("#record-decision"))
    usable(page.locator("#id_part"))

    page.locator("#record-decision").click()
    expect(page.locator("#decision-save")).to_be_visible()  # the form's page, not the one it leaves
    fits(page, "decision-form")
    for control in ("#id_coil_numbers", "#id_tonnage", "#id_adjustment", "#decision-save"):
        usable(page.locator(control))
    page.locator("#id_coil_numbers").fill("H25031801")
    usable(page.locator("#disposition").get_by_label("改判现货"))
    page.locator("#disposition").get_by_label("改判现货").check()
    page.locator("#decision-save").click()
    expect(page.locator("#decision-disposition")).to_have_text("改判现货")
    fits(page, "decision-detail")
    assert Decision.objects.get().coil_numbers == ["H25031801"]
    assert re.match(r".*/quality/decisions/\d+/$", page.url)
