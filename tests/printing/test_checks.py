"""The system checks say when Chinese PDFs would print as boxes, or slowly."""

from django.core import checks

from printing import checks as printing_checks


def ids(messages):
    return {m.id for m in messages}


def test_the_set_up_machine_passes_the_printing_checks():
    messages = checks.run_checks()
    assert not ids(messages) & {"printing.W001", "printing.W002", "printing.W003"}
    assert "WenQuanYi Micro Hei" in printing_checks.cjk_families()
    assert printing_checks.has_harfbuzz_subset()


def test_no_cjk_font_is_a_warning(tmp_path, monkeypatch):
    """fontconfig pointed at an empty font folder: as on a fresh machine without the setup."""
    (tmp_path / "fonts").mkdir()
    config = tmp_path / "fonts.conf"
    config.write_text(
        f"<?xml version='1.0'?><fontconfig><dir>{tmp_path / 'fonts'}</dir>"
        f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    messages = printing_checks.check_printing()
    assert "printing.W001" in ids(messages)
    assert "fonts-wqy-microhei" in next(m.hint for m in messages if m.id == "printing.W001")


def test_missing_harfbuzz_subset_is_a_warning(monkeypatch):
    monkeypatch.setattr(printing_checks, "has_harfbuzz_subset", lambda: False)
    messages = printing_checks.check_printing()
    assert ids(messages) == {"printing.W002"}
    assert "libharfbuzz-subset0" in messages[0].hint
