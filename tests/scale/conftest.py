"""Fixtures for the tests of the archive past one machine: a PostgreSQL streaming replica
and an S3 API server, each started once per test session (per xdist worker)."""

import uuid

import pytest
from django.db import connections

from tests.scale.servers import ReplicaServer, S3Server
from tests.security.test_backup import empty_database  # noqa: F401 (a fixture of the restore test)


@pytest.fixture(scope="session")
def replica_server(django_db_setup, django_db_blocker):
    """A hot standby of the test database's server, known to Django as the "replica" database.

    The alias is a test mirror of "default" (the test database's name on the
    replica's server): the test runner neither creates nor flushes it.
    """
    with django_db_blocker.unblock():
        primary = connections["default"].settings_dict
        server = ReplicaServer(primary).start()
    connections.settings["replica"] = server.settings_dict(primary)
    yield server
    connections["replica"].close()
    del connections["replica"]
    del connections.settings["replica"]
    server.stop()


@pytest.fixture
def replica(replica_server, settings, django_db_blocker):
    """The router and middleware switched on, as DATABASE_REPLICA_URL switches them on in production.

    Each test starts with the replica replaying (and caught up with what
    the test database held before it) and leaves it replaying.
    """
    settings.DATABASE_ROUTERS = ["archive_site.db_router.ReplicaRouter"]
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "archive_site.db_router.ReplicaMiddleware"]
    replica_server.resume()
    yield replica_server
    replica_server.resume()
    connections["replica"].close()


@pytest.fixture(scope="session")
def s3_server():
    server = S3Server().start()
    yield server
    server.stop()


@pytest.fixture
def s3_bucket(s3_server, settings):
    """A new private bucket on the S3 server, and the media storage switched to it.

    The storage options are the ones settings.py builds from MEDIA_S3_* (the
    settings test checks that): only the endpoint and the keys are the test's.
    """
    name = f"archive-media-{uuid.uuid4().hex[:12]}"
    client = s3_server.client()
    client.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(s3_server, name)},
    }
    return Bucket(client, name)


def s3_options(server, bucket, prefix="archive"):
    return {
        "bucket_name": bucket,
        "endpoint_url": server.endpoint,
        "region_name": "us-east-1",
        "location": prefix,
        "addressing_style": "path",
        "file_overwrite": False,
        "default_acl": None,
        "max_memory_size": 5 * 1024 * 1024,
        "access_key": "archive-test",
        "secret_key": "archive-test-secret",
    }


class Bucket:
    """What is really in the bucket, read with the S3 API (not through Django)."""

    prefix = "archive/"

    def __init__(self, client, name):
        self.client, self.name = client, name

    def object_keys(self):
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, storage_name):
        return self.client.get_object(Bucket=self.name, Key=self.prefix + storage_name)["Body"].read()

    def grants(self, storage_name):
        acl = self.client.get_object_acl(Bucket=self.name, Key=self.prefix + storage_name)
        return [(g["Grantee"].get("URI") or g["Grantee"].get("ID"), g["Permission"]) for g in acl["Grants"]]
