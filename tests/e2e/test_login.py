import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_user_logs_in_through_the_form_and_out_again(logged_in_page, alice):
    page = logged_in_page(alice)
    expect(page).to_have_url("/")
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url("/login/")
    expect(page.locator("header .account")).to_have_count(0)


def test_wrong_password_shows_an_error_and_logs_nobody_in(page, alice):
    page.goto("/login/")
    page.locator("#id_username").fill(alice.username)
    page.locator("#id_password").fill("not-her-password")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator("form .errors[role=alert]")).to_be_visible()
    expect(page).to_have_url("/login/")
    expect(page.locator("header .account")).to_have_count(0)


def test_anonymous_visitor_is_sent_to_the_login_page_and_back(page, alice):
    page.goto("/customers/")
    expect(page).to_have_url("/login/?next=/customers/")
    page.locator("#id_username").fill(alice.username)
    page.locator("#id_password").fill("Correct-Horse-42")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url("/customers/")
