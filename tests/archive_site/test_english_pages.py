"""Every page an administrator can open, in English: no Chinese left but the archive's own data.

The pages are the permission matrix's (tests/test_permission_matrix.py: every named URL with
the records its row makes). A run of Chinese characters in a page's text or attributes is
allowed only where it is part of a value stored in the archive (a customer's name, a
description) — and a dictionary entry's Chinese name only where the entry has no English name.
"""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import translation

from archive_site.models import DictEntry
from tests.test_permission_matrix import ROLES, TABLE, World, client_for
from tests.test_permission_matrix import world as world  # noqa: F401, PLC0414 (the fixture)

CJK = re.compile(
    r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]*[\u3400-\u9fff\uf900-\ufaff]+"
    r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]*"
)
LANGUAGE_NAMES = {name for _code, name in settings.LANGUAGES}  # each language's own name, in the switch
ADMIN = ROLES.index("admin")
PAGES = [row for row in TABLE if row.get[ADMIN] == 200]
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "value", "content"}
ESCAPED_MARKUP = re.compile(r"&lt;/?(?:svg|rect|text|line|a|span|div|table|tr|td|p|strong|em)\b[^&]{0,40}")
DATA_ATTRIBUTE = re.compile(r"data-(?!customer-picker|picker|demands)[\w-]+")


class _Text(HTMLParser):
    """What a reader sees of a page: text outside scripts and styles, and shown attributes
    (a button's value, a title, a placeholder; data- attributes scripts show, e.g. data-none)."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            if value and (name in SHOWN_ATTRIBUTES or DATA_ATTRIBUTE.fullmatch(name)):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def shown_text(html):
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def stored_texts():
    """Every text value in the archive's tables (what a page may show as it is)."""
    texts = []
    for model in apps.get_models():
        if model._meta.app_label in ("contenttypes", "sessions", "admin", "pghistory"):
            continue
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
            or isinstance(getattr(f, "base_field", None), models.CharField)
        ]
        if not names:
            continue
        queryset = model._base_manager.all()
        if model is DictEntry:  # an entry with an English name shows it in English
            queryset = queryset.filter(name_en="")
        for values in queryset.values_list(*names):
            texts.extend(str(v) for v in values if v)
    return "\n".join(texts)


def file_words():
    """What the archive's Excel files hold in Chinese, which the English import pages quote as
    written: every module's sheet names, column headers and their aliases, the choices' labels
    and the yes/no words."""
    from imports.modules import all_modules
    from imports.widgets import FALSE_WORDS, TRUE_WORDS

    words = set(TRUE_WORDS | FALSE_WORDS)
    with translation.override("zh-hans"):
        for module in all_modules():
            for cls in module.resources:
                resource = cls()
                words.update([str(cls.title), *map(str, cls.sheet_names)])
                for field in resource.get_export_fields():
                    words.update([str(field.column_name), *map(str, field.aliases)])
                    if hasattr(field.widget, "choices"):
                        words.update(str(label) for _value, label in field.widget.choices.choices)
                    if hasattr(field.widget, "kind"):
                        words.add(str(field.widget.kind.label))
    return "\n".join(words) + "\n" + "\n".join(EXAMPLES)


# Sample values of fields whose data is Chinese (a region as the archive stores it).
EXAMPLES = {"北京", "山东济南"}


def untranslated(html, quoted):
    """The runs of Chinese in the page that are not part of a stored value or of the files' words."""
    found = set(CJK.findall(shown_text(html))) - LANGUAGE_NAMES
    found = {run for run in found if run not in quoted}
    if not found:
        return set()
    stored = stored_texts()
    return {run for run in found if run not in stored}


@pytest.mark.django_db
def test_no_chinese_is_left_in_the_english_pages_and_no_markup_shows_as_text(world: World):
    """Also: markup the page builds (a chart's SVG, a link) reaches the browser as markup,
    not escaped into text the reader sees."""
    client = client_for(world.users["admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    left, escaped = [], []
    quoted = file_words()
    for row in PAGES:
        with transaction.atomic():
            kwargs = row.kwargs(world)
            response = client.get(row.url(world, kwargs))
            if response.streaming or "text/html" not in response.headers.get("Content-Type", ""):
                b"".join(getattr(response, "streaming_content", [])) if response.streaming else None
                transaction.set_rollback(True)
                continue
            content = response.content.decode()
            runs = untranslated(content, quoted)
            transaction.set_rollback(True)
        if runs:
            left.append(f"  {row.url(world, kwargs)} ({row.name}): {sorted(runs)[:8]}")
        escaped += [
            f"  {row.url(world, kwargs)} ({row.name}): {m}" for m in ESCAPED_MARKUP.findall(content)[:3]
        ]
    assert not left, "Chinese in the English UI:\n" + "\n".join(left)
    assert not escaped, "Markup shown as text:\n" + "\n".join(escaped)
