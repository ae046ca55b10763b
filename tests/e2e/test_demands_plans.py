"""Demands and plans in the browser: a demand by the magnifier, a plan written to Cpk, reuse by grade."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from archive_site.models import DictKind
from customers.models import Demand
from quality.models import PlanRevision, PlanRun, ProcessPlan
from tests.factories import entry, make_customer, make_demand, make_plan

pytestmark = pytest.mark.e2e


def accept_confirmations(page):
    """Buttons marked data-confirm ask with window.confirm: say yes, as the user would."""
    page.on("dialog", lambda dialog: dialog.accept())


def test_sales_creates_a_demand_with_rows_picking_the_customer_with_the_magnifier(logged_in_page, alice):
    jac = make_customer(
        code="C7101",
        name="安徽江淮汽车集团股份有限公司",
        short_name="江淮汽车",
        region="安徽合肥",
        address="合肥市东流路176号",
        phone="0551-62296500",
        sales_owner=alice,
    )
    make_customer(code="C7102", name="江铃汽车股份有限公司", short_name="江铃", sales_owner=alice)
    make_customer(code="C7103", name="安徽江淮重型工程机械有限公司", short_name="江淮重工")  # not alice's
    page = logged_in_page(alice)
    page.goto("/customers/demands/")
    page.locator("#demand-create").click()

    # The magnifier: part of the Chinese name finds the customer among alice's own.
    page.locator("#customer-picker-open").click()
    page.locator("#customer-picker-q").fill("江淮")
    results = page.locator("#customer-picker-results li")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("安徽江淮汽车集团股份有限公司（C7101）")
    results.get_by_role("button").click()
    expect(page.locator("#customer-picker")).not_to_be_visible()
    expect(page.locator("[data-customer-picker] [data-picker-input]")).to_have_value(
        "安徽江淮汽车集团股份有限公司"
    )
    basic = page.locator("#customer-basic")
    expect(basic.locator('[data-basic="code"]')).to_have_text("C7101")
    expect(basic.locator('[data-basic="short_name"]')).to_have_text("江淮汽车")
    expect(basic.locator('[data-basic="region"]')).to_have_text("安徽合肥")
    expect(basic.locator('[data-basic="address"]')).to_have_text("合肥市东流路176号")
    expect(basic.locator('[data-basic="phone"]')).to_have_text("0551-62296500")
    expect(basic.locator('[data-basic="sales_owner"]')).to_have_text("王丽")

    page.locator("#id_name").fill("瑞风车门外板用 DC04")
    page.locator("#id_source").select_option(label="订单")
    page.locator("#id_delivery_grade").select_option(label="DC04")
    page.locator("#id_production_grade").select_option(label="DC04")
    page.locator("#id_standard").fill("GB/T 5213-2019")
    page.locator("#id_thickness").fill("0.8")
    page.locator("#id_thickness_tol_minus").fill("0.03")
    page.locator("#id_thickness_tol_plus").fill("0.03")
    page.locator("#id_width").fill("1250")
    page.locator("#id_surface_quality").select_option(label="FD")
    page.locator("#id_end_use").select_option(label="汽车外板")
    page.locator("#id_usage_location").select_option(label="车门外板")
    page.locator("#id_ra_min").fill("0.9")
    page.locator("#id_ra_max").fill("1.3")

    # Composition: the first row is on the page; two more are added by the button, one removed again.
    page.locator("#id_elements-0-element").select_option(label="C 碳")
    page.locator("#id_elements-0-max_pct").fill("0.008")
    page.locator("#elements-add").click()
    page.locator("#id_elements-1-element").select_option(label="Mn 锰")
    page.locator("#id_elements-1-min_pct").fill("0.10")
    page.locator("#id_elements-1-max_pct").fill("0.35")
    page.locator("#elements-add").click()
    page.locator("#id_elements-2-element").select_option(label="P 磷")
    page.locator("#id_elements-2-max_pct").fill("0.9")  # a mistake, removed before saving
    page.locator("#elements-table tbody tr").nth(2).get_by_role("button", name="移除").click()
    expect(page.locator("#elements-table tbody tr")).to_have_count(2)
    # Properties.
    page.locator("#id_properties-0-property").select_option(label="抗拉强度 Rm (MPa)")
    page.locator("#id_properties-0-min_value").fill("270")
    page.locator("#id_properties-0-max_value").fill("350")
    page.locator("#properties-add").click()
    page.locator("#id_properties-1-property").select_option(label="断后伸长率 A80 (%)")
    page.locator("#id_properties-1-min_value").fill("38")
    page.locator("#demand-save").click()

    expect(page.locator(".messages")).to_contain_text("客户需求“瑞风车门外板用 DC04”已创建。")
    expect(page.locator("#demand-customer")).to_have_text("安徽江淮汽车集团股份有限公司")
    expect(page.locator("#demand-elements tbody tr")).to_have_count(2)
    expect(page.locator("#demand-elements")).to_contain_text("Mn 锰")
    expect(page.locator("#demand-elements")).not_to_contain_text("P 磷")
    expect(page.locator("#demand-properties tbody tr")).to_have_count(2)
    expect(page.locator("#demand-properties")).to_contain_text("断后伸长率 A80")
    demand = Demand.objects.get()
    assert demand.customer == jac and demand.created_by == alice
    assert {e.element.code: (e.min_pct, e.max_pct) for e in demand.elements.all()} == {
        "C": (None, Decimal("0.008")),
        "Mn": (Decimal("0.10"), Decimal("0.35")),
    }
    assert sorted(demand.properties.values_list("property__code", flat=True)) == ["A80", "Rm"]

    # The customer's archive page lists it.
    page.locator("#demand-customer").click()
    expect(page.locator("#demands")).to_contain_text("瑞风车门外板用 DC04")


def test_a_wrong_row_is_shown_and_nothing_is_saved(logged_in_page, alice):
    make_customer(code="C7104", name="广州汽车集团股份有限公司", short_name="广汽", sales_owner=alice)
    page = logged_in_page(alice)
    page.goto("/customers/demands/new/")
    page.locator("#customer-picker-open").click()
    page.locator("#customer-picker-q").fill("广州汽")
    page.locator("#customer-picker-results").get_by_role("button").click()
    page.locator("#id_name").fill("传祺侧围用 DC05")
    page.locator("#id_thickness").fill("0.7")
    page.locator("#id_width").fill("1500")
    page.locator("#id_elements-0-element").select_option(label="C 碳")
    page.locator("#id_elements-0-min_pct").fill("0.02")
    page.locator("#id_elements-0-max_pct").fill("0.005")  # min > max
    page.locator("#demand-save").click()
    expect(page.locator("#elements-table")).to_contain_text("成分下限 %不能大于上限 %。")
    # The picked customer and its basic data survive the refused save.
    expect(page.locator("[data-customer-picker] [data-picker-input]")).to_have_value(
        "广州汽车集团股份有限公司"
    )
    expect(page.locator('#customer-basic [data-basic="short_name"]')).to_have_text("广汽")
    assert not Demand.objects.exists()


def record_run(page, coil, day, soak_temperature, more=True):
    page.locator("#id_coil_number").fill(coil)
    page.locator("#id_produced_on").fill(f"2025-03-{day:02d}")
    page.locator("#id_line").select_option(label="连退")
    page.get_by_label("连退 · 均热温度 (℃)").fill(str(soak_temperature))
    page.locator("#run-save-another" if more else "#run-save").click()
    expect(page.locator(".messages")).to_contain_text(f"卷号 {coil} 的实绩已记录。")


def test_engineer_writes_approves_a_plan_and_sees_runs_flagged_and_cpk(logged_in_page, engineer):
    faw = make_customer(code="C0003", name="一汽-大众汽车有限公司", short_name="一汽大众")
    demand = make_demand(
        faw,
        name="迈腾翼子板用 DC06",
        production_grade=entry(DictKind.PRODUCTION_GRADE, "DC06"),
        thickness=Decimal("0.70"),
        thickness_tol_minus=Decimal("0.03"),
        thickness_tol_plus=Decimal("0.03"),
        width=Decimal("1680"),
        surface_quality=entry(DictKind.SURFACE_QUALITY, "FD"),
        end_use=entry(DictKind.END_USE, "AUTO_EXT"),
    )
    page = logged_in_page(engineer)
    accept_confirmations(page)
    page.goto(demand.get_absolute_url())
    page.locator("#demand-new-plan").click()

    # The form starts from the demand: its customer, grade and spec range.
    expect(page.locator("#plan-for-demand")).to_contain_text("迈腾翼子板用 DC06")
    expect(page.locator("[data-customer-picker] [data-picker-input]")).to_have_value("一汽-大众汽车有限公司")
    expect(page.locator("#id_rev-production_grade option:checked")).to_have_text("DC06")
    expect(page.locator("#id_rev-thickness_min")).to_have_value("0.670")
    expect(page.locator("#id_rev-thickness_max")).to_have_value("0.730")
    page.locator("#id_plan-code").fill("GK-2025-018")
    page.locator("#id_plan-name").fill("一汽大众 DC06 翼子板工艺方案")
    page.locator("#id_rev-requirements").fill("FD 级表面，r90 ≥ 2.1；均热温度严格控制，防止晶粒粗大")
    page.locator("#id_params-0-line").select_option(label="酸轧")
    page.locator("#id_params-0-parameter").select_option(label="冷轧压下率 (%)")
    page.locator("#id_params-0-target").fill("78")
    page.locator("#id_params-0-lower").fill("75")
    page.locator("#id_params-0-upper").fill("82")
    page.locator("#params-add").click()
    page.locator("#id_params-1-line").select_option(label="连退")
    page.locator("#id_params-1-parameter").select_option(label="均热温度 (℃)")
    page.locator("#id_params-1-target").fill("830")
    page.locator("#id_params-1-lower").fill("815")
    page.locator("#id_params-1-upper").fill("845")
    page.locator("#plan-save").click()

    expect(page.locator(".messages")).to_contain_text("工艺控制方案“GK-2025-018”已创建（草稿 Rev.1）。")
    expect(page.locator("#revision-status")).to_contain_text("草稿")
    expect(page.locator("#plan-parameters table[data-line='CAL']")).to_contain_text("均热温度")
    expect(page.locator("#run-create")).to_have_count(0)  # a draft takes no runs

    page.locator("#revision-approve").click()
    expect(page.locator(".messages")).to_contain_text("已批准")
    expect(page.locator("#revision-status")).to_contain_text("已批准")
    expect(page.locator("#revision-approved")).to_contain_text("李工")
    expect(page.locator("#revision-edit")).to_have_count(0)  # read-only now

    page.locator("#run-create").click()
    record_run(page, "H25031801", 18, 828)
    record_run(page, "H25031802", 18, 836)
    record_run(page, "H25031903", 19, 851, more=False)  # above the upper limit of 845

    table = page.locator("#set-vs-actual table[data-line='CAL']")
    expect(table.locator("tbody tr")).to_have_count(3)
    flagged = table.locator("td.out")
    expect(flagged).to_have_count(1)
    expect(flagged).to_have_text("851 ↑")
    expect(table.locator("tr[data-coil='H25031903'] td.out")).to_have_count(1)
    expect(table.locator("tr[data-coil='H25031801'] td.out")).to_have_count(0)

    # 828, 836, 851: mean 838.333; deviations −10.333, −2.333, 12.667; Σd² = 272.667;
    # sd = √(272.667 / 2) = 11.676; Cpk = min(845 − 838.333, 838.333 − 815) / (3 × 11.676) = 0.19.
    soak = page.locator("#plan-statistics tr[data-parameter='SOAK_T']")
    expect(soak.locator("[data-stat='count']")).to_have_text("3")
    expect(soak.locator("[data-stat='mean']")).to_have_text("838.333")
    expect(soak.locator("[data-stat='sd']")).to_have_text("11.676")
    expect(soak.locator("[data-stat='min']")).to_have_text("828")
    expect(soak.locator("[data-stat='max']")).to_have_text("851")
    expect(soak.locator("[data-stat='cpk']")).to_have_text("0.19")
    expect(soak.locator("[data-stat='out']")).to_have_text("1")
    expect(soak.locator("svg circle.out")).to_have_count(1)
    revision = PlanRevision.objects.get(plan__code="GK-2025-018")
    assert revision.status == "approved" and revision.approved_by == engineer
    assert PlanRun.objects.filter(revision=revision).count() == 3

    # Adopt: a new draft whose targets are the observed means (clamped to the limits).
    page.locator("#revision-adopt").click()
    expect(page.locator(".messages")).to_contain_text("目标值取自实绩均值")
    expect(page.locator("#id_params-1-target")).to_have_value("838.3333")


def test_engineer_finds_a_plan_by_grade_from_another_customers_demand_and_applies_it(
    logged_in_page, engineer
):
    gwm = make_customer(code="C0012", name="长城汽车股份有限公司", short_name="长城")
    byd = make_customer(code="C0027", name="比亚迪汽车工业有限公司", short_name="比亚迪")
    grade = entry(DictKind.PRODUCTION_GRADE, "DC04")
    fd, outer = entry(DictKind.SURFACE_QUALITY, "FD"), entry(DictKind.END_USE, "AUTO_EXT")
    params = [("CAL", "SOAK_T", 820, 805, 835, "℃"), ("PLTCM", "RED", 75, 70, 80, "%")]
    # Three of 长城's approved DC04 plans cover 0.8 × 1250: the closest one matches FD and 外板.
    far = make_plan(
        gwm,
        code="GK-CC-003",
        name="哈弗 DC04 内板",
        parameters=params,
        approved_by=engineer,
        thickness_min=Decimal("0.5"),
        thickness_max=Decimal("2.0"),
        width_min=Decimal("900"),
        width_max=Decimal("1800"),
        surface_quality=entry(DictKind.SURFACE_QUALITY, "FB"),
        end_use=entry(DictKind.END_USE, "AUTO_INT"),
    )
    best = make_plan(
        gwm,
        code="GK-CC-001",
        name="哈弗H6 DC04 车门外板",
        parameters=params,
        approved_by=engineer,
        thickness_min=Decimal("0.7"),
        thickness_max=Decimal("0.9"),
        width_min=Decimal("1150"),
        width_max=Decimal("1350"),
        surface_quality=fd,
        end_use=outer,
        requirements="FD 级外板表面，无滑移线",
    )
    make_plan(
        gwm,
        code="GK-CC-002",
        name="哈弗 DC04 外板（宽规格）",
        parameters=params,
        approved_by=engineer,
        thickness_min=Decimal("0.6"),
        thickness_max=Decimal("1.2"),
        width_min=Decimal("1000"),
        width_max=Decimal("1700"),
        surface_quality=fd,
        end_use=outer,
    )
    make_plan(gwm, code="GK-CC-009", name="DC01 一般用途", approved_by=engineer, parameters=params,
              production_grade=entry(DictKind.PRODUCTION_GRADE, "DC01"))  # fmt: skip
    demand = make_demand(
        byd,
        name="秦 PLUS 车门外板用 DC04",
        production_grade=grade,
        thickness=Decimal("0.80"),
        width=Decimal("1250"),
        surface_quality=fd,
        end_use=outer,
    )
    page = logged_in_page(engineer)
    page.goto(demand.get_absolute_url())
    page.locator("#demand-find-plans").click()

    expect(page.locator("#reuse-demand")).to_contain_text("秦 PLUS 车门外板用 DC04")
    expect(page.locator("#id_production_grade option:checked")).to_have_text("DC04")
    rows = page.locator("#reuse-results tbody tr")
    expect(rows).to_have_count(3)  # the DC01 plan is not offered
    expect(rows.nth(0)).to_have_attribute("data-plan", "GK-CC-001")
    expect(rows.nth(1)).to_have_attribute("data-plan", "GK-CC-002")
    expect(rows.nth(2)).to_have_attribute("data-plan", "GK-CC-003")
    expect(rows.nth(0)).to_contain_text("长城汽车股份有限公司")

    rows.nth(0).locator("[data-apply]").click()
    expect(page.locator("#id_code")).to_have_value("GK-CC-001-C0027")
    page.locator("#id_code").fill("GK-BYD-001")
    page.locator("#id_name").fill("比亚迪 DC04 车门外板工艺方案")
    page.locator("#plan-apply-submit").click()

    expect(page.locator(".messages")).to_contain_text("服务需求“秦 PLUS 车门外板用 DC04”")
    expect(page.locator("#plan-title")).to_contain_text("GK-BYD-001")
    expect(page.locator("#revision-status")).to_contain_text("草稿")
    expect(page.locator("#plan-customer")).to_have_text("比亚迪汽车工业有限公司")
    expect(page.locator("#plan-demand")).to_have_text("秦 PLUS 车门外板用 DC04")
    expect(page.locator("#plan-origin")).to_have_text("GK-CC-001 Rev.1")
    expect(page.locator("#plan-parameters")).to_contain_text("均热温度")
    plan = ProcessPlan.objects.get(code="GK-BYD-001")
    assert plan.customer == byd and plan.demand == demand and plan.origin == best
    copied = plan.revisions.get()
    assert (
        copied.is_draft
        and copied.parameters.count() == 2
        and copied.requirements == "FD 级外板表面，无滑移线"
    )
    assert far.plan.revisions.get().status == "approved"  # the source plans are untouched

    # The origin link leads back to 长城's plan, which lists where it was reused;
    # 比亚迪's demand lists its new plan.
    page.locator("#plan-origin a").click()
    expect(page.locator("#plan-customer")).to_have_text("长城汽车股份有限公司")
    expect(page.locator("#plan-copies")).to_contain_text("GK-BYD-001（比亚迪汽车工业有限公司，复制自 Rev.1）")
    page.goto(demand.get_absolute_url())
    expect(page.locator("#demand-plans")).to_contain_text("GK-BYD-001")


def test_a_new_plan_offers_the_demands_of_the_customer_picked_with_the_magnifier(logged_in_page, engineer):
    saic = make_customer(code="C0041", name="上汽通用五菱汽车股份有限公司", short_name="五菱")
    make_demand(saic, name="宏光MINI 车门内板用 DC03", thickness=Decimal("0.7"), width=Decimal("1380"))
    make_demand(saic, name="五菱之光 顶盖用 DC04")
    make_demand(make_customer(name="东风汽车集团有限公司"), name="东风天龙 车门外板")
    page = logged_in_page(engineer)
    page.goto("/quality/plans/")
    page.locator("#plan-create").click()
    demands = page.locator("#id_plan-demand option")
    expect(demands).to_have_count(1)  # only the blank choice until a customer is picked
    page.locator("#customer-picker-open").click()
    page.locator("#customer-picker-q").fill("五菱")
    expect(page.locator("#customer-picker-results li")).to_have_count(1)
    page.locator("#customer-picker-results").get_by_role("button").click()
    expect(page.locator("[data-customer-picker] [data-picker-input]")).to_have_value(
        "上汽通用五菱汽车股份有限公司"
    )
    expect(demands).to_have_count(3)
    page.locator("#id_plan-demand").select_option(label="宏光MINI 车门内板用 DC03（0.7×1380 mm）")
    page.locator("#id_plan-code").fill("GK-WL-001")
    page.locator("#id_plan-name").fill("五菱 DC03 车门内板工艺方案")
    page.locator("#id_rev-production_grade").select_option(label="DC03")
    page.locator("#id_rev-thickness_min").fill("0.6")
    page.locator("#id_rev-thickness_max").fill("0.8")
    page.locator("#id_rev-width_min").fill("1200")
    page.locator("#id_rev-width_max").fill("1500")
    page.locator("#id_params-0-line").select_option(label="连退")
    page.locator("#id_params-0-parameter").select_option(label="过时效温度 (℃)")
    page.locator("#id_params-0-target").fill("400")
    page.locator("#plan-save").click()
    expect(page.locator("#plan-demand")).to_have_text("宏光MINI 车门内板用 DC03")
    expect(page.locator("#plan-customer")).to_have_text("上汽通用五菱汽车股份有限公司")
    assert ProcessPlan.objects.get(code="GK-WL-001").demand.name == "宏光MINI 车门内板用 DC03"
