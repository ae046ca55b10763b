"""Laid-out documents kept for reuse, in Django storage, keyed by the content that makes them.

Laying a sheet out is what a print costs (WeasyPrint's layout of this
document, not fonts or the database). A sheet's PDF without its print stamp
is a pure function of its HTML, the print stylesheet with its font, and the
photos the HTML names; so the PDF is kept under the SHA-256 of exactly these
and found again whenever the same HTML comes back. Anything printed on it
that changes — a record, a dictionary name, the language, the template, the
stylesheet — changes the HTML or the style files and so the key: there is
nothing to expire and nothing to invalidate. Photos are never changed in
place (a new upload has a new name), so their names stand for their content.

The documents live in the default storage (`printing/kept/…`), shared by
every app server and worker; who printed a copy and when is laid over the
kept document per copy (printing.stamp).
"""

import hashlib

import weasyprint
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from printing import parallel
from printing.pdf import read_static, render_html, style_files

FOLDER = "printing/kept"
PDF_END = b"%%EOF"


def style_digest():
    """What shapes every document besides its HTML: WeasyPrint's version and the style files."""
    digest = hashlib.sha256(weasyprint.__version__.encode())
    for name in style_files():
        digest.update(name.encode() + b"\0" + read_static(name) + b"\0")
    return digest.hexdigest()


def document_key(html, style=None):
    return hashlib.sha256(f"{style or style_digest()}\0{html}".encode()).hexdigest()


def storage_name(key):
    return f"{FOLDER}/{key[:2]}/{key}.pdf"


def find(key):
    """The kept PDF of `key`, or None. A file still being written (no end marker yet) is not found."""
    name = storage_name(key)
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as f:
        pdf = f.read()
    return pdf if PDF_END in pdf[-32:] else None


def keep(key, pdf):
    """Store `pdf` under `key`. Of two processes keeping the same document, the first one's stays."""
    name = storage_name(key)
    if default_storage.exists(name):
        return
    saved = default_storage.save(name, ContentFile(pdf))
    if saved != name:  # another process kept it meanwhile: the same bytes under the same key
        default_storage.delete(saved)


def render(html, media_names=()):
    """Lay out and write `html` as a PDF (no lookup, nothing kept)."""
    document, _fetcher = render_html(html, media_names=media_names)
    return document.write_pdf()


def kept_pdf(html, media_names=(), style=None):
    """The PDF of `html`: the kept one, or laid out now and kept."""
    key = document_key(html, style)
    pdf = find(key)
    if pdf is None:
        pdf = render(html, media_names)
        keep(key, pdf)
    return pdf


def kept_pdfs(items, *, style=None, processes=1, progress=None):
    """The PDFs of `items`, (html, media names) pairs, in order: the kept ones found, the
    others laid out — on up to `processes` processes when more than one is missing — and kept.

    `progress(done, total)` is called as documents are ready.
    """
    style = style or style_digest()
    keys = [document_key(html, style) for html, _names in items]
    pdfs = [find(key) for key in keys]
    missing = [i for i, pdf in enumerate(pdfs) if pdf is None]
    done = len(items) - len(missing)
    if progress:
        progress(done, len(items))
    jobs = [(keys[i], *items[i]) for i in missing]
    for j, pdf in parallel.run(_render_and_keep, jobs, processes):
        pdfs[missing[j]] = pdf
        done += 1
        if progress:
            progress(done, len(items))
    return pdfs


def _render_and_keep(key, html, media_names):
    pdf = render(html, media_names)
    keep(key, pdf)
    return pdf


def prune(older_than):
    """Delete the kept documents and stamps last written before `older_than` (an aware datetime).

    A kept document is never wrong, only unused once what is printed on it
    has changed; one still in use is laid out again at its next print.
    Returns the number of files deleted.
    """
    deleted = 0
    try:
        folders, _files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    for folder in folders:
        for name in default_storage.listdir(f"{FOLDER}/{folder}")[1]:
            path = f"{FOLDER}/{folder}/{name}"
            if default_storage.get_modified_time(path) < older_than:
                default_storage.delete(path)
                deleted += 1
    return deleted
