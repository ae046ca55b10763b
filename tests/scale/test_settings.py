"""The environment variables that take the archive past one machine, read by the production settings."""

import json

from tests.scale.conftest import s3_options
from tests.security.test_settings import run_in_production

SHOW = """
from django.conf import settings
print(json.dumps({
    "storage": settings.STORAGES["default"],
    "databases": sorted(settings.DATABASES),
    "replica": {k: settings.DATABASES.get("replica", {}).get(k) for k in ("HOST", "NAME", "ATOMIC_REQUESTS")},
    "routers": settings.DATABASE_ROUTERS,
    "middleware": settings.MIDDLEWARE[-1],
    "cache": settings.CACHES["default"]["BACKEND"],
}, default=str))
"""


def settings_with(**env):
    result = run_in_production("import json\n" + SHOW, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


class FakeServer:
    endpoint = "http://minio:9000"


def test_by_default_media_is_on_disk_and_one_database_serves_everything():
    found = settings_with()
    assert found["storage"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert found["databases"] == ["default"] and found["routers"] == []
    assert found["middleware"] != "archive_site.db_router.ReplicaMiddleware"
    assert found["cache"] == "django.core.cache.backends.dummy.DummyCache"  # nothing cached per process


def test_media_s3_variables_put_media_in_a_private_bucket():
    found = settings_with(
        MEDIA_S3_BUCKET="archive-media",
        MEDIA_S3_ENDPOINT_URL="http://minio:9000",
        MEDIA_S3_REGION="us-east-1",
        MEDIA_S3_PREFIX="/archive/",
    )
    assert found["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    # The options the object-storage tests run with, but for the test server's keys.
    expected = s3_options(FakeServer, "archive-media")
    del expected["access_key"], expected["secret_key"]
    assert found["storage"]["OPTIONS"] == expected


def test_replica_url_adds_the_replica_its_router_and_middleware():
    found = settings_with(DATABASE_REPLICA_URL="postgres://reader@replica.example:5432/archive")
    assert found["databases"] == ["default", "replica"]
    assert found["replica"] == {"HOST": "replica.example", "NAME": "archive", "ATOMIC_REQUESTS": False}
    assert found["routers"] == ["archive_site.db_router.ReplicaRouter"]
    assert found["middleware"] == "archive_site.db_router.ReplicaMiddleware"  # last: after the login checks


def test_a_replica_that_is_not_postgresql_is_refused():
    result = run_in_production("", DATABASE_REPLICA_URL="sqlite:///replica.db")
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL must be a PostgreSQL streaming replica" in result.stderr


def test_trusted_proxies_put_the_proxy_middleware_first():
    show = "from django.conf import settings; print(settings.MIDDLEWARE[0])"
    result = run_in_production(show, TRUSTED_PROXIES="172.30.50.0/24, 10.0.0.1")
    assert result.stdout.strip() == "archive_site.proxy.TrustedProxyMiddleware", result.stderr
    refused = run_in_production("", TRUSTED_PROXIES="proxy.example")
    assert refused.returncode != 0 and "TRUSTED_PROXIES: 'proxy.example' is not an address" in refused.stderr


def test_variables_left_empty_by_docker_compose_leave_each_part_off():
    found = settings_with(DATABASE_REPLICA_URL="", MEDIA_S3_BUCKET="", MEDIA_S3_REGION="", TRUSTED_PROXIES="")
    assert found["storage"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert found["databases"] == ["default"] and found["routers"] == []
