"""The demo archive of `make run`, as each demo user meets it in the browser: every module's
list, opened through the navigation, has rows, and its own filter finds 北汽福田's story."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from devtools.management.commands.seed_demo import demo_password
from orders.models import Delivery, Order
from quality.models import Decision, Objection
from tests.archive_site.test_demo import DEMO_USERS
from tests.archive_site.test_demo import demo as demo  # noqa: F401, PLC0414 (the fixture)
from tests.browser import logged_in_context

pytestmark = pytest.mark.e2e

STORY_CUSTOMER = "北汽福田"  # typed into each list's customer filter, as a user would


def story_rows(customer):
    """Every module's list, how a user opens it (the navigation's link, then the link on that
    page that leads to the list, if any) and the filter field that takes a customer, with a
    row of 北汽福田's story the filter must find."""
    objection = Objection.objects.get(customer=customer, status="investigating")
    delivery = Delivery.objects.filter(order__customer=customer).latest("id")
    return [
        (reverse("customers:customer-list"), "#nav-customers", None, "q", customer.name),
        (reverse("customers:demand-list"), "#nav-demands", None, "customer", "车门外板用 DC06"),
        (reverse("quality:plan-list"), "#nav-plans", None, "customer", "GK-2025-018"),
        (reverse("quality:objection-list"), "#nav-objections", None, "customer", objection.number),
        (
            reverse("quality:decision-list"),
            "#nav-judgement",
            "判定记录",
            "customer",
            Decision.objects.get(customer=customer).coil_numbers[0],
        ),
        (reverse("products:part-list"), "#nav-parts", None, "customer", "5401-00123"),
        (
            reverse("orders:order-list"),
            "#nav-orders",
            None,
            "customer",
            Order.objects.get(customer=customer).number,
        ),
        (reverse("orders:delivery-list"), "#nav-orders", "交货记录", "customer", delivery.coil_number),
    ]


@pytest.mark.long
def test_every_demo_user_finds_rows_and_the_story_on_every_modules_list(browser, live_server, demo):
    lists = story_rows(demo)
    for username in DEMO_USERS:
        context, page = logged_in_context(browser, live_server, username, demo_password())
        try:
            for path, nav, link, field, row in lists:
                where = f"{username} {path}"
                page.locator(nav).click()
                if link:
                    page.locator("main .toolbar").get_by_role("link", name=link, exact=True).click()
                expect(page, where).to_have_url(f"{live_server.url}{path}")
                rows = page.locator("main table tbody tr")
                expect(rows.first, where).to_be_visible()
                filters = page.locator("form.filters")
                filters.locator(f"[name={field}]").fill(STORY_CUSTOMER)
                filters.get_by_role("button", name="查询").click()
                expect(page, where).to_have_url(re.compile(rf"[?&]{field}="))
                expect(page.locator("main table tbody"), where).to_contain_text(row)
            assert not context.errors, (username, context.errors)
        finally:
            context.close()
