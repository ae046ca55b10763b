import pytest
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


def test_password_validator_messages_are_chinese():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as error:
            validate_password("1")
    assert "密码太短，至少需要 8 个字符。" in error.value.messages
