"""The objection module's headline flow in the browser: register with photos, judge, close."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from quality.models import Objection
from tests.browser import choose_files, image_widths

pytestmark = pytest.mark.e2e


def photo(name, color):
    out = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(out, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": out.getvalue()}


def test_objection_with_two_photos_closed_then_judged(logged_in_page, quality, alices_customer):
    page = logged_in_page(quality)

    # Register, from the customer's archive page, with two captioned photos.
    page.goto(f"/customers/{alices_customer.pk}/")
    page.locator("#objections").get_by_role("link", name="登记异议").click()
    expect(page.locator("#id_customer")).to_have_value(alices_customer.code)
    page.locator("#id_received_date").fill("2026-03-02")
    page.locator("#id_defect_type").select_option(label="划伤")
    page.locator("#id_severity").select_option(label="一般")
    page.locator("#id_tonnage").fill("12.5")
    page.locator("#id_description").fill("冲压后外板表面可见划伤，距边 30 mm")
    choose_files(page, "#id_photos", [photo("卷头.jpg", "red"), photo("卷尾.jpg", "blue")])
    captions = page.locator("[data-photo-previews] input[name=caption]")
    expect(captions).to_have_count(2)
    captions.nth(0).fill("卷头划伤")
    captions.nth(1).fill("卷尾划伤")
    page.get_by_role("button", name="保存").click()

    objection = Objection.objects.get()
    expect(page.locator(".messages")).to_contain_text(f"质量异议 {objection.number} 已登记。")
    expect(page.locator("#photos img")).to_have_count(2)
    expect(page.locator("#photos")).to_contain_text("卷头划伤")
    thumbs = page.locator("#photos img")
    assert all(image_widths(thumbs))  # the thumbnails are served

    # Investigate, write the analysis and measures, take measures, close.
    def move_to(status):
        page.locator("#id_to_status").select_option(label=status)
        page.get_by_role("button", name="改变状态").click()
        expect(page.locator("h1 .badge")).to_have_text(status)

    move_to("调查中")
    page.get_by_role("link", name="编辑", exact=True).click()
    page.locator("#id_cause").fill("连退炉辊结瘤")
    page.locator("#id_solution").fill("更换炉辊，封锁同批次钢卷")
    page.locator("#id_preventive").fill("炉辊定期检查，纳入点检表")
    page.get_by_role("button", name="保存").click()
    move_to("已采取措施")
    move_to("已关闭")
    expect(page.locator("#status table")).to_contain_text("已采取措施 → 已关闭")

    # The customer's sensitivity table shows it.
    page.goto(f"/customers/{alices_customer.pk}/")
    row = page.locator("#objections table.sensitivity tbody tr", has_text="划伤")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text("1")  # column 一般

    # The judgement check from the home page: a severe scratch for this customer.
    page.goto("/")
    shortcut = page.locator("#home-judgement")
    shortcut.locator("#id_customer").fill(alices_customer.code)
    shortcut.locator("#id_defect").select_option(label="划伤")
    shortcut.get_by_label("严重").check()
    shortcut.get_by_role("button", name="判定").click()
    expect(page.locator(".verdict-head")).to_contain_text("不得判定为合格")
    expect(page.locator(".verdict-message")).to_contain_text(
        "曾 1 次对程度为“严重”或更轻的“划伤”提出质量异议"
    )
    expect(page.locator(".match img")).to_have_count(2)


def test_the_photos_chosen_for_upload_show_as_loaded_thumbnails(logged_in_page, quality, alices_customer):
    """The previews are blob: URLs of the chosen files; the Content-Security-Policy lets them load."""
    page = logged_in_page(quality)
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"/customers/{alices_customer.pk}/")
    page.locator("#objections").get_by_role("link", name="登记异议").click()
    choose_files(page, "#id_photos", [photo("卷头.jpg", "red"), photo("卷尾.jpg", "blue")])
    thumbs = page.locator("[data-photo-previews] img")
    expect(thumbs).to_have_count(2)
    assert image_widths(thumbs) == [640, 640]
    assert not blocked
