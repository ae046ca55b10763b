"""The database backend of settings loaded without DATABASE_URL.

Commands that need no database (compilemessages, collectstatic, check) run;
anything that touches the database stops with a message saying what to set,
instead of Django's generic "supply the ENGINE value".
"""

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.dummy import base

MESSAGE = (
    "DATABASE_URL is not set. Run through `make run` / `make test`, which start "
    "the embedded PostgreSQL, or point it at your PostgreSQL server."
)


def complain(*args, **kwargs):
    raise ImproperlyConfigured(MESSAGE)


class DatabaseOperations(base.DatabaseOperations):
    quote_name = complain


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    _cursor = complain
    ensure_connection = complain
    _commit = complain
    _rollback = complain
    _close = complain
    _savepoint = complain
    _savepoint_commit = complain
    _savepoint_rollback = complain
    _set_autocommit = complain
