"""Failed logins are throttled by username and address together (django-axes)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
OFFICE_NAT = "10.1.1.1"
HOME = "192.168.7.20"


def log_in(username, password, address):
    """A fresh browser posting the login form from `address`; returns (client, response)."""
    client = Client(REMOTE_ADDR=address)
    response = client.post(LOGIN, {"username": username, "password": password})
    return client, response


def logged_in(client):
    return "_auth_user_id" in client.session


def fail_five_times(username, address):
    for _ in range(5):
        log_in(username, "wrong-password", address)


def test_right_password_logs_in(alice):
    client, response = log_in("alice", PASSWORD, OFFICE_NAT)
    assert response.status_code == 302
    assert logged_in(client)


def test_five_failures_lock_out_that_user_from_that_address(alice):
    fail_five_times("alice", OFFICE_NAT)
    client, response = log_in("alice", PASSWORD, OFFICE_NAT)
    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()
    assert not logged_in(client)


def test_four_failures_do_not_lock_out(alice):
    for _ in range(4):
        log_in("alice", "wrong-password", OFFICE_NAT)
    client, response = log_in("alice", PASSWORD, OFFICE_NAT)
    assert response.status_code == 302
    assert logged_in(client)


def test_lockout_leaves_other_users_behind_the_same_address_alone(alice, bob):
    fail_five_times("alice", OFFICE_NAT)
    client, response = log_in("bob", PASSWORD, OFFICE_NAT)
    assert response.status_code == 302
    assert logged_in(client)


def test_lockout_leaves_the_same_user_from_another_address_alone(alice):
    fail_five_times("alice", OFFICE_NAT)
    client, response = log_in("alice", PASSWORD, HOME)
    assert response.status_code == 302
    assert logged_in(client)


def test_admin_password_reset_lifts_the_lockout(login, admin_user, alice):
    fail_five_times("alice", OFFICE_NAT)
    new_password = "Tandem-Mill-Reset-9"
    data = {"new_password1": new_password, "new_password2": new_password}
    login(admin_user).post(reverse("user-password-reset", args=[alice.pk]), data)

    client, response = log_in("alice", new_password, OFFICE_NAT)
    assert response.status_code == 302
    assert logged_in(client)
