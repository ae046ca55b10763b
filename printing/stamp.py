"""A printed copy: kept documents with the print stamp (who printed it, when) over every page.

The stamp is an A4 page with only the print date (under the sheet's number
and revision) and "打印人：… 打印时间：…" (at the foot), in the margin boxes the
print stylesheet reserves for them, so it lines up with every sheet. It is
laid out by WeasyPrint like the sheets (the user's name may be any Chinese
text, which needs the CJK font) and kept like them, keyed by its HTML, so
the copies one person prints within the same minute share one stamp.

The stamp becomes one form XObject that every page draws after its own
content. A copy of one kept document is that document with the stamp
appended as an incremental update (printing.overlay: nothing of the kept
file is parsed or copied); a copy of several (a batch) is pypdf's work, the
pages copied into one PDF, on the PDF objects only.
"""

import io

from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject, NumberObject

from printing import kept, overlay

STAMP_TEMPLATE = "printing/stamp.html"


def stamp_pdf(printed_by, printed_at=None, style=None):
    """The one-page stamp PDF for a copy printed by `printed_by` at `printed_at` (now)."""
    html = render_to_string(
        STAMP_TEMPLATE, {"printed_by": printed_by, "printed_at": timezone.localtime(printed_at)}
    )
    return kept.kept_pdf(html, style=style)


def printed_copy(documents, stamp, title=""):
    """One PDF of the kept `documents` (PDF bytes, in order) with `stamp` over every page.

    Returns (PDF bytes, [pages of each document]). Each document keeps its
    own page numbers ("第 i 页 共 n 页") and its bookmarks. One document is
    stamped by appending to it (printing.overlay); several are copied into one.
    """
    if len(documents) == 1:
        try:
            return overlay.stamp_onto(documents[0], stamp), [overlay.page_count(documents[0])]
        except overlay.NotStampable:  # kept before documents were written stampable
            pass
    return copied_with_stamp(documents, stamp, title)


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


def copied_with_stamp(documents, stamp, title=""):
    """`printed_copy` by copying every page of `documents` into one new PDF (pypdf) and
    drawing the stamp over each; returns (PDF bytes, [pages of each document])."""
    writer = PdfWriter()
    pages = []
    for pdf in documents:
        reader = PdfReader(io.BytesIO(pdf))
        pages.append(len(reader.pages))
        writer.append(reader)
    overlay.draw(writer, writer.pages, _stamp_form(writer, stamp))
    if title:
        writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), pages
