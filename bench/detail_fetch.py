"""A record page's fetch of its record (`VisibleQuerySet.get_visible_or_404`, with the records it
joins): its tables joined in the order written (`joins_in_written_order`) against PostgreSQL
searching every order, as before, on the generated archive.

    make bench BENCH=detail_fetch
    BENCH_DETAIL_RECORDS=10 python -m bench.detail_fetch    # DATABASE_URL from the environment

For BENCH_DETAIL_RECORDS records of each kind, as the administrator and as the generator's first
salesman: the planning time of the page's fetch both ways (EXPLAIN ANALYZE of the same SQL), and
then the pages themselves, alternated with the fetch made as before (`bench.common.alternated`).
"""

import os
import random
import statistics
from contextlib import contextmanager, nullcontext

from bench.common import (
    ALTERNATED_HEADER,
    alternated,
    alternated_line,
    bench_users,
    compared,
    ensure_archive,
    load,
    setup_django,
    table,
)

RECORDS = int(os.environ.get("BENCH_DETAIL_RECORDS", 10))
RNG_SEED = 13


@contextmanager
def fetched_as_before():
    """The pages fetch their record with PostgreSQL free to search every join order."""
    from unittest import mock

    from archive_site import models

    with mock.patch.object(models, "joins_in_written_order", lambda alias: nullcontext()):
        yield


def planning_ms(sql, params, written):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SET join_collapse_limit = {1 if written else 8}")
        cursor.execute(f"EXPLAIN (ANALYZE, SUMMARY) {sql}", params)
        lines = [row[0] for row in cursor.fetchall()]
        cursor.execute("RESET join_collapse_limit")
    return float(next(line for line in lines if line.startswith("Planning Time")).split()[2])


def main():
    setup_django()
    ensure_archive()
    from unittest import mock

    from django.test import Client
    from django.urls import reverse

    from archive_site.models import VisibleQuerySet
    from customers.models import Customer, Demand
    from orders.models import Order
    from products.models import Part
    from quality.models import Objection, PlanRevision, ProcessPlan

    pages = (
        ("客户 customer", Customer, lambda o: o.get_absolute_url()),
        ("需求 demand", Demand, lambda o: o.get_absolute_url()),
        ("方案 plan", ProcessPlan, lambda o: reverse("quality:plan-detail", args=[o.pk])),
        ("方案版本 revision", PlanRevision, lambda o: reverse("quality:revision-detail", args=[o.pk])),
        ("异议 objection", Objection, lambda o: o.get_absolute_url()),
        ("零件 part", Part, lambda o: o.get_absolute_url()),
        ("订单 order", Order, lambda o: o.get_absolute_url()),
    )
    rng = random.Random(RNG_SEED)
    admin, sales = bench_users()
    print(f"{RECORDS} records of each kind; {load()}")
    fetched = []
    original = VisibleQuerySet.get_visible_or_404

    def recorded(self, user, pk, perm=None):
        fetched.append(self.visible_to(user).filter(pk=int(pk)).query.sql_with_params())
        return original(self, user, pk, perm)

    rows, urls = [], {}
    for who, user in (("admin", admin), ("sales", sales)):
        client = Client()
        client.force_login(user)
        for label, model, url in pages:
            ids = list(model.objects.visible_to(user).values_list("pk", flat=True)[:20_000])
            records = model.objects.filter(pk__in=rng.sample(ids, min(RECORDS, len(ids))))
            urls[(label, who)] = [url(record) for record in records]
            times = {True: [], False: []}
            for address in urls[(label, who)]:
                fetched.clear()
                with mock.patch.object(VisibleQuerySet, "get_visible_or_404", recorded):
                    assert client.get(address).status_code == 200, address
                for sql, params in fetched:
                    for written in (False, True):
                        times[written].append(planning_ms(sql, params, written))
            before, now = statistics.median(times[False]), statistics.median(times[True])
            rows.append(
                [f"{label} ({who})", len(times[True]), f"{before:.2f}", f"{now:.2f}", compared(before, now)]
            )
    print("\nPlanning the page's fetch of its record (ms, p50; before: every join order searched)")
    print(table(["fetch", "n", "before", "written order", "ratio"], rows))

    print(f"\nThe pages, alternated with the fetch made as before (ms)\n{'page':40} {ALTERNATED_HEADER}")
    for who, user in (("admin", admin), ("sales", sales)):
        client = Client()
        client.force_login(user)
        for label, _model, _url in pages:
            both, db = {"before": [], "now": []}, {"before": [], "now": []}
            for address in urls[(label, who)]:
                t, d = alternated(client, address, {}, fetched_as_before, rounds=4)
                for mode in both:
                    both[mode] += t[mode]
                    db[mode] += d[mode]
            print(alternated_line(f"{label} ({who})", both, db))


if __name__ == "__main__":
    main()
