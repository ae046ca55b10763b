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

A document printed often (the technical sheet) is keyed without its HTML,
by what the HTML is made of (`content_key`): every column of every row it
prints, digested by PostgreSQL in one query, with the templates, template
tags, model code and translations that turn them into HTML, the language,
and the style files. Printing it again then reads neither its records nor
its template. Over-inclusion is harmless (a change to a column the sheet
does not show lays it out once more); a row left out would not be, so the
rows are listed next to the builder that reads them.

The documents live in the default storage (`printing/kept/…`), shared by
every app server and worker; who printed a copy and when is laid over the
kept document per copy (printing.stamp).
"""

import functools
import hashlib
import inspect
import os
from pathlib import Path

import weasyprint
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.template.loader import get_template
from django.utils.translation import get_language

from printing import overlay, parallel
from printing.pdf import read_static, render_html, static_path, style_files

FOLDER = "printing/kept"
PDF_END = b"%%EOF"
# How a kept document is written: a new one lays every document out again once.
FORMAT = "stampable-1"  # printing.overlay.stampable


def style_digest():
    """What shapes every document besides its HTML: WeasyPrint's version and the style files.

    Read again only when a file's size or time of change differs from the last read.
    """
    return _style_digest(tuple(_signature(static_path(name)) for name in style_files()))


def _signature(path):
    stat = os.stat(path)
    return (str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _style_digest(_signatures):
    digest = hashlib.sha256(weasyprint.__version__.encode())
    for name in style_files():
        digest.update(name.encode() + b"\0" + read_static(name) + b"\0")
    return digest.hexdigest()


def document_key(html, style=None):
    return hashlib.sha256(f"{FORMAT}\0{style or style_digest()}\0{html}".encode()).hexdigest()


def code_digest(template, modules):
    """What turns records into a document's HTML besides the records: the print templates (every
    file in `template`'s folder), the source files of `modules` (template tags, the models'
    display properties), and the compiled translation catalogues.

    Files are read again only when one's size or time of change differs from the last read.
    """
    folder = Path(get_template(template).origin.name).parent
    paths = sorted(folder.iterdir())
    paths += sorted({Path(inspect.getsourcefile(module)) for module in modules})
    for locale in settings.LOCALE_PATHS:
        paths += sorted(Path(locale).glob("*/LC_MESSAGES/django.mo"))
    return _files_digest(tuple(_signature(p) for p in paths if p.is_file()))


@functools.lru_cache(maxsize=32)
def _files_digest(signatures):
    digest = hashlib.sha256()
    for path, _mtime, _size in signatures:
        digest.update(path.encode() + b"\0" + Path(path).read_bytes() + b"\0")
    return digest.hexdigest()


def rows_digest(querysets):
    """A digest of every column of every row of `querysets`, made by PostgreSQL in one query.

    Each queryset's rows are digested as a set (sorted by their text): the order
    a document shows them in follows from their columns (sort order, dates, ids).
    """
    if not querysets:
        return ""
    selects, params = [], []
    for qs in querysets:
        if not qs.query.is_sliced:
            qs = qs.order_by()  # sorted by their text below: no ordering to compile
        sql, qs_params = qs.query.sql_with_params()
        selects.append(f"(SELECT md5(string_agg(r::text, E'\\n' ORDER BY r::text)) FROM ({sql}) r)")
        params.extend(qs_params)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(selects)}", params)
        return "\0".join(d or "" for d in cursor.fetchone())


def content_key(template, querysets, modules=()):
    """The key of the document `template` makes of the rows of `querysets` (see the module's
    docstring): found again as long as none of them, nor the code, language or style, changes."""
    models = {inspect.getmodule(qs.model) for qs in querysets}
    parts = [
        FORMAT,
        template,
        code_digest(template, [*modules, *sorted(models, key=lambda m: m.__name__)]),
        style_digest(),
        get_language() or "",
        str(settings.MILL_NAME),
        settings.MEDIA_URL,
        settings.TIME_ZONE,
        rows_digest(querysets),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


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
    jobs = {i: (keys[i], *items[i]) for i, pdf in enumerate(pdfs) if pdf is None}
    return lay_out(pdfs, jobs, processes=processes, progress=progress)


def lay_out(pdfs, jobs, *, processes=1, progress=None):
    """`pdfs` (kept documents, None where missing) completed by `jobs`, {index: (key, html, media
    names)}: laid out on up to `processes` processes and kept under their key (not kept when
    the key is None). `progress(done, total)` is called as documents are ready."""
    pdfs = list(pdfs)
    done = len(pdfs) - len(jobs)
    if progress:
        progress(done, len(pdfs))
    order = list(jobs)
    for j, pdf in parallel.run(_render_and_keep, [jobs[i] for i in order], processes):
        pdfs[order[j]] = pdf
        done += 1
        if progress:
            progress(done, len(pdfs))
    return pdfs


def _render_and_keep(key, html, media_names):
    pdf = overlay.stampable(render(html, media_names))
    if key is not None:
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
