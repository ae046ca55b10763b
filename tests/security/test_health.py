"""/healthz answers container and load-balancer probes whatever ALLOWED_HOSTS and HTTPS say."""

import pytest

pytestmark = pytest.mark.django_db

PROBE = {"HTTP_HOST": "172.18.0.3:8000"}  # a probe connects by the container's address


@pytest.fixture
def production(settings):
    settings.ALLOWED_HOSTS = ["archive.mill.example"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_health_answers_a_probe_by_address_over_plain_http_without_login(client, production):
    response = client.get("/healthz", **PROBE)
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"


def test_other_pages_still_refuse_a_host_not_allowed(client, production):
    assert client.get("/login/", **PROBE).status_code == 400
    assert client.get("/healthz/", **PROBE).status_code == 400  # only the exact path is exempt


def test_other_pages_still_redirect_to_https(client, production):
    response = client.get("/login/", HTTP_HOST="archive.mill.example")
    assert response.status_code == 301
    assert response["Location"] == "https://archive.mill.example/login/"
