"""Every page an administrator can open, and each demo user's home page and lists, in Chinese
and in English, in a real browser on a 1366×768 office screen: each reads as finished.

The administrator's pages are the permission matrix's (tests/test_permission_matrix.py: every
named URL the administrator may open, with the records its row makes); each demo user's are
the home page and what its navigation offers, on the demo archive. On each page the walk looks
for: the page scrolling sideways; internals shown as text (a Python object's repr, a UTC
offset, a number in scientific notation, a Python list); a character no font of the page draws
(an emoji: tests/archive_site/test_drawn_characters.py); Chinese left in the English page
outside the archive's data (tests/archive_site/test_english_pages.py's rule); an image, script
or style refused by the Content-Security-Policy or not found. Every problem of every page is
collected before the test fails.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from devtools.management.commands.seed_demo import demo_password
from tests.archive_site.test_demo import DEMO_USERS
from tests.archive_site.test_demo import demo as demo  # noqa: F401, PLC0414 (the fixture)
from tests.archive_site.test_drawn_characters import undrawn
from tests.archive_site.test_english_pages import PAGES, file_words, stored_texts, untranslated
from tests.browser import SCREEN, logged_in_context
from tests.test_permission_matrix import World
from tests.test_permission_matrix import world as world  # noqa: F401, PLC0414 (the fixture)

pytestmark = pytest.mark.e2e

LANGUAGES = ("zh-hans", "en")
# What a page must never show: a Python object's repr, a timestamp in UTC with its offset,
# a number in scientific notation (Decimal's 1E+1, a float's 1e+20), a Python list.
INTERNALS = re.compile(r"object at 0x|\+00:00|\d[eE]\+\d|\['")
# The text a reader sees: the rendered text, and the attributes the browser shows.
SHOWN_TEXT = """() => [
    document.title,
    document.body.innerText,
    ...[...document.querySelectorAll("[placeholder]")].map(el => el.placeholder),
    ...[...document.querySelectorAll("[title]")].map(el => el.title),
    ...[...document.querySelectorAll("input[type=submit], input[type=button]")].map(el => el.value),
    ...[...document.querySelectorAll("img[alt]")].map(el => el.alt),
].join("\\n")"""
# The header's pieces (brand, navigation, search, account, language) and the navigation's
# links: the header is one line when each piece's middle is at the same height.
HEADER_LINES = """() => {
    const header = document.querySelector("header.topbar");
    if (!header) return null;  // a page of its own, such as a print preview
    const middle = el => { const r = el.getBoundingClientRect(); return Math.round(r.top + r.height / 2); };
    return {
        header: [...document.querySelectorAll("header.topbar > *")].map(middle),
        nav: [...document.querySelectorAll("header nav.modules > *")].map(middle),
        height: header.getBoundingClientRect().height,
    };
}"""


def header_problems(page):
    """Why the header is not one line, or None."""
    lines = page.evaluate(HEADER_LINES)
    if lines is None:
        return None
    if len(set(lines["nav"])) > 1 or len(set(lines["header"])) > 1:
        return f"the header takes more than one line ({lines['height']:.0f} px high): {lines}"
    return None


def walk(page, pages, language, quoted, known=None):
    """The problems of every page of `pages` ((name, url)), in `language`. `known`: the
    archive's texts and the files' words, when the caller has read them already."""
    problems = []
    known = known or f"{quoted}\n{stored_texts()}"  # the archive's texts as the walk starts
    refused = []  # what the browser refused or could not load on the current page
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda error: refused.append(f"JavaScript error: {error}"))
    page.on(
        "response",
        lambda r: (
            refused.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type in ("image", "script", "stylesheet", "font")
            else None
        ),
    )
    for name, url in pages:
        where = f"{language} {url} ({name})"
        refused.clear()
        try:
            response = page.goto(url)
        except PlaywrightError as error:  # a file sent as a download (an export, a PDF)
            if "Download is starting" in str(error):
                continue
            raise
        if response.status != 200:
            problems.append(f"{where}: answered {response.status}")
            continue
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue  # a photo, a PDF or the JSON API, shown by the browser as it is
        problems += [f"{where}: {m}" for m in refused]
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > SCREEN["width"]:
            problems.append(f"{where}: the page scrolls sideways ({width} px wide)")
        text = page.evaluate(SHOWN_TEXT)
        for line in text.splitlines():
            if INTERNALS.search(line):
                problems.append(f"{where}: internals shown: {line.strip()[:120]!r}")
        if blanks := undrawn(text):
            problems.append(f"{where}: characters no font of the page draws: {sorted(blanks)}")
        # Chinese runs are looked up in the archive's texts as the walk started, and again as
        # they are now when one is not found there (a record the walk made, an access log entry).
        html = page.content() if language == "en" else ""
        if untranslated(html, known) and (runs := untranslated(html, quoted)):
            problems.append(f"{where}: Chinese in the English UI: {sorted(runs)[:8]}")
        if problem := header_problems(page):
            problems.append(f"{where}: {problem}")
    return problems


@pytest.mark.long
def test_every_page_reads_as_finished_in_chinese_and_english_at_1366(browser, live_server, world: World):
    pages = [(row.name, row.url(world, row.kwargs(world))) for row in PAGES]  # the records, made once
    quoted = file_words()
    problems = []
    admin = world.users["admin"].username
    for language in LANGUAGES:
        context, page = logged_in_context(browser, live_server, admin, language=language)
        try:
            problems += walk(page, pages, language, quoted)
        finally:
            context.close()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(dict.fromkeys(problems))


@pytest.mark.long
def test_each_demo_users_home_page_and_lists_read_as_finished(browser, live_server, demo):
    """What differs by role: the home page's sections (a quality engineer's objections to
    handle, an engineer's plans, a sales user's new demands), the navigation, and the lists'
    columns and buttons. Each demo user's home page and every page its navigation's line
    leads to, on the demo archive's rows, with the same checks. (The administrators' menu
    leads to pages the administrator's walk above has seen.)"""
    quoted = file_words()
    known = f"{quoted}\n{stored_texts()}"
    problems = []
    for username in DEMO_USERS:
        for language in LANGUAGES:
            context, page = logged_in_context(browser, live_server, username, demo_password(), language)
            try:
                links = page.locator("header nav.modules > a").evaluate_all(
                    "as => as.map(a => a.getAttribute('href'))"
                )
                assert reverse("customers:customer-list") in links, (username, links)
                pages = [(username, url) for url in ("/", *links)]
                problems += walk(page, pages, language, quoted, known)
            finally:
                context.close()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(dict.fromkeys(problems))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_header_is_one_line_at_1366_for_the_administrator(browser, live_server, admin_user, language):
    """The administrator sees the most navigation links of every role."""
    context, page = logged_in_context(browser, live_server, admin_user.username, language=language)
    try:
        page.goto("/")
        assert page.locator("html").get_attribute("lang") == language
        assert header_problems(page) is None, header_problems(page)
        accounts = page.locator("#nav-accounts")  # in the administrators' menu, opened by a click
        expect(accounts).to_be_hidden()
        page.locator("header details.menu summary").click()
        accounts.click()
        expect(page.locator("header details.menu summary")).to_have_class("current")
        assert header_problems(page) is None, header_problems(page)
    finally:
        context.close()
