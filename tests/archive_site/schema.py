"""The archive's own tables as the migrated database has them, for the tests that walk them."""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection


def project_models():
    """Every model with a table of its own in the archive's apps (those in the project's own
    folders), the event models of their history included; not the tables Django makes for a
    many-to-many field (their indexes and constraints are Django's own)."""
    ours = {c.label for c in apps.get_app_configs() if Path(c.path).parent == Path(settings.BASE_DIR)}
    assert {"archive_site", "customers", "quality", "products", "orders", "imports"} <= ours
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in ours and model._meta.managed and not model._meta.auto_created
    ]


def leading_columns(table):
    """The columns of `table` that lead an index, as the database has them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
            "WHERE i.indrelid = %s::regclass",
            [table],
        )
        return {column for (column,) in cursor.fetchall()}
