"""Browser-test fixtures, shared by every folder (registered in tests/conftest.py):
Playwright driving Debian's headless Chromium against a live server.

Fixtures:
- `browser` (session): one Chromium for the whole run.
- `page`: a fresh browser context (cookies, storage) and page per test, pointed at
  pytest-django's `live_server`, Chinese UI (zh-CN), a 1366×768 office screen.
- `logged_in_page(user)`: logs `user` in through the real login form, returns the page.
- `logged_in_context(browser, live_server, username, ...)`: a context of its own, logged in
  through the login form, for a test that walks as several users or languages one by one;
  JavaScript errors of its pages are collected in `context.errors`. The caller closes it.
- `image_widths(locator)`: waits for every matched image to load, returns their natural
  widths (0 for an image the browser could not load). Reading `naturalWidth` without
  waiting races with the image's own request.

Write URLs relative to the live server (`page.goto("/customers/")`). Mark tests
`@pytest.mark.e2e`. There is one `browser` for the whole run: Playwright's sync API
refuses to start a second one in the same thread. When a test fails, every page of its
context is saved as a screenshot under /tmp and the path is added to the failure.
"""

import contextlib
import os
import re
import tempfile
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect, sync_playwright

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"  # Debian's package, installed by scripts/setup-system.sh
CHROMIUM_ARGS = [
    # No network on the test machines: these avoid waits on background services.
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREEN = {"width": 1366, "height": 768}
TIMEOUT_MS = 5000  # a step that takes longer than this is a failure, not a slow pass
SCREENSHOTS = Path(tempfile.gettempdir())


def choose_files(page, selector, files):
    """Choose `files` in the file input `selector` once the page has loaded. The scripts that
    react to a choice (photos.js's previews, imports.js's checks) are deferred: files chosen
    while the page is still loading fire a change event nobody listens to yet."""
    page.wait_for_load_state("load")
    page.locator(selector).set_input_files(files)


def image_widths(locator):
    """The natural widths of the images `locator` matches, once each has loaded or failed."""
    return locator.evaluate_all(
        "imgs => Promise.all(imgs.map((img) => img.decode().then(() => img.naturalWidth, () => 0)))"
    )


def logged_in_context(browser, live_server, username, password=PASSWORD, language=None):
    """(context, page): `username` logged in through the login form in a new context, in
    `language` (the language cookie) or the browser's Chinese."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=SCREEN)
    context.set_default_timeout(TIMEOUT_MS)
    if language:
        cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}
        context.add_cookies([cookie])
    context.errors = []
    page = context.new_page()
    page.on("pageerror", lambda error: context.errors.append(str(error)))
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form .actions button").click()
    page.locator("header .account").wait_for()
    return context, page


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an asyncio loop in this thread; Django's ORM refuses
    # to run under a running loop unless told it is safe (it is: the loop is idle).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def warm_live_server(live_server, django_db_setup, django_db_blocker):
    """The live server, after one first request: its first answer (URL, template and
    translation loading) can take longer than a step may, on a slow machine."""
    with django_db_blocker.unblock(), urllib.request.urlopen(f"{live_server.url}/login/", timeout=60) as r:
        r.read()
    return live_server


@pytest.fixture
def page(browser, warm_live_server, request):
    live_server = warm_live_server
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=SCREEN)
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    request.node.browser_context = context  # for the screenshot on failure
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    # No request of the page (a thumbnail, a fetch) still served by the live server while the
    # test's database is emptied after it: its query and the flush deadlocked once.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_load_state("networkidle", timeout=5000)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def logged_in_page(page):
    """`logged_in_page(user)`: `page`, with `user` logged in through the login form."""

    def log_in(user, password=PASSWORD):
        page.goto("/login/")
        page.locator("#id_username").fill(user.username)
        page.locator("#id_password").fill(password)
        page.get_by_role("button", name="登录", exact=True).click()
        expect(page.locator("header .account")).to_contain_text(str(user))
        return page

    return log_in


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    context = getattr(item, "browser_context", None)
    if report.when == "call" and report.failed and context is not None:
        name = re.sub(r"[^\w.-]+", "_", item.nodeid.split("::", 1)[-1])
        paths = []
        for i, open_page in enumerate(context.pages):
            path = SCREENSHOTS / f"e2e-{name}-{i}.png"
            try:
                open_page.screenshot(path=path, full_page=True)
            except Exception as error:  # a crashed page must not hide the real failure
                paths.append(f"(no screenshot: {error})")
            else:
                paths.append(str(path))
        text = "\n".join(paths) or "(no page open)"
        if hasattr(report.longrepr, "addsection"):
            report.longrepr.addsection("screenshot", text)
        else:
            report.sections.append(("screenshot", text))
    return report
