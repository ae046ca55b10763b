"""System checks for printing: a CJK font for Chinese PDFs, HarfBuzz's subsetter for speed.

Without a CJK font WeasyPrint prints Chinese as missing-glyph boxes; without
libharfbuzz-subset it subsets fonts with fontTools, which for a CJK font takes
seconds per sheet instead of hundredths (DESIGN.md, "Facts measured").
`scripts/setup-system.sh` installs both (fonts-wqy-microhei, libharfbuzz-subset0).
"""

import ctypes.util
import shutil
import subprocess

from django.core.checks import Warning, register
from django.utils.translation import gettext_lazy as _

# In the order of the print stylesheet's font-family list (static/printing/print.css).
PREFERRED_FONT = "WenQuanYi Micro Hei"
CJK_HINTS = ("wenquanyi", "cjk", "han sans", "han serif", "droid sans fallback", "ar pl", "yahei", "pingfang")
SETUP = "scripts/setup-system.sh"


def cjk_families():
    """Families of the installed fonts that cover Chinese, as fontconfig reports them."""
    if shutil.which("fc-list"):
        result = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=10, check=False
        )
        names = (name.strip() for line in result.stdout.splitlines() for name in line.split(","))
        return {name for name in names if name}
    return _matched_family()


def _matched_family():
    """Without fc-list: ask fontconfig (through WeasyPrint's bindings) for its best Chinese font."""
    from weasyprint.text.ffi import ffi, fontconfig

    config = fontconfig.FcInitLoadConfigAndFonts()
    pattern = fontconfig.FcPatternCreate()
    try:
        fontconfig.FcPatternAddString(pattern, b"lang", b"zh-cn")
        fontconfig.FcConfigSubstitute(config, pattern, 0)  # FcMatchPattern
        fontconfig.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        match = fontconfig.FcFontMatch(config, pattern, result)
        if match == ffi.NULL:
            return set()
        family = ffi.new("FcChar8 **")
        fontconfig.FcPatternGetString(match, b"family", 0, family)
        name = ffi.string(family[0]).decode() if family[0] != ffi.NULL else ""
        fontconfig.FcPatternDestroy(match)
    finally:
        fontconfig.FcPatternDestroy(pattern)
        fontconfig.FcConfigDestroy(config)
    return {name} if any(hint in name.lower() for hint in CJK_HINTS) else set()


def has_harfbuzz_subset():
    return ctypes.util.find_library("harfbuzz-subset") is not None


@register()
def check_printing(app_configs=None, **kwargs):
    warnings = []
    families = cjk_families()
    if not families:
        warnings.append(
            Warning(
                _("没有找到中文（CJK）字体：技术单和工艺卡的 PDF 中的中文将显示为方框。"),
                hint=_("运行 %(setup)s，或安装 fonts-wqy-microhei。") % {"setup": SETUP},
                id="printing.W001",
            )
        )
    elif PREFERRED_FONT not in families:
        warnings.append(
            Warning(
                _("没有找到 %(font)s，PDF 将使用 %(other)s，字体子集化较慢。")
                % {"font": PREFERRED_FONT, "other": "、".join(sorted(families)[:3])},
                hint=_("安装 fonts-wqy-microhei。"),
                id="printing.W003",
            )
        )
    if not has_harfbuzz_subset():
        warnings.append(
            Warning(
                _(
                    "没有找到 libharfbuzz-subset：WeasyPrint 将用 fontTools 子集化中文字体，"
                    "每页 PDF 需要数秒。"
                ),
                hint=_("运行 %(setup)s，或安装 libharfbuzz-subset0。") % {"setup": SETUP},
                id="printing.W002",
            )
        )
    return warnings
