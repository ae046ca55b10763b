"""The print stamp laid over a kept document by appending to it: an incremental update.

A kept document is written once, when it is laid out, in a form ready for
stamping (`stampable`): every page draws, after its own content, one form
XObject that all its pages share — an empty placeholder — and the file has a
plain cross-reference table. A printed copy (`stamp_onto`) is the kept file
as it is, followed by an incremental update (ISO 32000-1, 7.5.6) that
replaces the placeholder with the stamp's page and adds the stamp's fonts:
the kept pages are neither parsed nor copied, so a copy costs a few
kilobytes appended, whatever the size of the document.
"""

import functools
import io
import re
import zlib

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)

STAMP_NAME = NameObject("/ArchivePrintStamp")
PLACEHOLDER_MARK = NameObject("/ArchivePrintStampPlaceholder")
TRAILER = re.compile(rb"trailer\s*<<(?P<dict>.*?)>>\s*startxref\s*(?P<xref>\d+)\s*%%EOF\s*$", re.S)
OBJECT_START = re.compile(rb"(\d+) 0 obj\s*$")


class NotStampable(ValueError):
    """A PDF not written by `stampable` (no placeholder, or no plain trailer at its end)."""


def _stream(writer, data):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def stampable(pdf):
    """`pdf` rewritten so that every page draws the shared placeholder form XObject after its
    own content (its graphics state saved and restored around it)."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    placeholder = DecodedStreamObject()
    placeholder.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([NumberObject(0)] * 4),
            PLACEHOLDER_MARK: BooleanObject(True),
        }
    )
    form = writer._add_object(placeholder)
    draw(writer, writer.pages, form)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def draw(writer, pages, form):
    """Make `pages` of `writer` draw `form` as STAMP_NAME after their own content; a page that
    already draws STAMP_NAME (a stampable document's) has only its resource pointed at `form`."""
    pages = [(page, _xobjects(page)) for page in pages]
    drawn = [STAMP_NAME in xobjects for _page, xobjects in pages]  # before any page is changed
    before = after = None
    for (page, xobjects), already in zip(pages, drawn, strict=True):
        xobjects[STAMP_NAME] = form  # pages may share one resource dictionary: set twice, same
        if already:
            continue
        if before is None:
            before = _stream(writer, b"q\n")
            after = _stream(writer, b"\nQ q " + STAMP_NAME.encode() + b" Do Q\n")
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else ArrayObject()
        if not isinstance(contents, ArrayObject):
            contents = ArrayObject([page.raw_get("/Contents")])
        page[NameObject("/Contents")] = ArrayObject([before, *contents, after])


def _xobjects(page):
    resources = page["/Resources"].get_object()
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    return resources["/XObject"].get_object()


def stamp_onto(pdf, stamp):
    """The stampable `pdf` with the first page of `stamp` (a PDF) over every page, appended as an
    incremental update. NotStampable if `pdf` was not made by `stampable`."""
    trailer = TRAILER.search(pdf, max(0, len(pdf) - 4096))
    mark = pdf.rfind(PLACEHOLDER_MARK.encode())
    if trailer is None or mark < 0:
        raise NotStampable
    obj_at = pdf.rfind(b" 0 obj", 0, mark)
    line = pdf.rfind(b"\n", 0, obj_at) + 1
    start = OBJECT_START.match(pdf, line, obj_at + len(b" 0 obj"))
    if start is None:
        raise NotStampable
    placeholder = int(start.group(1))
    entries = _trailer_entries(trailer.group("dict"))
    size = int(entries[b"/Size"])
    objects = _stamp_objects(stamp)

    def number(match):
        i = int(match.group(1))
        return b"%d 0 R" % (placeholder if i == 0 else size + i - 1)

    out = bytearray(pdf)
    if not out.endswith(b"\n"):
        out += b"\n"
    offsets = {}
    for i, (head, data) in enumerate(objects):
        n = placeholder if i == 0 else size + i - 1
        offsets[n] = len(out)
        out += b"%d 0 obj\n%s%s\nendobj\n" % (n, REFERENCE.sub(number, head), data)
    xref_at = len(out)
    out += b"xref\n0 1\n0000000000 65535 f\r\n"  # the head of the free list, as in every section
    for first, count in _runs(sorted(offsets)):
        out += b"%d %d\n" % (first, count)
        for n in range(first, first + count):
            out += b"%010d 00000 n\r\n" % offsets[n]
    entries[b"/Size"] = b"%d" % (size + len(objects) - 1)
    entries[b"/Prev"] = trailer.group("xref")
    fields = b"\n".join(key + b" " + value for key, value in entries.items())
    out += b"trailer\n<<\n%s\n>>\nstartxref\n%d\n%%%%EOF\n" % (fields, xref_at)
    return bytes(out)


# While the stamp's objects wait for their numbers in a document, a reference to the i-th
# reads "(9 000 000 000 + i) 0 R" (the form XObject is the 0th), in their dictionaries only.
TOKEN_BASE = 9_000_000_000
REFERENCE = re.compile(rb"9(\d{9}) 0 R")


@functools.lru_cache(maxsize=32)
def _stamp_objects(stamp):
    """The first page of `stamp` as a form XObject and the objects it needs (its fonts), each as
    (dictionary bytes with reference tokens, stream bytes): read once per stamp."""
    page = PdfReader(io.BytesIO(stamp)).pages[0]
    numbers, objects = {}, []

    def renumbered(obj):
        """A copy of `obj` whose references are tokens for the update's objects."""
        if isinstance(obj, IndirectObject):
            if obj.idnum not in numbers:
                numbers[obj.idnum] = len(objects) + 1
                objects.append(None)
                objects[numbers[obj.idnum] - 1] = renumbered(obj.get_object())
            return IndirectObject(TOKEN_BASE + numbers[obj.idnum], 0, None)
        if isinstance(obj, StreamObject):
            copy = StreamObject()
            copy._data = obj._data
            copy.update({key: renumbered(value) for key, value in dict.items(obj)})
            return copy
        if isinstance(obj, DictionaryObject):
            return DictionaryObject({key: renumbered(value) for key, value in dict.items(obj)})
        if isinstance(obj, ArrayObject):
            return ArrayObject(renumbered(value) for value in list.__iter__(obj))
        return obj

    form = StreamObject()
    form._data = zlib.compress(page.get_contents().get_data())
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/Filter"): NameObject("/FlateDecode"),
            NameObject("/BBox"): ArrayObject(NumberObject(int(v)) for v in page.mediabox),
            NameObject("/Resources"): renumbered(page.raw_get("/Resources")),
        }
    )
    return tuple(_serialized(obj) for obj in [form, *objects])


def _serialized(obj):
    """(dictionary bytes, stream bytes) of a PDF object; a stream's bytes start after its dictionary."""
    if isinstance(obj, StreamObject):
        head = io.BytesIO()
        obj[NameObject("/Length")] = NumberObject(len(obj._data))
        DictionaryObject.write_to_stream(obj, head)
        return head.getvalue(), b"\nstream\n" + obj._data + b"\nendstream"
    body = io.BytesIO()
    obj.write_to_stream(body)
    return body.getvalue(), b""


TRAILER_ENTRY = re.compile(rb"(/Size|/Root|/Info|/ID|/Prev)\s*((?:\d+ \d+ R)|\d+|\[[^\]]*\])")


def _trailer_entries(text):
    """The trailer's entries an update repeats (ISO 32000-1, 7.5.6): {key: value}, as bytes."""
    entries = {key: value for key, value in TRAILER_ENTRY.findall(text)}
    if b"/Size" not in entries or b"/Root" not in entries:
        raise NotStampable
    entries.pop(b"/Prev", None)
    return entries


def _runs(numbers):
    """(first, count) of each run of consecutive `numbers` (sorted)."""
    runs = []
    for n in numbers:
        if runs and runs[-1][0] + runs[-1][1] == n:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((n, 1))
    return runs


def page_count(pdf):
    return len(PdfReader(io.BytesIO(pdf)).pages)
