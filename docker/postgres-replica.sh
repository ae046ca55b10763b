#!/bin/sh
# The streaming replica (hot standby) of the "scale" profile (docker-compose.yml).
# On its first start it copies the primary `db` with pg_basebackup (the WAL written
# meanwhile streamed along) and writes the standby configuration (-R: standby.signal
# and primary_conninfo, on the slot that postgres-replication.sh made); from then on
# it replays the primary's WAL as it comes and answers read-only queries.
set -eu
if [ -z "${PGPASSWORD:-}" ]; then
    echo "Set POSTGRES_REPLICATION_PASSWORD (the same for db and db-replica)." >&2
    exit 1
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    until gosu postgres pg_basebackup --host=db --username=replicator --pgdata="$PGDATA" \
        --wal-method=stream --write-recovery-conf --slot=archive_replica --checkpoint=fast; do
        echo "Waiting for the primary to accept the replication connection ..."
        find "$PGDATA" -mindepth 1 -delete
        sleep 5
    done
fi
exec docker-entrypoint.sh postgres -c shared_buffers="${POSTGRES_SHARED_BUFFERS:-1GB}"
