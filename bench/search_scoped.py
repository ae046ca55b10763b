"""A salesman's searches, this rule against the one before, alternated request by request.

    BENCH_SCALE=10 python -m bench.search_scoped       # DATABASE_URL from the environment
    BENCH_TERMS="划伤 车门" BENCH_ROUNDS=8 python -m bench.search_scoped

The generator's first salesman (gen-sales-01: 593 customers at scale 1, 5 600 at 10) searches
his objection list and the header search for common terms (划伤, 辊印, 锈, 油斑), a term rare
in objections and common in demands and parts (车门) and one found nowhere (无此词). Each
request is made twice, once as today and once as before (`bench.search.salesman_walked`: his
rows always checked directly, never through the gram index, and his capped counts taken in
any order), the two in turn so that neither gets the warmer cache; the first round is not
counted. It prints each case's p50 and the time its queries took, and the ratio.
"""

import os
import statistics
import time

from bench.common import ensure_archive, setup_django

TERMS = os.environ.get("BENCH_TERMS", "划伤 辊印 锈 油斑 车门 无此词").split()
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 8))


def main():
    setup_django()
    ensure_archive()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bench.common import bench_users
    from bench.search import salesman_walked
    from quality.models import Objection

    _admin, sales = bench_users()
    client = Client()
    client.force_login(sales)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{Objection.objects.count():,} objections; {sales.username}; {ROUNDS} rounds; load average {load}")
    print(f"{'page':24} {'term':6} {'before p50':>11} {'db':>8} {'now p50':>9} {'db':>7} {'ratio':>7}")
    for url in (reverse("quality:objection-list"), reverse("search")):
        for term in TERMS:
            times = {"before": [], "now": []}
            db = {"before": [], "now": []}
            for i in range(ROUNDS):
                for mode in ("before", "now") if i % 2 else ("now", "before"):
                    with CaptureQueriesContext(connection) as queries:
                        started = time.perf_counter()
                        if mode == "before":
                            with salesman_walked():
                                response = client.get(url, {"q": term})
                        else:
                            response = client.get(url, {"q": term})
                        ms = (time.perf_counter() - started) * 1000
                    assert response.status_code == 200, (url, term, response.status_code)
                    if i:
                        times[mode].append(ms)
                        db[mode].append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            before, now = statistics.median(times["before"]), statistics.median(times["now"])
            print(
                f"{url:24} {term:6} {before:11.1f} {statistics.median(db['before']):8.1f} "
                f"{now:9.1f} {statistics.median(db['now']):7.1f} {before / now:6.2f}×",
                flush=True,
            )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average at the end {load}")


if __name__ == "__main__":
    main()
