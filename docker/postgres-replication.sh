#!/bin/sh
# Lets the streaming replica of the "scale" profile (docker-compose.yml) follow this
# server: a replication role, a physical replication slot that keeps the WAL the
# replica has not received yet (up to max_slot_wal_keep_size, so a replica that is
# gone for long cannot fill the primary's disk), and the pg_hba.conf line for it.
#
# Runs once, when the database volume is first initialised (docker-entrypoint-initdb.d),
# and only with POSTGRES_REPLICATION_PASSWORD set. On a database that already exists:
#   docker compose exec db sh /docker-entrypoint-initdb.d/20-replication.sh
# The entrypoint may source this file rather than run it: no `exit`, no `set -e`.
if [ -n "${POSTGRES_REPLICATION_PASSWORD:-}" ]; then
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
        -v password="$POSTGRES_REPLICATION_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD %L', :'password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'replicator') \gexec
SELECT pg_create_physical_replication_slot('archive_replica', true)
WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = 'archive_replica');
ALTER SYSTEM SET max_slot_wal_keep_size = '20GB';
SQL
    grep -q '^host replication replicator' "$PGDATA/pg_hba.conf" \
        || echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    psql --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -c "SELECT pg_reload_conf()" >/dev/null
fi
