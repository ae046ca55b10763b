"""Every character of the pages' own texts is drawn on every screen, without an emoji font.

The pages' font list (static/css/app.css) names the archive's served symbol font first,
then the Chinese system fonts. A character neither draws (an emoji such as 📷, a sign
the CJK fonts lack such as ▾) falls to whatever else the machine has: an empty box in
headless Chromium, on a server's browser or on an office PC without an emoji font.
WenQuanYi Micro Hei, the CJK font setup installs, stands for the system fonts here; an
icon is drawn as an SVG in the stylesheet (the magnifier, the camera), a missing sign is
added to the symbol font (printing/fonts.py).

The check reads the texts the pages are made of: templates, stylesheets and scripts, and
the translations (every string the code marks for translation, Chinese and English).
tests/e2e/test_every_page.py checks the text the pages show, data included, the same way.
"""

import subprocess
import unicodedata
from functools import cache
from pathlib import Path

from django.conf import settings
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

from printing.fonts import FONT_FILE

BASE = Path(settings.BASE_DIR)
CJK_FONT = "WenQuanYi Micro Hei"
SOURCES = ("templates/**/*.html", "static/**/*.css", "static/**/*.js", "locale/*/LC_MESSAGES/*.po")


@cache
def _fonts():
    """The served symbol font and the CJK system font: (character map, glyphs) of each."""
    found = subprocess.run(
        ["fc-list", "-f", "%{file}|%{index}\n", CJK_FONT], capture_output=True, text=True, check=True
    ).stdout.split()
    assert found, f"{CJK_FONT} is not installed (scripts/setup-system.sh installs it)"
    path, index = found[0].split("|")
    fonts = (TTFont(BASE / "static" / FONT_FILE), TTFont(path, fontNumber=int(index)))
    return [(font.getBestCmap(), font.getGlyphSet()) for font in fonts]


@cache
def drawn(c):
    """Whether one of the fonts maps `c` to a glyph with an outline."""
    for cmap, glyphs in _fonts():
        if ord(c) in cmap:
            pen = BoundsPen(glyphs)
            glyphs[cmap[ord(c)]].draw(pen)
            if pen.bounds is not None:
                return True
    return False


def undrawn(text):
    """The characters of `text` no font of the page draws (spaces and controls draw nothing)."""
    return {c for c in set(text) if not c.isspace() and unicodedata.category(c)[0] != "C" and not drawn(c)}


def test_the_pages_own_texts_use_only_characters_the_fonts_draw():
    found = {}
    for pattern in SOURCES:
        for path in sorted(BASE.glob(pattern)):
            for c in undrawn(path.read_text()):
                found.setdefault(f"U+{ord(c):04X} {c} {unicodedata.name(c, '?')}", []).append(
                    str(path.relative_to(BASE))
                )
    assert not found, found


def test_an_emoji_is_caught_and_the_symbol_fonts_signs_pass():
    assert undrawn("照片 📷 ✅") == {"📷", "✅"}
    assert undrawn("均热温度 820 ℃，Ⅱ 级，菜单 ▾") == set()
