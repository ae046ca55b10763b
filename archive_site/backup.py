"""Backup and restore: the database and the media folder in one dated archive.

    manage.py backup [--output DIR]      → DIR/archive-backup-YYYYmmdd-HHMMSS.tar.gz
    manage.py restore FILE [--force]

The archive holds `database.dump` (pg_dump's custom format), the media files
under `media/`, and `manifest.json`: the row count of every table and the
sha256 of every media file. The row counts are taken in the very snapshot
pg_dump dumps (pg_export_snapshot), so they match the dump exactly even while
staff keep working. The media folder is copied after the snapshot: a file
uploaded meanwhile is included but unreferenced, which is harmless.

A media file hard-linked to another (the data generator makes them) is
stored once, as a link, and listed in the manifest with its own size and the
checksum of its content.

Restore refuses a database that already has tables, or a media folder that
already has files, unless --force. It first unpacks the whole archive into a
folder of its own, checking the compression's checksums and every checksum of
the manifest (the database dump's and each media file's): a damaged or
truncated archive ends there with a message, before the database or the media
folder is touched. Then it restores the database in one transaction, copies
the media, and checks every table's row count and every file's checksum
against the manifest.

pg_dump and pg_restore must be at least as new as the server: they are looked
for in $PG_BIN_DIR, in the embedded server's package (pgserver), on PATH and
under /usr/lib/postgresql/*/bin, preferring the server's own major version.
Media is read from and written to MEDIA_ROOT (filesystem storage). Media kept
in object storage (MEDIA_S3_BUCKET) is not copied: the store's own versioning or
replication backs it up. Then the archive holds the database only, its manifest
names the bucket (`media.object_storage`), both commands say so, and restore
leaves the bucket as it is.
"""

import gzip
import hashlib
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import psycopg2
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from psycopg2 import sql

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
CHUNK = 1024 * 1024

# libpq environment variables for the keys of DATABASES["default"]["OPTIONS"].
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "options": "PGOPTIONS",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class BackupError(Exception):
    """Something the operator must fix; the message says what."""


def archive_name(now=None):
    return f"archive-backup-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar.gz"


# PostgreSQL -------------------------------------------------------------------


def libpq_env(db=None):
    """The environment for pg_dump/pg_restore to reach the database Django uses."""
    db = db or connection.settings_dict
    env = dict(os.environ)
    for key, var in (("NAME", "PGDATABASE"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT")):
        if db.get(key):
            env[var] = str(db[key])
    for key, value in (db.get("OPTIONS") or {}).items():
        if key in _LIBPQ_OPTIONS and value is not None:
            env[_LIBPQ_OPTIONS[key]] = str(value)
    return env


def connect(db=None):
    """A new psycopg2 connection to the database Django uses (outside Django's transactions)."""
    db = db or connection.settings_dict
    params = {"dbname": db["NAME"], "user": db.get("USER") or None, "password": db.get("PASSWORD") or None}
    params.update(host=db.get("HOST") or None, port=db.get("PORT") or None)
    params.update({k: v for k, v in (db.get("OPTIONS") or {}).items() if k in _LIBPQ_OPTIONS})
    try:
        return psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
    except psycopg2.OperationalError as e:
        raise BackupError(_("无法连接数据库 %(name)s：%(error)s") % {"name": db["NAME"], "error": e}) from e


def server_major(cursor):
    cursor.execute("SHOW server_version_num")
    return int(cursor.fetchone()[0]) // 10000


def tool_major(path):
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"\)\s*(\d+)", out) or re.search(r"(\d+)", out)
    return int(match.group(1))


def _candidates(name):
    if os.environ.get("PG_BIN_DIR"):
        yield Path(os.environ["PG_BIN_DIR"]) / name
    spec = importlib.util.find_spec("pgserver")
    if spec and spec.origin:
        yield Path(spec.origin).parent / "pginstall" / "bin" / name
    if shutil.which(name):
        yield Path(shutil.which(name))
    yield from sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)


def find_tool(name, major):
    """pg_dump/pg_restore of the server's major version, or else the oldest newer one."""
    found = {}
    for path in _candidates(name):
        if path.is_file() and os.access(path, os.X_OK):
            try:
                found.setdefault(tool_major(str(path)), str(path))
            except (OSError, subprocess.CalledProcessError, AttributeError):
                continue
    usable = sorted(v for v in found if v >= major)
    if not usable:
        versions = ", ".join(str(v) for v in sorted(found)) or "-"
        raise BackupError(
            _(
                "找不到 PostgreSQL %(major)s 或更新版本的 %(name)s（已找到的版本：%(versions)s）。"
                "请安装 postgresql-client-%(major)s，或用 PG_BIN_DIR 指定它的 bin 目录。"
            )
            % {"name": name, "major": major, "versions": versions}
        )
    return found[major] if major in found else found[usable[0]]


TABLES = """
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_%'
    ORDER BY 1, 2
"""


def row_counts(cursor):
    """{"schema.table": rows} for every table of the database."""
    cursor.execute(TABLES)
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        )
        counts[f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


# Media ------------------------------------------------------------------------


def media_root():
    return Path(settings.MEDIA_ROOT)


def object_storage():
    """Where media is kept when not on a disk ("s3://bucket/prefix"), else None."""
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        return None
    bucket = getattr(storage, "bucket_name", None)
    if not bucket:
        return type(storage).__name__
    return f"s3://{bucket}/{getattr(storage, 'location', '')}".rstrip("/")


OBJECT_STORAGE_NOT_COPIED = gettext_lazy(
    "媒体文件保存在对象存储 %(where)s 中，不包含在本备份内：它们由对象存储自身的版本控制或复制来备份。"
)
OBJECT_STORAGE_NOT_RESTORED = gettext_lazy(
    "媒体文件保存在对象存储 %(where)s 中：只恢复数据库，对象存储保持不变（媒体文件从它自身的版本中恢复）。"
)
MEDIA_NOT_RESTORED = gettext_lazy(
    "备份中的 %(n)s 个媒体文件（备份的 media/ 文件夹）没有恢复；需要时请把它们复制到对象存储中。"
)


def media_files(root):
    """Relative POSIX paths of the regular files under `root`, sorted."""
    if not root.is_dir():
        return []
    return sorted(
        PurePosixPath(p.relative_to(root).as_posix())
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink()
    )


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def media_digest(files):
    """One checksum for the whole media folder: sha256 over the sorted "path sha256" lines."""
    lines = "".join(f"{path} {files[path]['sha256']}\n" for path in sorted(files))
    return hashlib.sha256(lines.encode()).hexdigest()


class _HashingReader(io.RawIOBase):
    def __init__(self, f):
        self.f, self.digest = f, hashlib.sha256()

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.f.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


# Backup -----------------------------------------------------------------------


@dataclass
class Result:
    path: Path
    tables: int
    rows: int
    files: int
    media_bytes: int
    object_storage: str | None = None  # media not in the archive: kept (and versioned) there


def backup(output_dir, log=print):
    """Write a dated archive of the database and the media folder into `output_dir`."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / archive_name()
    partial = target.with_name(target.name + ".part")
    created = timezone.now()
    with tempfile.TemporaryDirectory(prefix="archive-backup-") as work:
        dump = Path(work) / DUMP
        conn = connect()
        try:
            conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with conn.cursor() as cursor:
                major = server_major(cursor)
                cursor.execute("SELECT pg_export_snapshot(), version()")
                snapshot, version = cursor.fetchone()
                pg_dump = find_tool("pg_dump", major)
                log(_("正在用 %(tool)s 导出数据库……") % {"tool": pg_dump})
                subprocess.run(
                    [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"],
                    env=libpq_env(),
                    check=True,
                    capture_output=True,
                    text=True,
                )
                tables = row_counts(cursor)  # the snapshot pg_dump dumped
        except subprocess.CalledProcessError as e:
            raise BackupError(_("pg_dump 失败：%(error)s") % {"error": e.stderr.strip()}) from e
        finally:
            conn.close()

        root, bucket = media_root(), object_storage()
        files = {}
        if bucket:
            log(OBJECT_STORAGE_NOT_COPIED % {"where": bucket})
            log(_("正在打包数据库……"))
        else:
            log(_("正在打包数据库和媒体文件夹 %(root)s……") % {"root": root})
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            dump_sha256 = sha256_of(dump)
            tar.add(dump, arcname=DUMP)
            for rel in [] if bucket else media_files(root):
                info = tar.gettarinfo(root / rel, arcname=f"{MEDIA}/{rel}")
                if info.islnk():
                    # A hard link to a file already in the archive: stored as a link to it (no
                    # content of its own), listed with the content's size and checksum.
                    tar.addfile(info)
                    files[str(rel)] = dict(files[info.linkname.removeprefix(f"{MEDIA}/")])
                    continue
                with open(root / rel, "rb") as f:
                    reader = _HashingReader(f)
                    tar.addfile(info, io.BufferedReader(reader, CHUNK))
                files[str(rel)] = {"sha256": reader.digest.hexdigest(), "size": info.size}
            manifest = {
                "format": FORMAT,
                "created_at": created.isoformat(),
                "database": {
                    "name": connection.settings_dict["NAME"],
                    "server": version,
                    "pg_dump": pg_dump,
                    "sha256": dump_sha256,
                },
                "tables": tables,
                "media": {"files": files, "sha256": media_digest(files), "object_storage": bucket},
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(created.timestamp())
            tar.addfile(info, io.BytesIO(data))
    partial.rename(target)  # only a complete archive carries the final name
    return Result(
        target, len(tables), sum(tables.values()), len(files), sum(f["size"] for f in files.values()), bucket
    )


# Restore ----------------------------------------------------------------------

DAMAGED = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile)


def damaged(archive, error):
    return BackupError(
        _("备份文件 %(file)s 不完整或已损坏（%(error)s），没有恢复任何内容。请换一个备份文件。")
        % {"file": archive, "error": str(error) or type(error).__name__}
    )


def unpack(archive, work):
    """Unpack `archive` into the folder `work`, reading it whole: {member name: sha256} of its files.

    Reading to the end checks the gzip checksum; a truncated or corrupt archive
    raises BackupError. Members that would land outside `work` (absolute paths,
    "..", links out of it, devices) are refused.
    """
    digests = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                member = tarfile.data_filter(member, str(work))
                target = work / member.name
                if member.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                elif member.islnk():
                    if member.linkname not in digests:
                        raise tarfile.TarError(_("%(name)s 链接到不存在的文件") % {"name": member.name})
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.link(work / member.linkname, target)
                    digests[member.name] = digests[member.linkname]
                elif member.isfile():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    digest = hashlib.sha256()
                    with tar.extractfile(member) as source, open(target, "wb") as out:
                        while chunk := source.read(CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
                    digests[member.name] = digest.hexdigest()
                else:
                    raise tarfile.TarError(_("不支持的成员 %(name)s") % {"name": member.name})
            while tar.fileobj.read(CHUNK):  # to the end of the gzip stream, which checks its CRC
                pass
    except DAMAGED as e:
        raise damaged(archive, e) from e
    return digests


def checked_manifest(archive, work, digests):
    """The manifest unpacked into `work`, after every checksum it lists matched what was unpacked."""
    try:
        manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(
            _("%(file)s 中没有 manifest.json，不是本系统的备份。") % {"file": archive}
        ) from None
    except ValueError as e:
        raise damaged(archive, e) from e
    if manifest.get("format") != FORMAT:
        raise BackupError(_("%(file)s：无法识别的备份格式。") % {"file": archive})
    problems = []
    expected = manifest["database"].get("sha256")  # archives of older versions have none
    if DUMP not in digests:
        problems.append(_("数据库导出文件缺失"))
    elif expected and digests[DUMP] != expected:
        problems.append(_("数据库导出文件：校验和不一致"))
    for rel, info in manifest["media"]["files"].items():
        found = digests.get(f"{MEDIA}/{rel}")
        if found is None:
            problems.append(_("媒体文件 %(f)s：缺失") % {"f": rel})
        elif found != info["sha256"]:
            problems.append(_("媒体文件 %(f)s：校验和不一致") % {"f": rel})
    if problems:
        raise BackupError(
            _("备份文件 %(file)s 与其清单不符，没有恢复任何内容：") % {"file": archive}
            + "\n"
            + "\n".join(str(p) for p in problems[:50])
        )
    return manifest


def read_manifest(archive):
    """The manifest of `archive`, after checking the whole archive against it."""
    with tempfile.TemporaryDirectory(prefix="archive-restore-") as work:
        work = Path(work)
        return checked_manifest(archive, work, unpack(archive, work))


def restore(archive, force=False, log=print):
    """Restore `archive` into Django's database and MEDIA_ROOT, then verify it against its manifest.

    Nothing is touched until the whole archive has been read and checked. With media in object
    storage, only the database is restored and verified.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("找不到备份文件 %(file)s。") % {"file": archive})
    root, bucket = media_root(), object_storage()
    conn = connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            major = server_major(cursor)
            cursor.execute(TABLES)
            existing = len(cursor.fetchall())
    finally:
        conn.close()
    present = [] if bucket else media_files(root)
    if not force and existing:
        raise BackupError(
            _("数据库 %(name)s 不是空的（已有 %(n)s 个表）。请恢复到空数据库，或加 --force 覆盖其内容。")
            % {"name": connection.settings_dict["NAME"], "n": existing}
        )
    if not force and present:
        raise BackupError(
            _("媒体文件夹 %(root)s 不是空的（已有 %(n)s 个文件）。请恢复到空文件夹，或加 --force 覆盖。")
            % {"root": root, "n": len(present)}
        )
    pg_restore = find_tool("pg_restore", major)

    with tempfile.TemporaryDirectory(prefix="archive-restore-") as work:
        work = Path(work)
        log(_("正在检查备份 %(file)s 的每个校验和……") % {"file": archive})
        manifest = checked_manifest(archive, work, unpack(archive, work))
        log(_("正在用 %(tool)s 恢复数据库……") % {"tool": pg_restore})
        command = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        if force:
            command += ["--clean", "--if-exists"]
        command += [f"--dbname={connection.settings_dict['NAME']}", str(work / DUMP)]
        result = subprocess.run(command, env=libpq_env(), capture_output=True, text=True)
        if result.returncode:
            raise BackupError(
                _("pg_restore 失败，数据库没有任何改动：%(error)s") % {"error": result.stderr.strip()}
            )
        files = {} if bucket else manifest["media"]["files"]
        if bucket:
            log(OBJECT_STORAGE_NOT_RESTORED % {"where": bucket})
            if manifest["media"]["files"]:
                log(MEDIA_NOT_RESTORED % {"n": len(manifest["media"]["files"])})
        else:
            log(_("正在恢复 %(n)s 个媒体文件到 %(root)s……") % {"n": len(files), "root": root})
        for rel in files:
            source, target = work / MEDIA / rel, root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    connection.close()  # Django's connection may predate the restored schema
    return verify(manifest, media=not bucket)


def verify(manifest, media=True):
    """Differences between the database (and the media folder) and the manifest (empty when all match)."""
    problems = []
    conn = connect()
    try:
        with conn.cursor() as cursor:
            counts = row_counts(cursor)
    finally:
        conn.close()
    for table, rows in manifest["tables"].items():
        if counts.get(table) != rows:
            found = counts.get(table, _("缺失"))
            problems.append(
                _("表 %(t)s：%(found)s 行，备份中为 %(rows)s 行") % {"t": table, "found": found, "rows": rows}
            )
    root = media_root()
    for rel, info in manifest["media"]["files"].items() if media else []:
        path = root / rel
        if not path.is_file():
            problems.append(_("媒体文件 %(f)s：缺失") % {"f": rel})
        elif sha256_of(path) != info["sha256"]:
            problems.append(_("媒体文件 %(f)s：校验和不一致") % {"f": rel})
    return problems
