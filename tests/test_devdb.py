"""The embedded PostgreSQL the README's commands start when no DATABASE_URL is given keeps a
quarter of the machine's memory as its buffer cache, not initdb's 128 MB."""

import os
import subprocess
import sys
from pathlib import Path

from devtools.devdb import BUFFER_CACHE_MB, buffer_cache_mb

ROOT = Path(__file__).resolve().parent.parent
GB = 2**30


def test_a_quarter_of_the_memory_within_bounds():
    assert buffer_cache_mb(24 * GB) == 6 * 1024
    assert buffer_cache_mb(2 * GB) == 512
    assert buffer_cache_mb(256 * GB) == 8 * 1024 == BUFFER_CACHE_MB[1]
    assert buffer_cache_mb(GB // 4) == 128 == BUFFER_CACHE_MB[0]  # never below initdb's
    assert BUFFER_CACHE_MB[0] <= buffer_cache_mb() <= BUFFER_CACHE_MB[1]  # this machine's


def test_a_new_server_starts_with_it(tmp_path):
    """initdb writes 128 MB; the wrapper sets the cache and restarts the server it just made."""
    import pgserver

    psql = Path(pgserver.__file__).parent / "pginstall" / "bin" / "psql"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["ARCHIVE_PGDATA"] = str(tmp_path / "pgdata")
    shown = subprocess.run(
        [
            sys.executable,
            "-m",
            "devtools.devdb",
            "run",
            "--",
            "sh",
            "-c",
            f'"{psql}" "$DATABASE_URL" -Atc '
            "\"SELECT setting::bigint * 8 / 1024 FROM pg_settings WHERE name = 'shared_buffers'\"",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert shown.split() == [str(buffer_cache_mb())]
