"""A salesman's searches and lists against the paths before, alternated request by request.

    BENCH_SCALE=10 python -m bench.search_scoped       # DATABASE_URL from the environment
    BENCH_TERMS="划伤 车门" BENCH_ROUNDS=8 python -m bench.search_scoped

The generator's first salesman (gen-sales-01: 593 customers at scale 1, 5 600 at 10) searches
his objection list and the header search for common terms (划伤, 辊印, 锈, 油斑), a term rare
in objections and common in demands and parts (车门) and one found nowhere (无此词). Each
request is made twice, once as today and once as before (`bench.search.salesman_walked`: his
rows always checked directly, never through the gram index, and his capped counts taken in
any order), the two in turn so that neither gets the warmer cache; the first round is not
counted. It prints each case's p50 and the time its queries took, and the ratio.

Then his lists and header search with his customers' ids written into the SQL as they are
now (one array literal, `lookups.AnyOf`) against how they were (`ids_as_array_expression`:
psycopg2's ARRAY[1, 2, …] of one constant per id), alternated the same way; and his lists
ordered by the customer's code, searched for a part number and a rare term, with his ids
compared as `key + 0` against in the joined customers' index (`ids_in_the_key_index`); and
his lists with his ids read by the database as one array literal (`lookups.Ids`) against read
as a list of ids (`ids_as_a_list`); and
his lists with his customers' ids read from the owner index alone against how they were read
(`ids_from_the_rows`: ordered by code in the UNION, the index without the ids, so each of his
customers' rows was visited).

    BENCH_TABLES="owner" python -m bench.search_scoped   # only some tables: searched ids joined owner
"""

import os
from contextlib import contextmanager

from bench.common import (
    ALTERNATED_HEADER,
    ROUNDS,
    alternated,
    alternated_line,
    ensure_archive,
    load,
    rolled_back,
    setup_django,
)

TERMS = os.environ.get("BENCH_TERMS", "划伤 辊印 锈 油斑 车门 无此词").split()
TABLES = os.environ.get("BENCH_TABLES", "searched ids literal joined owner").split()
# (URL name, query) of the pages that read his customers' ids.
LISTS = (
    ("search", {"q": "辊印"}),
    ("search", {"q": "车门"}),
    ("quality:objection-list", {"q": "辊印"}),
    ("quality:objection-list", {}),
    ("customers:customer-list", {}),
    ("customers:demand-list", {}),
    ("quality:plan-list", {}),
    ("products:part-list", {}),
    ("orders:order-list", {}),
)


def ids_as_a_list():
    """His customers' ids as they were read: a Python list of them, one row each, which every
    filter built walks id by id and every query compiled joins into the array literal."""
    from unittest import mock

    from customers import models

    def customer_ids_of(user):
        if (ids := getattr(user, "_visible_customer_ids_as_list", None)) is None:
            ids = user._visible_customer_ids_as_list = list(
                models._customers_of(user).values_list("pk", flat=True)
            )
        return ids

    return mock.patch.object(models, "_customer_ids_of", customer_ids_of)


def ids_as_array_expression():
    """The ids as they were given: a Python list, which psycopg2 writes as ARRAY[1, 2, …]."""
    from unittest import mock

    from archive_site.lookups import AnyOf

    def get_db_prep_lookup(self, value, connection):
        return "%s", [[int(pk) for pk in value]]

    return mock.patch.object(AnyOf, "get_db_prep_lookup", get_db_prep_lookup)


# (URL name, query) of the lists that join the customers, searched.
JOINED = (
    ("products:part-list", {"q": "8969"}),
    ("products:part-list", {"q": "侧围外板"}),
    ("products:part-list", {}),
    ("customers:demand-list", {"q": "车门"}),
    ("search", {"q": "8969"}),
)


def ids_in_the_key_index():
    """Any number of ids compared with the joined customers' key in its index, as before."""
    from unittest import mock

    from archive_site import lookups

    return mock.patch.object(lookups, "INDEXED_IDS_MAX", 10**9)


@contextmanager
def ids_from_the_rows():
    """His customers' ids read as before: the owner index without the ids (in a transaction
    rolled back afterwards), and the owned customers ordered by code inside the UNION."""
    from unittest import mock

    from customers import models
    from customers.models import Customer, CustomerGroupShare, CustomerShare

    def customers_of(user):
        owned = Customer.objects.filter(sales_owner=user).values("pk")
        shared = CustomerShare.objects.filter(user=user).values("customer")
        return owned.union(shared, CustomerGroupShare.objects.of_groups_of(user).values("customer"))

    old_index = "CREATE INDEX customers_customer_owner ON customers_customer (sales_owner_id, code)"
    with (
        rolled_back("DROP INDEX customers_customer_owner", old_index),
        mock.patch.object(models, "_customers_of", customers_of),
    ):
        yield


def main():
    setup_django()
    ensure_archive()
    from django.test import Client
    from django.urls import reverse

    from bench.common import bench_users
    from bench.search import salesman_walked
    from quality.models import Objection

    _admin, sales = bench_users()
    client = Client()
    client.force_login(sales)
    print(f"{Objection.objects.count():,} objections; {sales.username}; {ROUNDS} rounds; {load()}")
    searched = [(name, {"q": term}) for name in ("quality:objection-list", "search") for term in TERMS]
    for table, title, cases, before in (
        (
            "searched",
            "Searched; before: his rows walked, no gram index, counted in any order",
            searched,
            salesman_walked,
        ),
        (
            "ids",
            "His customers' ids; before: ARRAY[1, 2, …], one constant per id",
            LISTS,
            ids_as_array_expression,
        ),
        (
            "literal",
            "His customers' ids; before: a list of them, walked by each filter, joined by each compile",
            LISTS,
            ids_as_a_list,
        ),
        (
            "joined",
            "His ids and the joined customers; before: in their key's index",
            JOINED,
            ids_in_the_key_index,
        ),
        (
            "owner",
            "His customers' ids read; before: ordered by code, his rows visited",
            LISTS,
            ids_from_the_rows,
        ),
    ):
        if table not in TABLES:
            continue
        print(f"\n{title}\n{'page':40} {ALTERNATED_HEADER}")
        for name, params in cases:
            url = reverse(name)
            query = f" ?q={params['q']}" if params else ""
            print(alternated_line(f"{url}{query}", *alternated(client, url, params, before)), flush=True)
    print(f"at the end: {load()}")


if __name__ == "__main__":
    main()
