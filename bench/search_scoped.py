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
compared as `key + 0` against in the joined customers' index (`ids_in_the_key_index`).
"""

import os
import statistics
import time

from bench.common import ensure_archive, setup_django

TERMS = os.environ.get("BENCH_TERMS", "划伤 辊印 锈 油斑 车门 无此词").split()
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 8))
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


def alternated(client, url, params, before):
    """({"before": [ms], "now": [ms]}, {"before": [db ms], "now": [db ms]}) of ROUNDS requests
    each, `before` (a context manager) around the baseline's, the two in turn."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, db = {"before": [], "now": []}, {"before": [], "now": []}
    for i in range(ROUNDS):
        for mode in ("before", "now") if i % 2 else ("now", "before"):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                if mode == "before":
                    with before():
                        response = client.get(url, params)
                else:
                    response = client.get(url, params)
                ms = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, params, response.status_code)
            if i:
                times[mode].append(ms)
                db[mode].append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
    return times, db


def line(page, times, db, width=40):
    before, now = statistics.median(times["before"]), statistics.median(times["now"])
    return (
        f"{page:{width}} {before:11.1f} {statistics.median(db['before']):8.1f} "
        f"{now:9.1f} {statistics.median(db['now']):7.1f} {before / now:6.2f}×"
    )


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
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{Objection.objects.count():,} objections; {sales.username}; {ROUNDS} rounds; load average {load}")
    header = f"{'before p50':>11} {'db':>8} {'now p50':>9} {'db':>7} {'ratio':>7}"
    print(f"\nSearched; before: his rows walked, no gram index, counted in any order\n{'page':40} {header}")
    for url in (reverse("quality:objection-list"), reverse("search")):
        for term in TERMS:
            measured = alternated(client, url, {"q": term}, salesman_walked)
            print(line(f"{url} ?q={term}", *measured), flush=True)
    print(f"\nHis customers' ids; before: ARRAY[1, 2, …], one constant per id\n{'page':40} {header}")
    for name, params in LISTS:
        url = reverse(name)
        query = f" ?q={params['q']}" if params else ""
        print(line(f"{url}{query}", *alternated(client, url, params, ids_as_array_expression)), flush=True)
    print(f"\nHis ids and the joined customers; before: in their key's index\n{'page':40} {header}")
    for name, params in JOINED:
        url = reverse(name)
        query = f" ?q={params['q']}" if params else ""
        print(line(f"{url}{query}", *alternated(client, url, params, ids_in_the_key_index)), flush=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average at the end {load}")


if __name__ == "__main__":
    main()
