"""A salesman's objection pages with the customer key's statistics kept short, and at the default
target (the baseline).

    BENCH_SCALE=10 python -m bench.scope_statistics     # DATABASE_URL from the environment

A scoped user's rows are selected by `customer_id = ANY('{…}')`, his customers' ids as one array
(`lookups.AnyOf`). PostgreSQL plans that by estimating each id's rows against the most common
keys ANALYZE kept: up to 100 at the default statistics target, 10 since
`lookups.scope_key_statistics`. The planning grows with the size of his scope: at 10× the
generator's first salesman has about 5 000 customers. Each request is made with the short list
and, in a transaction rolled back afterwards, with the column set back to the default target and
analysed again (`common.alternated`); the planning time of the list's own queries is printed
for both. The administrator's list, which has no array, is the control.
"""

import re
import statistics

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

TABLE, COLUMN = "quality_objection", "customer_id"
CASES = (
    ("quality:objection-list", {}),
    ("quality:objection-list", {"q": "辊印"}),
    ("quality:objection-list", {"status": "investigating"}),
    ("search", {"q": "辊印"}),
)


def at_the_default_target():
    """The requests inside run on statistics of the default target: set and analysed in a transaction
    rolled back after."""
    return rolled_back(
        f"ALTER TABLE {TABLE} ALTER COLUMN {COLUMN} SET STATISTICS -1", f"ANALYZE {TABLE} ({COLUMN})"
    )


def planning_ms(client, url, params):
    """The planning time of the page's queries that compare the customer key with an array."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    total = 0.0
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            if not re.search(rf'"{TABLE}"\."{COLUMN}" = ANY\(', query["sql"]):
                continue
            best = []
            for _ in range(3):
                cursor.execute("EXPLAIN (SUMMARY) " + query["sql"])
                lines = [row[0] for row in cursor.fetchall()]
                best.append(float(next(x for x in lines if x.startswith("Planning Time")).split()[2]))
            total += min(best)
    return total


def main():
    setup_django()
    ensure_archive()
    from django.test import Client
    from django.urls import reverse

    from bench.common import bench_users
    from customers.models import Customer
    from quality.models import Objection

    admin, sales = bench_users()
    mine = Customer.objects.listed_for(sales).count()
    print(
        f"{Objection.objects.count():,} objections, {Customer.objects.count():,} customers, "
        f"{mine:,} of them the salesman's; {ROUNDS} rounds; {load()}"
    )
    print("\nBefore: the customer key analysed at the default statistics target")
    print(f"{'page':48} {ALTERNATED_HEADER}")
    planned = []
    for who, user, cases in (("sales", sales, CASES), ("admin", admin, CASES[:1])):
        client = Client()
        client.force_login(user)
        for name, params in cases:
            url = reverse(name)
            page = f"{url}?{'&'.join(f'{k}={v}' for k, v in params.items())} ({who})"
            measured = alternated(client, url, params, at_the_default_target)
            print(alternated_line(page, *measured, width=48), flush=True)
            if who == "sales":
                now = planning_ms(client, url, params)
                with at_the_default_target():
                    before = planning_ms(client, url, params)
                planned.append((page, before, now))
    print(f"\nPlanning the queries that compare {TABLE}.{COLUMN} with his array, ms (best of 3 each)")
    print(f"{'page':48} {'before':>8} {'now':>8}")
    for page, before, now in planned:
        print(f"{page:48} {before:8.1f} {now:8.1f}")
    print(f"median saved per page: {statistics.median(b - n for _p, b, n in planned):.1f} ms")


if __name__ == "__main__":
    main()
