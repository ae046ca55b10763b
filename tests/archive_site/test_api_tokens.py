"""API tokens: administrators issue and revoke them; only a hash of the key is kept."""

import pytest
from django.db import connection
from django.urls import reverse

from archive_site.models import ApiToken

pytestmark = pytest.mark.django_db


def test_an_administrator_issues_a_token_shown_once(login, admin_user, engineer):
    client = login(admin_user)
    assert client.get(reverse("token-create")).status_code == 200
    response = client.post(reverse("token-create"), {"user": engineer.pk, "name": "连退过程计算机"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    key = response.context["key"]
    assert key.startswith("arc_") and key in response.content.decode()
    token = ApiToken.objects.get()
    assert token.user == engineer and token.created_by == admin_user and token.name == "连退过程计算机"
    assert ApiToken.authenticate(key) == token
    # Only the hash is stored: the key is in no column of the table.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM archive_site_apitoken")
        assert not any(key in str(v) for row in cursor.fetchall() for v in row)
    listing = client.get(reverse("token-list")).content.decode()
    assert token.prefix in listing and key not in listing


def test_a_revoked_token_no_longer_authenticates(login, admin_user, engineer):
    token, key = ApiToken.issue(engineer, "MES", by=admin_user)
    response = login(admin_user).post(reverse("token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.is_revoked and token.revoked_by == admin_user
    assert ApiToken.authenticate(key) is None


@pytest.mark.parametrize("fixture", ["alice", "engineer", "quality", "viewer"])
def test_only_administrators_manage_tokens(request, login, fixture, engineer):
    user = request.getfixturevalue(fixture)
    client = login(user)
    assert client.get(reverse("token-list")).status_code == 403
    assert client.post(reverse("token-create"), {"user": engineer.pk, "name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()
