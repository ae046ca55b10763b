"""Refused and failed requests get the app's own pages, in its layout and language, without internals;
the log keeps one line for a refusal and a traceback only for a real error; nothing the views send
stays in a browser's cache."""

import io
import logging

import pytest
from django.test import Client
from django.urls import reverse

from archive_site.log import OneLineForRefusals
from tests.factories import make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = "tests.archive_site.failing_urls"


def client_of(user, language=None, **kwargs):
    client = Client(raise_request_exception=False, **kwargs)
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client


def page(response):
    return response.content.decode()


def in_layout(html):
    """The app's layout: its header with the navigation, and no Django page or internals."""
    return (
        'class="topbar"' in html and 'id="nav-' in html and "Traceback" not in html and "Django" not in html
    )


def test_a_record_outside_the_users_scope_says_it_is_not_found_or_not_visible(alice, bobs_customer):
    response = client_of(alice).get(reverse("customers:customer-detail", args=[bobs_customer.pk]))
    assert response.status_code == 404
    html = page(response)
    assert in_layout(html)
    assert "这个页面或记录不存在，或者不在您可查看的范围内" in html
    assert bobs_customer.name not in html


def test_the_not_found_page_speaks_english_to_who_chose_it(alice, bobs_customer):
    response = client_of(alice, "en").get(reverse("customers:customer-detail", args=[bobs_customer.pk]))
    html = page(response)
    assert response.status_code == 404 and in_layout(html)
    assert "does not exist, or is not visible to you" in html


def test_a_refused_page_says_the_role_may_not(viewer):
    response = client_of(viewer).get(reverse("customers:customer-create"))
    assert response.status_code == 403
    html = page(response)
    assert in_layout(html) and "没有执行这个操作或查看这个页面的权限" in html


def test_unusable_input_gets_the_bad_request_page(alice):
    response = client_of(alice).get(reverse("customers:customer-list"), {"q": "福田\x00"})
    assert response.status_code == 400
    html = page(response)
    assert in_layout(html) and "没有保存任何内容" in html


def test_a_server_error_gets_the_error_page_without_internals(alice, failing_urls):
    response = client_of(alice).get("/test/broken/")
    assert response.status_code == 500
    html = page(response)
    assert in_layout(html) and "系统处理这个请求时出错" in html
    assert "secret internals" not in html and "RuntimeError" not in html


def test_an_outdated_form_gets_the_refused_page_with_what_to_do(alice):
    client = client_of(alice, enforce_csrf_checks=True)
    response = client.post(reverse("customers:customer-create"), {"name": "x"})
    assert response.status_code == 403
    html = page(response)
    assert in_layout(html) and "表单已过期" in html


def test_a_lost_database_connection_is_a_503_page_or_json_with_retry_after(alice, failing_urls):
    client = client_of(alice)
    response = client.get("/test/database-gone/", HTTP_ACCEPT="text/html")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "系统暂时不可用" in page(response) and "socket" not in page(response)
    response = client.get("/quality/api/database-gone")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json() == {"error": "数据库暂时不可用，请稍后重试。", "status": 503}


# The log -------------------------------------------------------------------------------


@pytest.fixture
def log():
    """What the configured console handler writes, as the operator reads it."""
    [handler] = [
        h for h in logging.getLogger().handlers if any(isinstance(f, OneLineForRefusals) for f in h.filters)
    ]
    out = io.StringIO()
    previous = handler.setStream(out)
    yield out
    handler.setStream(previous)


def test_a_refused_request_is_logged_in_one_line(viewer, log):
    client_of(viewer).get(reverse("customers:customer-create"))
    client_of(viewer).get(reverse("customers:customer-list"), {"q": "\x00"})
    lines = log.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert "Forbidden (Permission denied): /customers/new/" in lines[0]
    assert "Request contains a NUL character" in lines[1]
    assert "Traceback" not in log.getvalue()


def test_a_real_error_is_logged_with_its_traceback(alice, failing_urls, log):
    client_of(alice).get("/test/broken/")
    assert "Internal Server Error: /test/broken/" in log.getvalue()
    assert "Traceback" in log.getvalue() and "RuntimeError: secret internals" in log.getvalue()


def test_a_database_outage_is_logged_in_one_line_per_request(alice, failing_urls, log):
    client = client_of(alice)
    for _ in range(3):
        client.get("/test/database-gone/")
    lines = log.getvalue().splitlines()
    assert len(lines) == 3 and "Traceback" not in log.getvalue()
    assert all("/test/database-gone/" in line and "OperationalError" in line for line in lines)


# Browser caches ------------------------------------------------------------------------


def test_nothing_the_views_send_is_kept_in_a_browser_cache(alice, alices_customer, tmp_path):
    from django.core.files.base import ContentFile

    from customers.models import CustomerDocument

    make_contact(alices_customer, name="刘工", mobile="13812345678")
    document = CustomerDocument(customer=alices_customer, kind="drawing", title="图纸")
    document.file.save("drawing.pdf", ContentFile(b"%PDF-1.4 drawing"), save=True)
    client = client_of(alice)
    for url in [
        reverse("customers:customer-detail", args=[alices_customer.pk]),
        reverse("customers:customer-export"),
        reverse("customers:document-download", args=[document.pk]),
        reverse("customers:customer-picker") + "?q=海尔",
        reverse("customers:customer-detail", args=[999_999]),
    ]:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        assert response["Cache-Control"] == "private, no-store", url


def test_static_files_are_still_cached(alice):
    response = client_of(alice).get("/static/css/app.css")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert "no-store" not in response.get("Cache-Control", "")
