"""The import pages in headless Chromium: upload, progress, preview, confirm."""

import pytest
from playwright.sync_api import expect

from customers.models import Customer
from tests.browser import choose_files
from tests.imports.helpers import CONTACT_HEADERS, CUSTOMER_HEADERS, xlsx
from tests.imports.test_views import work

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_upload_shows_progress_then_the_preview_and_confirm_imports(logged_in_page, alice, tmp_path):
    path = tmp_path / "客户清单.xlsx"
    path.write_bytes(
        xlsx(
            {
                "客户": [CUSTOMER_HEADERS, ["C9101", "滨州铝业有限公司", "AUTO", "合作中", "", 10]],
                "联系人": [CONTACT_HEADERS, ["C9101", "孙丽", "", "13700000000"]],
            }
        )
    )
    page = logged_in_page(alice)
    page.goto("/imports/")
    page.locator("#module-customers").get_by_role("link", name="上传文件").click()
    choose_files(page, "#id_file", str(path))
    page.get_by_role("button", name="上传并检查").click()

    expect(page.locator("#progress")).to_be_visible()  # queued: the page polls its status
    work()
    expect(page.locator("#run-status")).to_have_text("待确认")  # reloaded by imports.js
    expect(page.locator("#summary")).to_contain_text("新建 2")
    expect(page.locator(".preview").first).to_contain_text("滨州铝业有限公司")
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("#progress")).to_be_visible()
    work()
    expect(page.locator("#run-status")).to_have_text("已导入")
    assert Customer.objects.get(code="C9101").contacts.get().name == "孙丽"


def test_a_file_over_the_limit_is_stopped_in_the_browser(logged_in_page, alice, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1000
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 5000)
    page = logged_in_page(alice)
    page.goto("/imports/customers/")

    choose_files(page, "#id_file", str(path))

    assert "超过" in page.locator("#id_file").evaluate("input => input.validationMessage")
