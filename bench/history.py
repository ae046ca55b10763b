"""Reading a record's history (`archive_site.history.events_for`) against django-pghistory's own
reading (`MiddlewareEvents.objects.references()`), the path before, on the generated archive.

    make bench BENCH=history
    BENCH_HISTORY_RECORDS=20 python -m bench.history     # DATABASE_URL from the environment

For BENCH_HISTORY_RECORDS records of each kind whose page shows a history (customers with the
duplicates merged into them, demands, plans with their revisions, objections, parts, orders),
first the reading alone: the newest 30 events both ways, in turn, checked to be the same
events; then each record's page through Django's test client as the administrator, with the
page's history read by pghistory's path patched in for the baseline (`bench.common.alternated`;
a plan's page then reads the plan's and its revisions' events in two queries, as it did).
"""

import os
import random
import statistics
import time
from contextlib import contextmanager

from bench.common import (
    ALTERNATED_HEADER,
    alternated,
    alternated_line,
    bench_users,
    compared,
    ensure_archive,
    load,
    percentile,
    setup_django,
    table,
)

RECORDS = int(os.environ.get("BENCH_HISTORY_RECORDS", 20))
SHOWN = 30  # the pages' HISTORY_SIZE
RNG_SEED = 12
# The modules whose views read a history, each importing `events_for` by name.
READERS = ("customers.views", "customers.sections", "quality.views.plans", "quality.views.objections")
READERS += ("orders.views", "products.views")


def pghistory_events(*objs, limit=None):
    """The reading before: pghistory's aggregate events, one query per model of the records
    given (a plan's page: the plan's, then its revisions'), merged newest first."""
    from pghistory.models import MiddlewareEvents

    by_model = {}
    for obj in objs:
        by_model.setdefault(type(obj), []).append(obj)
    events = []
    for rows in by_model.values():
        found = MiddlewareEvents.objects.references(*rows).select_related("user")
        events += found.order_by("-pgh_created_at", "-pgh_id")[:limit]
    events = {e.pgh_slug: e for e in events}.values()
    return sorted(events, key=lambda e: (e.pgh_created_at, e.pgh_id), reverse=True)[:limit]


@contextmanager
def read_by_pghistory():
    """The pages read their history by pghistory's aggregate, as before."""
    import importlib

    modules = [importlib.import_module(name) for name in READERS]
    kept = [module.events_for for module in modules]
    for module in modules:
        module.events_for = pghistory_events
    try:
        yield
    finally:
        for module, events_for in zip(modules, kept, strict=True):
            module.events_for = events_for


def records(rng):
    """(kind, records whose history one page reads, that page's URL) for each kind of page."""
    from django.urls import reverse

    from customers.models import Customer, Demand
    from orders.models import Order
    from products.models import Part
    from quality.models import Objection, ProcessPlan

    def sample(model):
        ids = list(model.objects.values_list("pk", flat=True)[:20_000])
        return list(model.objects.filter(pk__in=rng.sample(ids, min(RECORDS, len(ids)))))

    kinds = []
    for customer in sample(Customer):
        kinds.append(("客户 customer", customer.history_objects(), customer.get_absolute_url()))
    for demand in sample(Demand):
        kinds.append(("需求 demand", [demand], demand.get_absolute_url()))
    for plan in sample(ProcessPlan):
        url = reverse("quality:plan-detail", args=[plan.pk])
        kinds.append(("方案 plan and revisions", [plan, *plan.revisions.all()], url))
    for objection in sample(Objection):
        kinds.append(("异议 objection", [objection], objection.get_absolute_url()))
    for part in sample(Part):
        kinds.append(("零件 part", [part], part.get_absolute_url()))
    for order in sample(Order):
        kinds.append(("订单 order", [order], order.get_absolute_url()))
    return kinds


def main():
    setup_django()
    ensure_archive()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from archive_site.history import events_for

    rng = random.Random(RNG_SEED)
    sampled = records(rng)
    print(f"history of {RECORDS} records of each kind, the newest {SHOWN} events; {load()}")

    times = {}  # kind -> {"before": [ms], "now": [ms], "db before": [...], "db now": [...]}
    for round_ in range(4):
        for kind, objs, _url in sampled:
            ways = (("before", pghistory_events), ("now", events_for))
            for name, read in ways if round_ % 2 else reversed(ways):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    events = read(*objs, limit=SHOWN)
                    ms = (time.perf_counter() - started) * 1000
                if round_:
                    got = times.setdefault(kind, {})
                    got.setdefault(name, []).append(ms)
                    db = sum(float(q["time"]) for q in queries.captured_queries) * 1000
                    got.setdefault(f"db {name}", []).append(db)
                    keys = [(e.pgh_created_at, e.pgh_id) for e in events]
                    got.setdefault(f"events {name}", []).append(keys)
    rows = []
    for kind, got in times.items():
        assert got["events before"] == got["events now"], f"{kind}: not the same events"
        before, now = statistics.median(got["before"]), statistics.median(got["now"])
        rows.append(
            [
                kind,
                len(got["now"]),
                f"{before:.2f}",
                f"{percentile(got['before'], 95):.2f}",
                f"{statistics.median(got['db before']):.1f}",
                f"{now:.2f}",
                f"{percentile(got['now'], 95):.2f}",
                f"{statistics.median(got['db now']):.1f}",
                compared(before, now),
            ]
        )
    headers = ["history of", "n", "before p50 ms", "p95", "db p50", "now p50 ms", "p95", "db p50", "ratio"]
    print("\nReading alone (before: pghistory's MiddlewareEvents; db: the queries' time, DEBUG timing)")
    print(table(headers, rows))

    admin, _sales = bench_users()
    client = Client()
    client.force_login(admin)
    print("\nThe pages, as the administrator, alternated with their history read as before (ms)")
    print(f"{'page':40} {ALTERNATED_HEADER}")
    pages = {}
    for kind, _objs, url in sampled:
        pages.setdefault(kind, []).append(url)
    for kind, urls in pages.items():
        both, db = {"before": [], "now": []}, {"before": [], "now": []}
        for url in urls[:10]:
            t, d = alternated(client, url, {}, read_by_pghistory, rounds=4)
            for mode in both:
                both[mode] += t[mode]
                db[mode] += d[mode]
        print(alternated_line(kind, both, db))


if __name__ == "__main__":
    main()
