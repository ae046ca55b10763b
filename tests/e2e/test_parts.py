"""Parts in the browser: two parts with photos, the customer's supply statistics, the export."""

import io

import pytest
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import expect

from customers.models import Customer
from products.models import Part
from tests.browser import choose_files
from tests.factories import entry, make_demand

pytestmark = pytest.mark.e2e


def picture(color):
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG")
    return out.getvalue()


def add_part(page, customer, *, name, number, car_model, gross, quota, net, photos):
    page.goto(customer.get_absolute_url())
    page.locator("#parts").get_by_role("link", name="新建零件").click()
    page.locator("#id_name").fill(name)
    page.locator("#id_number").fill(number)
    page.locator("#id_car_model").select_option(label=car_model)
    page.locator("#id_usage_location").select_option(label="车门外板")
    page.locator("#id_demand").select_option(index=1)
    page.locator("#id_blank_thickness").fill("0.8")
    page.locator("#id_blank_width").fill("1250")
    page.locator("#id_blank_length").fill("1600")
    page.locator("#id_gross_weight").fill(gross)
    page.locator("#id_material_quota").fill(quota)
    page.locator("#id_net_weight").fill(net)
    files = [
        {"name": f"{number}-{i}.jpg", "mimeType": "image/jpeg", "buffer": picture(color)}
        for i, color in enumerate(photos)
    ]
    choose_files(page, "#id_photos", files)
    # Several files: one caption input per file replaces the shared caption.
    captions = page.locator("[data-photo-previews] input[name=caption]")
    expect(captions).to_have_count(len(photos))
    for i in range(len(photos)):
        captions.nth(i).fill(f"{name} 照片{i + 1}")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已创建")
    expect(page.locator("#photos img")).to_have_count(len(photos))


def test_engineer_adds_two_parts_and_reads_the_supply_statistics(
    page, logged_in_page, engineer, alices_customer, tmp_path
):
    make_demand(alices_customer, name="车门外板用 DC04", delivery_grade=entry("delivery_grade", "DC04"))
    page = logged_in_page(engineer)
    add_part(page, alices_customer, name="前门外板", number="A-1", car_model="欧铃",
             gross="10", quota="10.5", net="7.5", photos=[(200, 40, 40), (40, 40, 200)])  # fmt: skip
    add_part(page, alices_customer, name="顶盖", number="A-3", car_model="欧马可",
             gross="6", quota="6.3", net="4.8", photos=[(40, 160, 40), (90, 90, 90)])  # fmt: skip
    part = Part.objects.get(number="A-1")
    assert [p.caption for p in part.photos.order_by("id")] == ["前门外板 照片1", "前门外板 照片2"]

    # The archive page shows both parts with their thumbnails.
    page.goto(alices_customer.get_absolute_url())
    expect(page.locator("#parts .part-card img")).to_have_count(2)

    page.locator("#nav-supply-statistics").click()
    page.locator("#id_q").fill("海尔")
    page.get_by_role("button", name="统计").click()
    expect(page.locator("#parts tbody tr")).to_have_count(2)
    expect(page.locator("#summary")).to_contain_text("共 2 个零件")
    # Weights as the mill writes them: no trailing zeros.
    expect(page.locator("#summary")).to_contain_text("材料定额合计 16.8 kg")
    expect(page.locator("#summary")).to_contain_text("毛坯毛重合计 16 kg")
    expect(page.locator("#summary")).to_contain_text("利用率 76.9%")  # 12.3 ÷ 16
    car_models = page.locator("#car-model-totals")
    expect(car_models.locator("tbody tr", has_text="欧铃").locator("td").nth(4)).to_have_text("10.5")  # quota
    expect(car_models.locator("tbody tr", has_text="欧马可")).to_contain_text("80.0%")
    expect(page.locator("#grade-totals tbody tr", has_text="DC04").locator("td").nth(4)).to_have_text("16.8")
    expect(page.locator("#by-car-model svg rect")).to_have_count(2)

    with page.expect_download() as download:
        page.locator("#statistics-export").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    book = load_workbook(saved)
    details = list(book["零件明细"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[4] for r in details) == ["A-1", "A-3"]
    totals = {r[0]: r[1:] for r in book["按车型"].iter_rows(min_row=2, values_only=True)}
    assert totals["合计"] == (2, 16, 12.3, 16.8, 76.9)
    assert totals["欧铃"] == (1, 10, 7.5, 10.5, 75.0)
    assert Customer.objects.get(pk=alices_customer.pk).parts.count() == 2
