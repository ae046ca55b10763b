"""Backup and restore round trip on the real PostgreSQL server: rows and media come back whole."""

import hashlib
import io
import os
import re
import secrets
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from psycopg2 import sql

from archive_site import backup
from customers.models import CustomerDocument
from tests.factories import make_contact, make_customer
from tests.security.helpers import database_url

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_database():
    """A new, empty database on the same server, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{secrets.token_hex(4)}"
    server = backup.connect({**connection.settings_dict, "NAME": "postgres"})
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with server.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    server.close()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def counts(conn, tables):
    result = {}
    with conn.cursor() as cursor:
        for table in tables:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            result[table] = cursor.fetchone()[0]
    return result


def tree_checksum(root):
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def restore(archive, database, media_root, *args, env=None):
    env = dict(
        os.environ,
        **(env or {}),
        DJANGO_SETTINGS_MODULE="archive_site.settings",
        DATABASE_URL=database_url(database),
        MEDIA_ROOT=str(media_root),
        DEBUG="false",
        HTTPS="false",
        SECRET_KEY=secrets.token_urlsafe(50),
    )
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_backup_restores_every_row_and_media_file_into_an_empty_database(
    alice, alices_customer, media, empty_database, tmp_path
):
    make_contact(alices_customer, name="刘工", mobile="13812345678", email="liu@example.com")
    other = make_customer(name="长城汽车股份有限公司", sales_owner=alice)
    make_contact(other, name="陈工", phone="0312-2197777")
    for customer, name, content in [
        (alices_customer, "合同.pdf", b"%PDF-1.4 contract " * 100),
        (other, "drawing.pdf", b"%PDF-1.4 drawing " * 300),
    ]:
        document = CustomerDocument(customer=customer, kind="contract", title=name)
        document.file.save(name, ContentFile(content), save=True)

    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "backups"), stdout=out)
    [archive] = (tmp_path / "backups").iterdir()
    assert re.fullmatch(r"archive-backup-\d{8}-\d{6}\.tar\.gz", archive.name)
    assert "2 个媒体文件" in out.getvalue()

    restored_media = tmp_path / "restored-media"
    result = restore(archive, empty_database, restored_media)
    assert result.returncode == 0, result.stdout + result.stderr

    tables = connection.introspection.table_names(include_views=False)
    target = backup.connect({**connection.settings_dict, "NAME": empty_database})
    try:
        with target.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            assert sorted(r[0] for r in cursor.fetchall()) == sorted(tables)
        restored = counts(target, tables)
    finally:
        target.close()
    with connection.cursor() as cursor:
        original = counts(cursor.connection, tables)
    assert restored == original
    assert restored["customers_contact"] == 2 and restored["customers_customerdocument"] == 2
    assert tree_checksum(restored_media) == tree_checksum(media)
    assert len(list(restored_media.rglob("*.pdf"))) == 2


def test_restore_refuses_a_database_that_is_not_empty(media, tmp_path):
    make_customer()
    call_command("backup", "--output", str(tmp_path), stdout=io.StringIO())
    [archive] = tmp_path.glob("archive-backup-*.tar.gz")
    result = restore(archive, connection.settings_dict["NAME"], tmp_path / "m")
    assert result.returncode != 0
    assert "不是空的" in result.stderr
    assert not (tmp_path / "m").exists()


def test_manifest_lists_row_counts_and_media_checksums(alices_customer, media, tmp_path):
    document = CustomerDocument(customer=alices_customer, kind="drawing", title="图")
    document.file.save("a.pdf", ContentFile(b"%PDF-1.4 a"), save=True)
    archive = backup.backup(tmp_path, log=lambda *a: None).path
    manifest = backup.read_manifest(archive)
    assert manifest["tables"]["public.customers_customer"] == 1
    [(name, entry)] = manifest["media"]["files"].items()
    assert name == document.file.name
    assert entry["sha256"] == hashlib.sha256(b"%PDF-1.4 a").hexdigest()


def documents(customer, *contents):
    made = []
    for i, content in enumerate(contents):
        document = CustomerDocument(customer=customer, kind="drawing", title=f"图{i}")
        document.file.save(f"d{i}.bin", ContentFile(content), save=True)
        made.append(document)
    return made


def test_hard_linked_media_files_are_recorded_and_restored_whole(
    alices_customer, media, empty_database, tmp_path
):
    content = b"%PDF-1.4 shared drawing " * 200
    [first, second] = documents(alices_customer, content, b"placeholder")
    (media / second.file.name).unlink()
    os.link(media / first.file.name, media / second.file.name)  # as the data generator makes them

    archive = backup.backup(tmp_path / "backups", log=lambda *a: None).path
    files = backup.read_manifest(archive)["media"]["files"]
    expected = {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
    assert files[first.file.name] == files[second.file.name] == expected

    restored_media = tmp_path / "restored-media"
    result = restore(archive, empty_database, restored_media)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "校验和不一致" not in result.stdout + result.stderr
    assert (restored_media / second.file.name).read_bytes() == content


def table_count(database):
    target = backup.connect({**connection.settings_dict, "NAME": database})
    try:
        with target.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            return cursor.fetchone()[0]
    finally:
        target.close()


def assert_nothing_restored(result, database, media_root):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    assert "没有恢复任何内容" in result.stderr, result.stderr
    assert table_count(database) == 0
    assert not media_root.exists() or not any(media_root.rglob("*"))


def test_a_backup_with_corrupt_media_is_refused_before_anything_is_restored(
    alices_customer, media, empty_database, tmp_path
):
    documents(alices_customer, os.urandom(400_000))  # incompressible: the archive's second half
    archive = backup.backup(tmp_path / "backups", log=lambda *a: None).path
    data = bytearray(archive.read_bytes())
    data[len(data) * 3 // 4] ^= 0xFF
    archive.write_bytes(bytes(data))

    restored_media = tmp_path / "restored-media"
    assert_nothing_restored(restore(archive, empty_database, restored_media), empty_database, restored_media)


def test_a_media_file_that_does_not_match_the_manifest_is_refused_before_anything_is_restored(
    alices_customer, media, empty_database, tmp_path
):
    [document] = documents(alices_customer, b"%PDF-1.4 the real drawing")
    archive = backup.backup(tmp_path / "backups", log=lambda *a: None).path
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(forged, "w:gz") as target:
        for member in source:
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name == f"media/{document.file.name}":
                data = b"%PDF-1.4 another drawing"  # a valid archive, whose content is not the manifest's
                member.size = len(data)
            target.addfile(member, io.BytesIO(data) if data is not None else None)

    restored_media = tmp_path / "restored-media"
    result = restore(forged, empty_database, restored_media)
    assert_nothing_restored(result, empty_database, restored_media)
    assert f"媒体文件 {document.file.name}：校验和不一致" in result.stderr


def test_a_truncated_backup_ends_in_a_clear_message(alices_customer, media, empty_database, tmp_path):
    documents(alices_customer, os.urandom(100_000))
    archive = backup.backup(tmp_path / "backups", log=lambda *a: None).path
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])

    restored_media = tmp_path / "restored-media"
    result = restore(archive, empty_database, restored_media)
    assert_nothing_restored(result, empty_database, restored_media)
    assert "不完整或已损坏" in result.stderr
