"""WeasyPrint reads the app's own files from storage and nothing else."""

import http.server
import os
import threading
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.templatetags.static import static

from printing.pdf import BASE_URL, FetchRefused, PrintFetcher, media_url, render_html
from tests.printing.conftest import read_pdf

CSS = "printing/print.css"


@pytest.fixture
def listener():
    """A real HTTP server on this machine that counts the requests it receives."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def stored_photo(db):
    name = default_storage.save("printing-test/photo.jpg", ContentFile(b"\xff\xd8\xff fake jpeg"))
    yield name
    default_storage.delete(name)


def test_serves_the_apps_own_static_files():
    fetcher = PrintFetcher()
    response = fetcher(BASE_URL.rstrip("/") + static(CSS))
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


def test_serves_only_the_media_files_the_document_names(stored_photo):
    assert PrintFetcher(media_names=[stored_photo])(media_url(stored_photo)).read().startswith(b"\xff\xd8")
    with pytest.raises(FetchRefused):
        PrintFetcher()(media_url(stored_photo))


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/x.png",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://example.com/etc/passwd",
        "ftp://example.com/x.png",
        "data:text/plain,hello",
        "//example.com/x.png",
        "http://print.invalid.example.com/static/printing/print.css",
        "http://print.invalid/etc/passwd",
        "http://print.invalid/static/../../../../etc/passwd",
        "http://print.invalid/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "http://print.invalid/static/printing/../../archive_site/settings.py",
        "http://print.invalid/media/../archive_site/settings.py",
        "http://print.invalid/media/%2Fetc%2Fpasswd",
        "http://print.invalid/static/printing/missing.css",
    ],
)
def test_refuses_everything_else(url, db):
    fetcher = PrintFetcher()
    with pytest.raises(FetchRefused):
        fetcher(url)
    assert fetcher.refused == [url]
    assert not fetcher.served


def test_file_urls_inside_the_static_folders_are_read_outside_refused(tmp_path):
    from django.contrib.staticfiles import finders

    css = Path(finders.find(CSS))
    assert PrintFetcher()(css.as_uri()).read().startswith(b"/*")
    with pytest.raises(FetchRefused):
        PrintFetcher()(Path(__file__).resolve().as_uri())


def test_a_symlink_in_media_cannot_lead_outside(settings, stored_photo):
    link = Path(settings.MEDIA_ROOT) / "printing-test" / "passwd.jpg"
    os.symlink("/etc/passwd", link)
    try:
        for url in (media_url("printing-test/passwd.jpg"), link.as_uri()):
            fetcher = PrintFetcher(media_names=["printing-test/passwd.jpg"])
            with pytest.raises(FetchRefused):
                fetcher(url)
    finally:
        link.unlink()


def test_a_document_naming_outside_urls_fetches_nothing(listener, db):
    origin, hits = listener
    html = f"""<!doctype html><html><head>
      <link rel="stylesheet" href="{origin}/evil.css">
      <link rel="stylesheet" href="{static(CSS)}">
      <style>@import url("{origin}/imported.css");
             body {{ background: url("{origin}/background.png"); }}
             @font-face {{ font-family: X; src: url("{origin}/font.ttf"); }}</style>
      </head><body>
      <p>技术单</p>
      <img src="http://example.com/x.png">
      <img src="file:///etc/passwd">
      <img src="{origin}/x.png">
      <img src="/etc/passwd">
      </body></html>"""
    document, fetcher = render_html(html)
    _reader, texts = read_pdf(document.write_pdf())

    assert "技术单" in texts[0]
    assert hits == []  # the server on this machine was never asked for anything
    assert set(fetcher.refused) >= {
        f"{origin}/evil.css",
        f"{origin}/imported.css",
        f"{origin}/background.png",
        f"{origin}/font.ttf",
        "http://example.com/x.png",
        "file:///etc/passwd",
        f"{origin}/x.png",
        "http://print.invalid/etc/passwd",
    }
    assert fetcher.served == [BASE_URL.rstrip("/") + static(CSS)]


def test_user_text_with_markup_fetches_nothing(listener, alices_customer, login, alice):
    """A demand whose text holds an <img> pointing out: printed as text, never fetched."""
    from tests.factories import make_demand

    origin, hits = listener
    demand = make_demand(
        alices_customer,
        special_requirements=f'<img src="{origin}/track.png"><link rel="stylesheet" href="{origin}/x.css">',
    )
    from django.urls import reverse

    response = login(alice).post(reverse("printing:process-card-pdf", args=[demand.pk]))
    _reader, texts = read_pdf(response.content)
    assert f'<img src="{origin}/track.png">' in "".join(texts).replace("\n", "")
    assert hits == []
