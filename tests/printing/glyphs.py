"""What a PDF really draws: each character's glyph, read from the font program embedded in the PDF.

A font can map a character to a glyph with no outline (WenQuanYi Micro Hei's
℃): the PDF then has the character in its text layer, so text extraction finds
it, yet the paper shows a blank. Only the embedded font program tells.
"""

import io
import re
import unicodedata

from fontTools.cffLib import CFFFontSet
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


def _to_unicode(cmap_bytes):
    """{character id: text} from a ToUnicode CMap (bfchar and bfrange sections)."""
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap_bytes, re.S):
        codes = HEX.findall(block)
        for src, dst in zip(codes[::2], codes[1::2], strict=True):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap_bytes, re.S):
        for line in block.strip().splitlines():
            parts = HEX.findall(line)
            if len(parts) < 3 or b"[" in line:
                continue
            low, high, dst = int(parts[0], 16), int(parts[1], 16), bytes.fromhex(parts[2].decode())
            first = int.from_bytes(dst, "big")
            for offset, code in enumerate(range(low, high + 1)):
                mapping[code] = (first + offset).to_bytes(len(dst), "big").decode("utf-16-be")
    return mapping


class EmbeddedFont:
    """One embedded font program: glyph id → does it draw anything."""

    def __init__(self, name, descriptor):
        self.name = name
        if "/FontFile2" in descriptor:  # TrueType
            data = descriptor["/FontFile2"].get_object().get_data()
            self.font = TTFont(io.BytesIO(data))
            self.glyph_order = self.font.getGlyphOrder()
            self.glyphs = self.font.getGlyphSet()
        else:  # FontFile3: OpenType or bare CFF
            stream = descriptor["/FontFile3"].get_object()
            data = stream.get_data()
            if stream.get("/Subtype") == "/OpenType":
                self.font = TTFont(io.BytesIO(data))
                self.glyph_order = self.font.getGlyphOrder()
                self.glyphs = self.font.getGlyphSet()
            else:
                cff = CFFFontSet()
                cff.decompile(io.BytesIO(data), None)
                top = cff[cff.fontNames[0]]
                self.glyph_order = top.charset
                self.glyphs = top.CharStrings

    def draws(self, gid):
        if gid >= len(self.glyph_order):
            return False
        pen = BoundsPen(self.glyphs)
        self.glyphs[self.glyph_order[gid]].draw(pen)
        return pen.bounds is not None


def _fonts(resources, seen_forms):
    """The fonts of a resource dictionary and of the form XObjects it names (the print stamp is one)."""
    resources = resources.get_object()
    yield from resources.get("/Font", {}).values()
    for ref in resources.get("/XObject", {}).values():
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject and id(xobject) not in seen_forms:
            seen_forms.add(id(xobject))
            yield from _fonts(xobject["/Resources"], seen_forms)


def drawn_characters(pdf_bytes):
    """{character: [(font name, draws something)]} for every character the PDF's fonts print."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    seen, seen_forms, answer = set(), set(), {}
    for page in reader.pages:
        for ref in _fonts(page["/Resources"], seen_forms):
            font = ref.get_object()
            key = ref.idnum if hasattr(ref, "idnum") else id(font)
            if key in seen:
                continue
            seen.add(key)
            assert font["/Subtype"] == "/Type0", f"unexpected font type {font['/Subtype']}"
            descendant = font["/DescendantFonts"][0].get_object()
            program = EmbeddedFont(str(descendant["/BaseFont"]), descendant["/FontDescriptor"].get_object())
            cid_to_gid = descendant.get("/CIDToGIDMap", "/Identity")
            gid_map = None
            if cid_to_gid != "/Identity":
                raw = cid_to_gid.get_object().get_data()
                gid_map = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
            for cid, text in _to_unicode(font["/ToUnicode"].get_object().get_data()).items():
                gid = gid_map[cid] if gid_map is not None and cid < len(gid_map) else cid
                for char in text:
                    answer.setdefault(char, []).append((program.name, program.draws(gid)))
    return answer


def blank_characters(pdf_bytes, expected):
    """The characters of `expected` the PDF does not print with a drawn glyph (spaces aside)."""
    drawn = drawn_characters(pdf_bytes)
    blank = {}
    for char in sorted(set(expected)):
        if unicodedata.category(char) in ("Zs", "Cc", "Cf"):
            continue
        uses = drawn.get(char)
        if not uses:
            blank[char] = "not in any embedded font"
        elif not all(ok for _name, ok in uses):
            blank[char] = "empty glyph in " + ", ".join(name for name, ok in uses if not ok)
    return blank
