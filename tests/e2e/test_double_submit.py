"""A form being sent is not sent again from the page: its buttons are disabled once it is sent."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_sent_form_cannot_be_sent_a_second_time(logged_in_page, alice):
    page = logged_in_page(alice)
    page.goto("/customers/new/")
    posts = []

    def answer_slowly(route):
        # The server's answer never comes (204: the browser stays on the page), as on a slow day.
        if route.request.method == "POST":
            posts.append(route.request.post_data)
            route.fulfill(status=204)
        else:
            route.continue_()

    page.route("**/customers/new/", answer_slowly)
    form = page.locator("main form[method=post]").first
    save = form.locator("button:not([type=button])").first
    save.click()
    expect(save).to_be_disabled()
    save.click(force=True)  # a second click on the disabled button
    form.evaluate("form => form.requestSubmit()")  # and Enter in a field
    page.wait_for_timeout(300)
    assert len(posts) == 1
    assert "submit_token=" in posts[0]  # the server would also refuse a second one
