"""Results kept until what they are computed from is written.

A heavy, read-mostly result — the objection statistics of the whole archive over a range — is
computed once, kept in the database (`KeptResult`, shared by every app instance, nothing in
process memory) and used again until one of the tables it reads is written.

A write is known by the transaction that made it: a statement-level trigger on each watched
table (`watch`, in the migration of the app that keeps results) records its transaction's id
under a topic (`TopicWrite`, one row per transaction and topic, so writers never wait on one
another). A result remembers the snapshot taken before it was computed
(`pg_current_snapshot()`). It is still good while every write of its topic that the reader can
see is visible in that snapshot: a write committed since — or still in progress when the result
was computed, whatever the order transactions commit in — is not, and the result is computed
again. A result may so be computed again once too often (a write committed while it was being
computed), never used once too often.

On a replica the snapshot and the writes are the replica's, the result is written to the
primary (the router's), and read back from the replica once it has replayed it.
"""

import datetime
import hashlib
import pickle

from django.db import connections, router
from django.utils import timezone

from archive_site.models import KeptResult, TopicWrite

# Results not asked for in a day are dropped, and with them the writes only they could miss.
KEEP = datetime.timedelta(days=1)

RECORD_WRITE = """
CREATE OR REPLACE FUNCTION archive_site_record_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {writes} (topic, xid) VALUES (TG_ARGV[0], pg_current_xact_id()::text::bigint)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
"""

GOOD = """
SELECT r.value FROM {results} AS r
WHERE r.topic = %s AND r.key = %s AND NOT EXISTS (
    SELECT 1 FROM {writes} AS w
    WHERE w.topic = r.topic
      AND w.xid >= pg_snapshot_xmin(r.snapshot::pg_snapshot)::text::bigint
      AND NOT pg_visible_in_snapshot(w.xid::text::xid8, r.snapshot::pg_snapshot)
)
"""


def record_write_function():
    """SQL of the trigger function every watched table calls (archive_site's migration)."""
    return RECORD_WRITE.format(writes=TopicWrite._meta.db_table)


def watch(topic, *tables):
    """(SQL, reverse SQL) of the triggers that record each write to `tables` under `topic`,
    for a `migrations.RunSQL` of the app that keeps results of the topic."""
    create, drop = [], []
    for table in tables:
        name = f"kept_{topic}_written"
        create.append(
            f'CREATE TRIGGER "{name}" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION archive_site_record_write('{topic}');"
        )
        drop.append(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}";')
    return "\n".join(create), "\n".join(drop)


def result(topic, key, compute, *, using):
    """What `compute()` returns, from the kept result of `topic` and `key` (any value with a
    faithful repr: the arguments that decide the result) when nothing it reads on database
    `using` has been written since, else computed (there) and kept."""
    key = hashlib.sha256(repr(key).encode()).hexdigest()
    with connections[using].cursor() as cursor:
        cursor.execute(
            GOOD.format(results=KeptResult._meta.db_table, writes=TopicWrite._meta.db_table), [topic, key]
        )
        row = cursor.fetchone()
        if row is not None:
            return pickle.loads(row[0])  # written by `result` alone, below  # noqa: S301
        cursor.execute("SELECT pg_current_snapshot()::text, pg_current_xact_id_if_assigned()::text")
        snapshot, own = cursor.fetchone()
    if own is not None:
        snapshot = in_progress(snapshot, int(own))
    value = compute()
    keep(topic, key, snapshot, value)
    return value


def of(topic, queryset, compute, *key):
    """`result` of a computation over `queryset`, on the queryset's database, keyed by its SQL
    and parameters (whatever filters narrowed it) and `key` (what else decides the result)."""
    return result(topic, (queryset.query.sql_with_params(), *key), compute, using=queryset.db)


def in_progress(snapshot, xid):
    """`snapshot` ("xmin:xmax:xip,…") with transaction `xid` counted as still in progress.

    A transaction's own snapshot leaves it out of the running ones and counts it as done once a
    later transaction has ended. Taken as it is, a result kept by a transaction that had already
    written would stay good after its next write to a watched table: with itself counted as
    running, any write of it makes the result stale (computed again once, at worst)."""
    xmin, xmax, running = snapshot.split(":")
    running = sorted({int(x) for x in running.split(",") if x} | {xid})
    return f"{min(int(xmin), xid)}:{max(int(xmax), xid + 1)}:{','.join(map(str, running))}"


def keep(topic, key, snapshot, value):
    """Store the result, and drop what no result kept from now on can need."""
    now = timezone.now()
    kept = KeptResult.objects.db_manager(router.db_for_write(KeptResult))
    kept.update_or_create(
        topic=topic, key=key, defaults={"snapshot": snapshot, "value": pickle.dumps(value), "made_at": now}
    )
    kept.filter(topic=topic, made_at__lt=now - KEEP).delete()
    with connections[kept.db].cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {TopicWrite._meta.db_table} WHERE topic = %s AND xid < ("  # noqa: S608
            f"SELECT min(pg_snapshot_xmin(snapshot::pg_snapshot)::text::bigint) "
            f"FROM {KeptResult._meta.db_table} WHERE topic = %s)",
            [topic, topic],
        )
