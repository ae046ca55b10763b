"""A printed copy: kept documents with the print stamp (who printed it, when) over every page.

The stamp is an A4 page with only the print date (under the sheet's number
and revision) and "打印人：… 打印时间：…" (at the foot), in the margin boxes the
print stylesheet reserves for them, so it lines up with every sheet. It is
laid out by WeasyPrint like the sheets (the user's name may be any Chinese
text, which needs the CJK font) and kept like them, keyed by its HTML, so
the copies one person prints within the same minute share one stamp.

Copying pages and adding the stamp is pypdf's work, on the PDF objects
only: the stamp becomes one form XObject that every page draws after its
own content; no page content is parsed or rewritten.
"""

import io

from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
)

from printing import kept

STAMP_TEMPLATE = "printing/stamp.html"
STAMP_NAME = NameObject("/ArchivePrintStamp")


def stamp_pdf(printed_by, printed_at=None, style=None):
    """The one-page stamp PDF for a copy printed by `printed_by` at `printed_at` (now)."""
    html = render_to_string(
        STAMP_TEMPLATE, {"printed_by": printed_by, "printed_at": timezone.localtime(printed_at)}
    )
    return kept.kept_pdf(html, style=style)


def _stream(writer, data):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def _stamp_form(writer, stamp):
    """The stamp's page as a form XObject in `writer`."""
    page = PdfReader(io.BytesIO(stamp)).pages[0]
    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data())
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(NumberObject(int(v)) for v in page.mediabox),
            NameObject("/Resources"): page["/Resources"].clone(writer),
        }
    )
    return writer._add_object(form.flate_encode())


def printed_copy(documents, stamp, title=""):
    """One PDF of the kept `documents` (PDF bytes, in order) with `stamp` over every page.

    Returns (PDF bytes, [pages of each document]). Each document keeps its
    own page numbers ("第 i 页 共 n 页") and its bookmarks.
    """
    writer = PdfWriter()
    pages = []
    for pdf in documents:
        reader = PdfReader(io.BytesIO(pdf))
        pages.append(len(reader.pages))
        writer.append(reader)
    form = _stamp_form(writer, stamp)
    before = _stream(writer, b"q\n")
    after = _stream(writer, b"\nQ q " + STAMP_NAME.encode() + b" Do Q\n")
    stamped = set()
    for page in writer.pages:
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else ArrayObject()
        if not isinstance(contents, ArrayObject):
            contents = ArrayObject([page.raw_get("/Contents")])
        page[NameObject("/Contents")] = ArrayObject([before, *contents, after])
        resources = page["/Resources"].get_object()
        if id(resources) in stamped:  # pages may share one resource dictionary
            continue
        stamped.add(id(resources))
        xobjects = resources.get("/XObject")
        if xobjects is None:
            xobjects = resources[NameObject("/XObject")] = DictionaryObject()
        xobjects.get_object()[STAMP_NAME] = form
    if title:
        writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), pages
