"""Read-heavy pages from a PostgreSQL streaming replica; writes and read-after-write on the primary.

With DATABASE_REPLICA_URL set, the settings add the "replica" database, this
module's router and its middleware. A view marked `@replica_reads` (the lists,
the statistics, the judgement check) runs its queries on the replica when the
request is a GET or HEAD and the user has no write that the replica has not
replayed yet. Everything else — every write, every other page, the import
worker, the commands — uses the primary.

Read-after-write with nothing kept in the app's memory, so any instance can
serve the next request: a request that may have written (POST, PUT, PATCH,
DELETE) answers with a cookie holding the primary's WAL position after its
commit (`pg_current_wal_insert_lsn()`, which covers the commit record even
with asynchronous commit). While the cookie is there, a replica page first
asks the replica whether it has replayed that far (`pg_last_wal_replay_lsn()`):
until it has, the request reads from the primary; once it has, the page is
read from the replica and the cookie is dropped. So the page a save redirects
to shows the save, and a replica that falls behind only sends the users who
just wrote to the primary, for as long as it is behind. A page that reports a
write made off the request (the import worker's) sets the cookie the same way
(`mark_written`).

A replica that cannot be reached sends its pages to the primary (logged as a
warning) instead of failing them.
"""

import contextvars
import logging
import re

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
COOKIE = "archive_wal"  # the primary's WAL position after the user's last write
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
_LSN = re.compile(r"[0-9A-F]{1,8}/[0-9A-F]{1,8}")

# Set for the span of one request (by ReplicaMiddleware), never between requests.
_reading_from_replica = contextvars.ContextVar("reading_from_replica", default=False)


def replica_reads(view):
    """Mark a read-only view whose queries may be served by the replica."""
    view.replica_reads = True
    return view


def mark_written(request):
    """Say that this (safe) request reports a write made elsewhere — a worker's import —
    so the user's next replica pages wait for it as for a write of their own."""
    request._replica_wait = True


class ReplicaRouter:
    """Reads on the replica inside a replica page's request; everything else on the primary."""

    def db_for_read(self, model, **hints):
        return REPLICA if _reading_from_replica.get() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # a standby is read-only: its schema comes by replication


def replica_has_replayed(position):
    """Whether the replica has replayed the primary's WAL up to `position` ("16/B374D848")."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false)", [position])
        return cursor.fetchone()[0]


def primary_position():
    """The primary's WAL insert position: past the commit of everything this request wrote."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        return cursor.fetchone()[0]


class ReplicaMiddleware:
    """Serve `@replica_reads` views from the replica when the user's own writes are on it.

    Last in MIDDLEWARE: the session and the user are loaded from the primary
    before a view's queries are routed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        finally:
            token = request.__dict__.pop("_replica_token", None)
            if token is not None:
                _reading_from_replica.reset(token)
        if request.method not in SAFE_METHODS or getattr(request, "_replica_wait", False):
            self.remember_write(response)
        elif getattr(request, "_replica_caught_up", False):
            response.delete_cookie(COOKIE, samesite="Lax")
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        eligible = request.method in ("GET", "HEAD") and getattr(view_func, "replica_reads", False)
        if eligible and self.replica_ready(request):
            request._replica_token = _reading_from_replica.set(True)
        return None

    def replica_ready(self, request):
        """True when the replica answers and has the user's last write, if any."""
        position = request.COOKIES.get(COOKIE, "").upper()
        try:
            if not _LSN.fullmatch(position):
                # What the first query would do (a health check of a kept connection,
                # else a new one), done here where a failure can still go to the primary.
                connections[REPLICA].close_if_health_check_failed()
                connections[REPLICA].ensure_connection()
                request._replica_caught_up = bool(position)  # a cookie we did not write: drop it
                return True
            if replica_has_replayed(position):
                request._replica_caught_up = True
                return True
            return False  # the user's write is not on the replica yet: the primary serves the page
        except DatabaseError:
            logger.warning("Replica database unavailable: reading from the primary", exc_info=True)
            return False

    def remember_write(self, response):
        try:
            position = primary_position()
        except DatabaseError:
            logger.warning("Could not read the primary's WAL position", exc_info=True)
            return
        response.set_cookie(
            COOKIE, position, httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
        )
