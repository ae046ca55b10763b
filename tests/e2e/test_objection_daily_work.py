"""An objection as a day's work, in the browser: customer service registers it, the handler is
told and finds it on the home page, a step falls overdue as the days pass and shows red, closing
it tells the sales owner, and the closed objection refuses changes until reopened with a reason.

The days pass with time-machine, which moves the clock of the whole process (the live server's
thread too): the objection's deadlines, the dashboard and the sessions all see the new day.
"""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from quality.models import DeadlineRule, Objection

pytestmark = pytest.mark.e2e


def red(locator):
    """Whether the element's text is drawn in a red: (r, g, b) with red well above the others."""
    r, g, b = locator.evaluate("el => getComputedStyle(el).color.match(/\\d+/g).slice(0, 3).map(Number)")
    return r > 150 and g < 100 and b < 100


def test_an_objection_from_registration_to_reopening(logged_in_page, alice, quality, alices_customer):
    alice.email, quality.email = "alice@mill.example", "quality@mill.example"
    alice.save()
    quality.save()
    mail.outbox = []
    today = timezone.localdate()
    # The migration's rule for 一般: the first response within a day.
    assert DeadlineRule.objects.get(severity=2, customer=None).response_days == 1

    # Customer service registers the objection for its customer and gives it to quality staff.
    page = logged_in_page(alice)
    page.goto(f"/customers/{alices_customer.pk}/")
    page.locator("#objections").get_by_role("link", name="登记异议").click()
    page.locator("#id_received_date").fill(today.isoformat())
    page.locator("#id_handler").select_option(label=str(quality))
    page.locator("#id_defect_type").select_option(label="划伤")
    page.locator("#id_severity").select_option(label="一般")
    page.locator("#id_tonnage").fill("3")
    page.locator("#id_description").fill("外板表面划伤")
    page.get_by_role("button", name="保存").click()
    objection = Objection.objects.get()
    expect(page.locator(".messages")).to_contain_text(f"质量异议 {objection.number} 已登记。")
    page.locator("header .account").get_by_role("button", name="退出").click()

    # The handler: a notification, an e-mail, and the objection on the home page, not yet late.
    assert [m for m in mail.outbox if m.to == ["quality@mill.example"] and objection.number in m.subject]
    page = logged_in_page(quality)
    expect(page.locator("#header-notifications .count")).to_have_text("1")
    row = page.locator("tr", has_text=objection.number).first
    expect(row).to_be_visible()
    expect(row).not_to_contain_text("已逾期")
    expect(page.locator(".home-chart svg").first).to_be_visible()  # a chart, not its markup as text

    # Three days on (一般: first response within a day), the step is overdue and shows red.
    later = datetime.datetime.combine(today + datetime.timedelta(days=3), datetime.time(9))
    with time_machine.travel(timezone.make_aware(later), tick=True):
        page = logged_in_page(quality)  # yesterday's session has ended
        row = page.locator("tr", has_text=objection.number).first
        overdue = row.locator(".badge", has_text="已逾期")
        expect(overdue).to_be_visible()
        assert red(overdue)

        # The handler works it through to closing; the sales owner is told.
        page.goto(f"/quality/objections/{objection.pk}/")

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
        assert [m for m in mail.outbox if m.to == ["alice@mill.example"] and objection.number in m.subject]

        # Closed: no edit link, and the edit page itself sends the user back with the reason.
        expect(page.get_by_role("link", name="编辑", exact=True)).to_have_count(0)
        page.goto(f"/quality/objections/{objection.pk}/edit/")
        expect(page.locator(".messages")).to_contain_text("这条异议已关闭，不能再修改。")
        expect(page.locator("h1 .badge")).to_have_text("已关闭")

        # Reopening needs a reason (the form will not go without one); it is kept in the status log.
        page.locator("#id_to_status").select_option(label="调查中")
        page.get_by_role("button", name="重新打开").click()
        assert page.locator("#id_note").evaluate("el => el.validity.valueMissing")
        expect(page.locator("h1 .badge")).to_have_text("已关闭")
        page.locator("#id_note").fill("客户复检又发现划伤")
        page.get_by_role("button", name="重新打开").click()
        expect(page.locator("h1 .badge")).to_have_text("调查中")
        expect(page.locator("#status table")).to_contain_text("已关闭 → 调查中")
        expect(page.locator("#status table")).to_contain_text("客户复检又发现划伤")
        expect(page.get_by_role("link", name="编辑", exact=True)).to_have_count(1)

    # The sales owner finds the closing among her notifications.
    page.locator("header .account").get_by_role("button", name="退出").click()
    page = logged_in_page(alice)
    page.locator("#header-notifications").click()
    expect(page.locator("#notifications tbody")).to_contain_text(objection.number)
