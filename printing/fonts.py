"""The symbol font of the archive: the signs the Chinese system fonts draw as nothing.

WenQuanYi Micro Hei (Debian's fonts-wqy-microhei, the CJK font of the print
documents) maps ℃ and a few other signs to an empty glyph: they print as a
blank, in the PDFs and on the pages of a machine that has no other font.
`static/fonts/archive-symbols.ttf` is a subset of DejaVu Sans (Debian's
fonts-dejavu-core, which setup installs; Bitstream Vera licence, text beside
it) with exactly the characters of `SYMBOLS`, renamed "Archive Symbols" as the
licence asks of a modified font. (Noto Sans CJK SC would match the Chinese
better but has no ∼ or ‾.) The print
stylesheet and the pages' stylesheet name it first, with a `unicode-range` of
these characters, so every other character still comes from the CJK font.

The subset is committed (a few KB), so browsers get it with the static files and
no machine needs more than setup installs. Plain TrueType rather than WOFF2:
WeasyPrint would decompress a WOFF2 on every document (40 ms), and the
pages' browsers cache it once. To rebuild it:

    python -m printing.fonts /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
"""

import sys
from pathlib import Path

FAMILY = "Archive Symbols"
FONT_FILE = "fonts/archive-symbols.ttf"  # a static file, for the pages and the PDFs

# Signs WenQuanYi Micro Hei draws as nothing (℃ ℉, the Ångström sign, ∼ ‾ ˊ ˋ,
# Ⅴ Ⅹ, ǎ ǐ ǒ ǔ ǘ ǚ ǜ), with the rest of their sets, so a Roman numeral or a
# tone-marked pinyin vowel is drawn in one font, not two; and ▾, the arrow of the
# header's menu, which WenQuanYi lacks.
SYMBOLS = "\u25be\u2103\u2109\u212b\u223c\u203e\u02ca\u02cbⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫⅰⅱⅲⅳⅴⅵⅶⅷⅸⅹⅺⅻāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"

# Spaces next to a sign are laid out in the sign's font (Pango keeps them in
# its run): without them the font would print its .notdef box for a space.
SPACES = " \u00a0\u3000"


def unicode_range():
    """The CSS `unicode-range` of SYMBOLS, e.g. "U+2103, U+2109, U+2160-216B"."""
    points = sorted({ord(c) for c in SYMBOLS})
    runs, start = [], points[0]
    for previous, current in zip(points, points[1:] + [None], strict=True):
        if current != previous + 1:
            runs.append(f"U+{start:X}" if start == previous else f"U+{start:X}-{previous:X}")
            start = current
    return ", ".join(runs)


def build(source, out):
    """Subset the font file `source` to SYMBOLS, renamed, as TrueType at `out`."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source)
    options = subset.Options()
    options.layout_features = []  # precomposed signs: nothing to substitute or position
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    options.hinting = False  # a 9-point sign on paper or a 14-pixel one on screen needs no hints
    options.drop_tables += ["MATH", "FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in SYMBOLS + SPACES])
    subsetter.subset(font)
    _add_ideographic_space(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 16):
            names.setName(FAMILY, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 3:
            names.setName(f"{FAMILY};subset of DejaVu Sans", 3, *_ids(record))
        elif record.nameID == 6:
            names.setName("ArchiveSymbols-Regular", 6, *_ids(record))
    font.save(out)


def _add_ideographic_space(font):
    """U+3000, which DejaVu Sans lacks: an empty glyph one em wide."""
    from fontTools.ttLib.tables._g_l_y_f import Glyph

    name = "uni3000"
    font["glyf"].glyphs[name] = Glyph()
    font["hmtx"].metrics[name] = (font["head"].unitsPerEm, 0)
    font.setGlyphOrder([*font.getGlyphOrder(), name])
    font["maxp"].numGlyphs += 1
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap[0x3000] = name


def _ids(record):
    return record.platformID, record.platEncID, record.langID


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "static" / FONT_FILE
    build(sys.argv[1], target)
    print(f"{target}: {target.stat().st_size} bytes, {len(set(SYMBOLS))} characters")
    print(f"unicode-range: {unicode_range()}")
