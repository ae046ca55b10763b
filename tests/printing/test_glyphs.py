"""Every character the archive prints has a real glyph, read from the fonts embedded in the PDF."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

from archive_site.models import DictEntry
from printing.fonts import FONT_FILE, SPACES, SYMBOLS, unicode_range
from printing.pdf import render_html
from tests.printing.conftest import read_pdf
from tests.printing.glyphs import blank_characters, drawn_characters

STATIC = Path(settings.BASE_DIR) / "static"

# What units, requirements and Chinese punctuation put on a sheet.
SIGNS = "℃ ℉ °C μm µm ≤ ≥ ± × ÷ ‰ % ² ³ g/m² N/mm² m³ kN MPa Ω Å – — − ～ · ★ … ①②③ Ⅰ Ⅱ Ⅲ Ⅳ Ⅴ Ⅹ"
PUNCTUATION = "，。、；：？！（）【】《》〈〉「」『』“”‘’—…·～％＋－／＝＜＞＃＠＆"
ELEMENTS = "C Si Mn P S Als Alt Ti Nb V Cr Ni Cu Mo B N O H Ca Sn Pb Zn W Co Zr Sb As Bi Ce La"
PINYIN = "Qīngdǎo Hǎi'ěr Lǜ Nǚ Běijīng"


def sample_document(text):
    chunks = [escape(text[i : i + 40]) for i in range(0, len(text), 40)]
    body = "".join(f"<p>{c}</p><p><b>{c}</b></p>" for c in chunks)
    head = '<head><meta charset="utf-8"></head>'
    return f'<!doctype html><html lang="zh-hans">{head}<body>{body}</body></html>'


def test_every_sign_unit_element_and_dictionary_name_prints_with_a_drawn_glyph(db):
    names = "".join(n + (e or "") for n, e in DictEntry.objects.values_list("name", "name_en"))
    text = SIGNS + PUNCTUATION + ELEMENTS + PINYIN + SYMBOLS + names
    document, fetcher = render_html(sample_document(text))
    pdf = document.write_pdf()

    assert not fetcher.refused
    assert blank_characters(pdf, text) == {}


def test_celsius_comes_from_the_symbol_font_not_the_empty_glyph_of_wenquanyi(db):
    document, _fetcher = render_html(sample_document("均热温度 820 ℃"))
    uses = drawn_characters(document.write_pdf())

    assert all(drawn for _font, drawn in uses["℃"])
    assert all("Archive-Symbols" in font for font, _drawn in uses["℃"])
    assert all("WenQuanYi" in font for font, _drawn in uses["均"])


def test_the_rich_sheet_and_the_process_card_draw_every_character_they_print(rich_customer, login, engineer):
    client = login(engineer)
    for url in (
        reverse("printing:technical-sheet-pdf", args=[rich_customer.rich_part.pk]),
        reverse("printing:process-card-pdf", args=[rich_customer.rich_demand.pk]),
    ):
        pdf = client.post(url).content
        _reader, texts = read_pdf(pdf)
        text = "".join(texts)
        assert "℃" in text  # the plan's temperatures
        assert blank_characters(pdf, text) == {}


def test_the_symbol_font_has_exactly_its_characters_and_both_stylesheets_ask_for_them():
    font = TTFont(STATIC / FONT_FILE)
    cmap = font.getBestCmap()
    glyphs = font.getGlyphSet()
    assert set(SYMBOLS + SPACES) <= {chr(c) for c in cmap}
    for code, glyph in cmap.items():
        pen = BoundsPen(glyphs)
        glyphs[glyph].draw(pen)
        assert (pen.bounds is None) == (chr(code) in SPACES), chr(code)
    for stylesheet in ("printing/print.css", "css/app.css"):
        css = (STATIC / stylesheet).read_text()
        face = re.search(r"@font-face\s*\{[^}]*\}", css).group(0)
        assert '"Archive Symbols"' in face and "../fonts/archive-symbols.ttf" in face
        assert re.search(r"unicode-range:\s*([^;]*);", face).group(1).strip() == unicode_range()
        assert re.search(r'font(?:-family)?:[^;]*?"Archive Symbols"', css.split(face)[1])


def test_the_customer_pickers_magnifier_is_drawn_not_an_emoji(login, alice):
    """An emoji shows as a box where no emoji font is installed; an SVG icon renders everywhere."""
    page = login(alice).get(reverse("customers:demand-create")).content.decode()
    button = re.search(r"<button[^>]*data-picker-open[^>]*>", page).group(0)
    assert "icon-search" in button and "🔍" not in page
    css = (STATIC / "css/app.css").read_text()
    rule = re.search(r"button\.icon-search\s*\{[^}]*\}", css).group(0)
    assert "data:image/svg+xml" in rule
