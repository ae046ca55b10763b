"""Reaching the test database from other processes (app servers, commands, workers)."""

from urllib.parse import quote

from django.db import connection


def database_url(name=None):
    """A DATABASE_URL for database `name` (default: the test database) on the test server."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{quote(db['HOST'] or '', safe='')}{port}/{name or db['NAME']}"
