"""Customer service registers an objection for its customer and gives it to quality staff; the
handler sees the unread count in the header, the notification, and has the e-mail."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from quality.models import Objection

pytestmark = pytest.mark.e2e


def test_an_objection_registered_by_sales_reaches_its_handler(
    logged_in_page, alice, quality, alices_customer
):
    quality.email = "quality@mill.example"
    quality.save()
    mail.outbox = []
    page = logged_in_page(alice)

    page.goto(f"/customers/{alices_customer.pk}/")
    page.locator("#objections").get_by_role("link", name="登记异议").click()
    page.locator("#id_received_date").fill("2026-03-02")
    page.locator("#id_handler").select_option(label=str(quality))
    page.locator("#id_defect_type").select_option(label="划伤")
    page.locator("#id_severity").select_option(label="一般")
    page.locator("#id_tonnage").fill("3")
    page.locator("#id_description").fill("外板表面划伤")
    page.get_by_role("button", name="保存").click()
    objection = Objection.objects.get()
    expect(page.locator(".messages")).to_contain_text(f"质量异议 {objection.number} 已登记。")

    page.locator("header .account").get_by_role("button", name="退出").click()
    page = logged_in_page(quality)
    badge = page.locator("#header-notifications .count")
    expect(badge).to_have_text("1")
    page.locator("#header-notifications").click()
    row = page.locator("#notifications tbody tr.unread")
    expect(row).to_contain_text(f"王丽 把质量异议 {objection.number}（青岛海尔股份有限公司）指派给您处理。")
    row.get_by_role("button", name="查看").click()
    expect(page.locator("h1")).to_contain_text(objection.number)
    expect(page.locator("#header-notifications .count")).to_have_count(0)

    [message] = [m for m in mail.outbox if m.to == ["quality@mill.example"]]
    assert objection.number in message.subject
    assert f"/quality/objections/{objection.pk}/" in message.body
