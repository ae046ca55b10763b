import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

URL = reverse("password-change")
NEW_PASSWORD = "Pickling-Line-2031"


def change(client, old, new1, new2=None):
    data = {"old_password": old, "new_password1": new1, "new_password2": new2 or new1}
    return client.post(URL, data)


def test_every_role_opens_own_password_page(login, admin_user, alice, engineer, quality, viewer):
    for user in [admin_user, alice, engineer, quality, viewer]:
        assert login(user).get(URL).status_code == 200


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_wrong_old_password_is_refused(login, alice):
    response = change(login(alice), "not-my-password", NEW_PASSWORD)
    assert response.status_code == 200
    assert response.context["form"].has_error("old_password", "password_incorrect")
    assert "旧密码不正确" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("new", "code"),
    [
        ("Ab-1", "password_too_short"),
        ("qwertyuiop", "password_too_common"),
        ("48151623", "password_entirely_numeric"),
    ],
)
def test_weak_new_password_is_refused(login, alice, new, code):
    response = change(login(alice), PASSWORD, new)
    assert response.status_code == 200
    assert response.context["form"].has_error("new_password2", code)
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_mismatched_new_passwords_are_refused(login, alice):
    response = change(login(alice), PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert response.status_code == 200
    assert response.context["form"].has_error("new_password2", "password_mismatch")
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_successful_change_keeps_the_session(login, alice):
    client = login(alice)
    response = change(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    # Still logged in: the session hash was updated with the new password.
    assert client.get(reverse("home")).status_code == 200
