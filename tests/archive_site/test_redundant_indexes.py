"""No table of the archive keeps an index that another index of it already serves.

Django indexes every foreign key by itself; where a model also declares an index or a unique
constraint led by the same column (a customer's objections by date, a part's number within
its customer), the single-column index answers nothing the longer one does not, and every
insert, update and delete writes both."""

import pytest
from django.db import connection

from tests.archive_site.schema import project_models

pytestmark = pytest.mark.django_db

# Each btree index of a table, without a WHERE or an expression: its key columns with their
# operator classes (a `varchar_pattern_ops` index serves LIKE 'x%', not equality), and
# whether it enforces uniqueness (such an index is a constraint, never redundant).
INDEXES = """
SELECT c.relname, i.indisunique,
       (string_to_array(i.indkey::text, ' ')::int[])[1:i.indnkeyatts],
       (string_to_array(i.indclass::text, ' ')::oid[])[1:i.indnkeyatts]
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_am am ON am.oid = c.relam
WHERE i.indrelid = %s::regclass AND am.amname = 'btree' AND i.indpred IS NULL AND i.indexprs IS NULL
"""


def redundant_indexes(table):
    """[(index, the index that serves it)] of `table`: a non-unique index whose key columns
    lead another btree index's, with the same operator classes."""
    with connection.cursor() as cursor:
        cursor.execute(INDEXES, [table])
        indexes = cursor.fetchall()
    found = []
    for name, unique, columns, classes in indexes:
        if unique:
            continue
        n = len(columns)
        for other, _unique, other_columns, other_classes in indexes:
            led = other != name and other_columns[:n] == columns and other_classes[:n] == classes
            # of two indexes on exactly the same columns, the one whose name sorts first stays
            if led and (len(other_columns) > n or other < name):
                found.append((name, other))
                break
    return found


def test_no_table_of_the_archive_keeps_an_index_another_of_its_indexes_serves():
    tables = sorted(model._meta.db_table for model in project_models())
    assert len(tables) >= 60
    found = {table: redundant_indexes(table) for table in tables}
    assert {table: indexes for table, indexes in found.items() if indexes} == {}


def test_an_index_led_by_the_columns_of_another_is_found():
    """The walk sees a single-column index a longer one serves, and leaves alone a unique
    index and an index of another operator class on the same column."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE t (a int, b int, c text)")
        cursor.execute("CREATE INDEX t_a ON t (a)")
        cursor.execute("CREATE INDEX t_a_b ON t (a, b DESC) INCLUDE (c)")
        cursor.execute("CREATE UNIQUE INDEX t_b ON t (b)")
        cursor.execute("CREATE INDEX t_b_a ON t (b, a)")
        cursor.execute("CREATE INDEX t_c ON t (c)")
        cursor.execute("CREATE INDEX t_c_like ON t (c text_pattern_ops)")
        cursor.execute("CREATE INDEX t_c_partial ON t (c, a) WHERE a > 0")
    assert redundant_indexes("t") == [("t_a", "t_a_b")]
