import os
import re
import subprocess

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_chinese_by_default_whatever_the_browser_asks(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


def test_language_switch_works_before_login(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    response = client.get(reverse("login"))
    assert response.headers["Content-Language"] == "en"
    assert "Log in" in response.content.decode()  # the compiled English catalogue is in use


def test_password_validator_messages_are_chinese():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        validate_password("1")
    assert "密码太短，至少需要 8 个字符。" in error.value.messages


ENGLISH = settings.BASE_DIR / "locale/en/LC_MESSAGES/django.po"


@pytest.mark.parametrize("which", ["--untranslated", "--only-fuzzy"])
def test_every_source_string_has_an_english_translation(which):
    """An untranslated entry shows Chinese in the English UI, and so does a fuzzy one (not compiled).

    After `make messages`, translate what this lists.
    """
    command = ["msgattrib", which, "--no-wrap", ENGLISH]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    missing = re.findall(r'^msgid "(.+)"$', out.stdout, re.MULTILINE)
    assert not missing, f"{len(missing)} strings without English in {ENGLISH}: {missing[:20]}"


def test_english_translations_keep_every_placeholder():
    """A translation missing a %(name)s of its source would fail the page that shows it."""
    subprocess.run(["msgfmt", "--check", "-o", os.devnull, ENGLISH], check=True, capture_output=True)
