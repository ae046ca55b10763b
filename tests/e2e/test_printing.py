import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from printing.models import PrintJob, PrintLog
from tests.browser import image_widths
from tests.factories import make_demand, make_part, make_plan
from tests.printing.conftest import add_photos
from tests.printing.test_batches import work

pytestmark = pytest.mark.e2e


def test_sales_user_previews_a_parts_technical_sheet_and_downloads_the_pdf(
    logged_in_page, alice, alices_customer, engineer
):
    demand = make_demand(alices_customer, elements=[("C", None, "0.003"), ("Mn", None, "0.25")])
    part = make_part(alices_customer, demand=demand, number="BX-6001", name="冰箱侧板")
    add_photos(part, engineer, count=1)

    page = logged_in_page(alice)
    page.goto(part.get_absolute_url())
    expect(page.locator("h1")).to_contain_text("冰箱侧板")
    page.get_by_role("link", name=alices_customer.name).first.click()
    page.locator("#printing").get_by_role("link", name="BX-6001 冰箱侧板").click()

    # The preview: the same sheet in the browser, its photo loaded through the print copy.
    expect(page.locator(".doc-title")).to_have_text("技术单")
    expect(page.locator(".sheet")).to_contain_text("四、化学成分要求")
    expect(page.locator(".sheet")).to_contain_text("C 碳")
    photo = page.locator("figure.photo img")
    expect(photo).to_have_count(1)
    assert image_widths(photo) == [1200]
    assert not PrintLog.objects.exists()

    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载 PDF").click()
    download = download_info.value
    assert download.suggested_filename == "技术单-JSD-C0005-BX-6001.pdf"
    reader = PdfReader(io.BytesIO(download.path().read_bytes()))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "JSD-C0005-BX-6001" in text and "打印人：王丽" in text

    log = PrintLog.objects.get()
    assert (log.printed_by, log.printed_object) == (alice, part)
    page.goto(alices_customer.get_absolute_url())
    expect(page.locator("#print-log tbody tr")).to_have_count(1)
    expect(page.locator("#print-log")).to_contain_text("JSD-C0005-BX-6001")


PDF_TIMEOUT_MS = 20_000  # a sheet laid out for the first time, on a busy machine


def pdf_text(download):
    reader = PdfReader(io.BytesIO(download.path().read_bytes()))
    return "".join(p.extract_text() for p in reader.pages), len(reader.pages)


def test_engineer_prints_the_technical_sheet_from_the_part_page(logged_in_page, engineer, alices_customer):
    demand = make_demand(alices_customer, elements=[("C", None, "0.003")])
    make_plan(
        alices_customer,
        demand=demand,
        approved_by=engineer,
        parameters=[("CAL", "SOAK_T", 820, 810, 830, "℃")],
    )
    part = make_part(alices_customer, demand=demand, number="BX-6001", name="冰箱侧板")

    page = logged_in_page(engineer)
    page.goto(part.get_absolute_url())
    page.get_by_role("link", name="打印技术单").click()
    expect(page.locator(".doc-title")).to_have_text("技术单")
    with page.expect_download(timeout=PDF_TIMEOUT_MS) as download_info:  # laid out in the request
        page.get_by_role("button", name="下载 PDF").click(no_wait_after=True)

    text, pages = pdf_text(download_info.value)
    assert pages == 1
    assert "BX-6001 冰箱侧板" in text and "打印人：李工" in text
    assert re.search(r"连退\s+均热温度（℃）\s+820\s+810\s+830", text)
    log = PrintLog.objects.get()
    assert (log.printed_by, log.printed_object, log.pages) == (engineer, part, 1)


@pytest.mark.django_db(transaction=True)
def test_sales_user_ticks_parts_on_the_list_and_downloads_the_batch(
    logged_in_page, alice, alices_customer, engineer, settings
):
    settings.PRINT_PROCESSES = 2
    demand = make_demand(alices_customer)
    first = make_part(alices_customer, demand=demand, number="BX-6001", name="冰箱侧板")
    add_photos(first, engineer, count=1)
    make_part(alices_customer, demand=demand, number="BX-6002", name="冰箱门板")
    make_part(alices_customer, demand=demand, number="BX-6003", name="冰箱背板")  # not ticked

    page = logged_in_page(alice)
    page.goto("/products/")
    button = page.get_by_role("button", name="打印所选技术单")
    expect(button).to_be_disabled()  # nothing ticked yet
    page.get_by_label("选择零件 BX-6001").check()
    page.get_by_label("选择零件 BX-6002").check()
    button.click()

    expect(page.locator("h1")).to_contain_text("批量打印技术单")
    expect(page.locator("#progress")).to_contain_text("0 / 2")
    job = PrintJob.objects.get()
    assert job.part_ids == [first.pk, first.pk + 1]
    work()  # the worker picks the job up; the page follows it and offers the download
    expect(page.locator("#job-status")).to_have_text("已完成", timeout=10_000)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 PDF").click()

    text, pages = pdf_text(download_info.value)
    assert "JSD-C0005-BX-6001" in text and "JSD-C0005-BX-6002" in text and "BX-6003" not in text
    assert text.count("打印人：王丽") == pages
    assert PrintLog.objects.get().object_label.endswith("2 个零件")


def test_celsius_on_the_pages_is_drawn_by_the_served_symbol_font(logged_in_page, engineer, alices_customer):
    """This machine has WenQuanYi, whose ℃ is empty: the page must take ℃ from the static font."""
    revision = make_plan(alices_customer, parameters=[("CAL", "SOAK_T", 820, 810, 830, "℃")])
    page = logged_in_page(engineer)
    page.goto(f"/quality/plans/{revision.plan.pk}/")
    cell = page.locator("td", has_text=re.compile(r"^℃$")).first
    expect(cell).to_be_visible()
    cell.evaluate("td => td.id = 'celsius'")
    page.evaluate("document.fonts.ready")

    fonts = platform_fonts(page, "#celsius")

    assert fonts == {"Archive Symbols": 1}


def platform_fonts(page, selector):
    """{font family: glyphs drawn} for the text of the element at `selector`, as Chromium drew it."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return {
        f["familyName"]: f["glyphCount"]
        for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    }
