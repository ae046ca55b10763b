import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from printing.models import PrintLog
from tests.factories import make_demand, make_part
from tests.printing.conftest import add_photos

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
    page.wait_for_function("() => document.querySelector('figure.photo img').naturalWidth > 0")
    assert photo.evaluate("img => img.naturalWidth") == 1200
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
