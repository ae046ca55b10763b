"""Lookups PostgreSQL answers better than Django's own for some queries."""

from django.core.exceptions import EmptyResultSet
from django.db import connections, migrations
from django.db.models import BigAutoField, ForeignKey, Lookup
from django.db.models.sql.datastructures import Join

# More ids than this are compared with a joined table's key as a filter, never in its index: see
# `AnyOf`.
INDEXED_IDS_MAX = 100
# The most common values ANALYZE keeps of a customer key that scopes are compared with: see
# `scope_key_statistics`.
SCOPE_KEY_STATISTICS = 10


@ForeignKey.register_lookup
@BigAutoField.register_lookup
class AnyOf(Lookup):
    """`customer__any=[ids]`: `customer_id = ANY('{…}'::bigint[])`, the ids as one array
    parameter (and `pk__any=[ids]` on a table's own key), written as one literal. Given as a
    list, psycopg2 writes `ARRAY[1, 2, …]`, an expression of one constant per id that
    PostgreSQL parses and folds anew for every query: for a salesman's 5 600 customers
    about 8 ms a query (his customers counted in 11.3 ms, with the literal in 1.5; the header
    search asks ten such queries).

    The planner reads a literal array's values, so it estimates how many rows they select
    and filters an index walk with a hash of them; Django's `__in` sends one parameter per
    id (5 000 for a salesman's customers) and `__in=<subquery>` is estimated blind.

    When the query joins the related table anyway (a list ordered by the customer's code),
    the array is compared with that table's key instead: the same rows, since the join is on
    the key. Walking the customers in code order, PostgreSQL then filters each customer with
    a hash of the ids. On the foreign key, the array became part of the inner index lookup of
    every customer walked, and each lookup sorted the array again: the parts list of a
    salesman with 5 600 customers took 520 ms at 5 M objections instead of 1 ms. The joined
    key is as much an index column, though: when PostgreSQL starts from the other table (a
    rare term's rows from the gram index) and looks each one's customer up by key, the array
    was part of every lookup again (0.9 ms each: 200 ms for the 210 parts holding 8969). More
    than INDEXED_IDS_MAX ids are therefore compared as `(key + 0)`, which no index serves: a
    filter with a hash of them wherever the key is read. A few ids stay indexable, so a
    salesman with three customers still finds them by key.
    """

    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [value.literal if isinstance(value, Ids) else array_literal(value)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        key = joined_key(compiler, self.lhs)
        if key is not None:
            lhs, lhs_params = key, ()
            if len(self.rhs) > INDEXED_IDS_MAX:
                lhs = f"({lhs} + 0)"
        return f"{lhs} = ANY({rhs}::bigint[])", (*lhs_params, *rhs_params)


def scope_key_statistics(*tables, column="customer_id"):
    """The migration operation that keeps at most SCOPE_KEY_STATISTICS most common values of
    `column` (the customer key a user's scope is compared with, `AnyOf`) in the statistics of
    each of `tables`, and analyses them so that the shorter list is read at once.

    Planning `customer_id = ANY('{…}')` estimates the rows of each id in turn, and each id's
    estimate compares it with every most common value ANALYZE kept: up to 100 at the default
    statistics target. For a salesman's 5 079 customers that was 3.6 ms of planning for every
    query of his objection list at 5 million objections (executing it took 0.4–1 ms), against
    1.4 ms with ten kept; a key that is not among them is estimated from the number of distinct
    keys, which ANALYZE still counts on its whole sample. So a list query's planning grew with
    the size of the user's scope times the length of that list."""
    forward = [
        f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS {SCOPE_KEY_STATISTICS}" for table in tables
    ]
    backward = [f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS -1" for table in tables]
    analyse = f"ANALYZE {', '.join(tables)}"
    return migrations.RunSQL([*forward, analyse], [*backward, analyse])


def array_literal(keys):
    """Integer keys as PostgreSQL writes an array of them, `{1,2,3}`: one parameter for
    `= ANY(%s::bigint[])`, whatever the number of keys."""
    return "{" + ",".join(str(int(key)) for key in keys) + "}"


class Ids:
    """Keys for `__any`, as PostgreSQL writes an array of them (`{1,2,3}`), and how many: what
    the database found, written once by the database. Given as a list, the keys were walked
    every time a filter was built (the ORM resolves each as a possible expression: 1.6 ms
    for a salesman's 5 600 customers), joined into the literal every time a query was
    compiled (0.7 ms, three times for a list page, ten for the header search), and read
    into Python one row each (1.5 ms)."""

    def __init__(self, literal, count):
        self.literal, self.count = literal, count

    @classmethod
    def of(cls, queryset):
        """The keys `queryset` selects (one column of keys, such as `values("pk")`)."""
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:  # `none()`
            return cls("{}", 0)
        with connections[queryset.db].cursor() as cursor:
            array = "'{' || coalesce(string_agg(k::text, ','), '') || '}'"
            cursor.execute(f"SELECT count(*), {array} FROM ({sql}) ids(k)", params)
            count, literal = cursor.fetchone()
        return cls(literal, count)

    def __len__(self):
        return self.count

    def __iter__(self):
        return iter([int(key) for key in self.literal[1:-1].split(",") if key])

    def __eq__(self, other):
        return isinstance(other, Ids) and other.literal == self.literal

    def __hash__(self):
        return hash(self.literal)

    def __repr__(self):
        return f"<Ids: {self.count}>"


def joined_key(compiler, column):
    """The SQL of the key the foreign key `column` points to, in the table the query joins
    by that foreign key, if it does; else None."""
    query, quote = compiler.query, compiler.quote_name_unless_alias
    field = getattr(column, "target", None)
    alias = getattr(column, "alias", None)
    if field is None or alias is None:
        return None
    for name, join in query.alias_map.items():
        if (
            isinstance(join, Join)
            and query.alias_refcount.get(name)
            and join.parent_alias == alias
            and join.join_field == field
        ):
            return f"{quote(name)}.{quote(field.target_field.column)}"
    return None
