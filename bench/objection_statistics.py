"""The objection statistics page's figures on the generated archive: one pass against one query per table.

    make bench BENCH=objection_statistics
    BENCH_REPEAT=5 python -m bench.objection_statistics   # DATABASE_URL from the environment

The page (quality/statistics/objections.py and rates.py) folds every table — sensitivity,
customers per defect type, months, the top customers by claims and by objections, the rates by
production grade, end use and month — from grouped sums. `tally` and `rates.delivered` group the
objections and the deliveries of the range in one statement each (GROUPING SETS); the baseline,
in the same run over the same filters, is `tally_per_table` and `rates.delivered_per_table`:
one aggregate query per table, as the page ran before (less the duplicates it also ran: the
totals and the months of the rates, and the top customers by claims, are now read off the other
tables). Each case is timed BENCH_REPEAT times (default 5), p50 of `compute` + `rates.compute`
(the page's database and Python time without the rendering), and both paths must give the same
figures.

For a user who sees every customer the page keeps the sums until a table they read is written
(`archive_site.kept`): "kept, after a write" times the page's path with nothing kept (the
computation and the keeping), "kept, again" the same call once the sums are kept.
"""

import datetime
import os
import statistics
import time

from bench.common import bench_users, compared, ensure_archive, setup_django, table

REPEAT = int(os.environ.get("BENCH_REPEAT", 5))


def main():
    setup_django()
    generated = ensure_archive()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from archive_site.models import KeptResult
    from customers.models import Customer
    from quality.models import Objection
    from quality.statistics import objections as page
    from quality.statistics import rates

    admin, _sales = bench_users()
    salesman = (
        Customer.objects.exclude(sales_owner=None)
        .values("sales_owner")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("sales_owner", flat=True)
        .first()
    )
    salesman = get_user_model().objects.get(pk=salesman)
    busiest = Customer.objects.get(
        pk=Objection.objects.order_by()
        .values("customer")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("customer", flat=True)
        .first()
    )
    start, end = page.default_range(timezone.localdate())
    year = {"start": datetime.date(2025, 1, 1), "end": datetime.date(2025, 12, 31)}
    cases = [
        ("last 12 months (the page's default)", admin, {"start": start, "end": end}),
        ("2025", admin, year),
        (f"2025, sales scope ({salesman.username})", salesman, year),
        ("one customer (the most objections), all years", admin, {"customer": busiest}),
    ]

    def run(user, params, tally, delivered, keep=False):
        stats = page.compute(Objection.objects.visible_to(user), tally=tally, keep=keep, **params)
        return rates.add_rates(stats, user, delivered=delivered, keep=keep)

    def forget():
        KeptResult.objects.all().delete()

    def figures(stats):
        r = stats["rates"]
        rated = [
            [(x.key, x.objections, x.claimed, x.delivered) for x in r[k] or []]
            for k in ("customers", "grades", "end_uses", "months")
        ]
        return (
            [(x.code, x.by_severity, x.tonnage, x.claims, x.last, x.customers) for x in stats["rows"]],
            stats["months"],
            stats["claims"].rows,
            (r["total"].objections, r["total"].claimed, r["total"].delivered),
            rated,
        )

    def timed(*args, before=None):
        times = []
        for _ in range(REPEAT):
            if before:
                before()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                result = run(*args)
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times), len(queries), result

    rows, problems = [], []
    for label, user, params in cases:
        new_ms, new_queries, new = timed(user, params, page.tally, rates.delivered)
        old_ms, old_queries, old = timed(user, params, page.tally_per_table, rates.delivered_per_table)
        if figures(new) != figures(old):
            problems.append(label)
        kept_cells = ["—", "—"]
        if Objection.objects.sees_everything(user):
            write_ms, _q, kept_new = timed(user, params, page.tally, rates.delivered, True, before=forget)
            again_ms, again_queries, kept_again = timed(user, params, page.tally, rates.delivered, True)
            if not figures(kept_new) == figures(kept_again) == figures(new):
                problems.append(f"{label} (kept)")
            kept_cells = [f"{write_ms:.0f}", f"{again_ms:.1f} ({again_queries} q)"]
        rows.append(
            [
                label,
                f"{new['total']:,}",
                f"{new_ms:.0f}",
                str(new_queries),
                f"{old_ms:.0f}",
                str(old_queries),
                compared(old_ms, new_ms),
                *kept_cells,
            ]
        )
        print(f"  measured {label}", flush=True)
    print()
    print(
        f"Objection statistics (compute + rates.compute) on the generated archive; p50 of {REPEAT} runs; "
        f"baseline = one aggregate query per table (tally_per_table, delivered_per_table), same run; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(
        table(
            [
                "case",
                "objections",
                "one pass ms",
                "queries",
                "per table ms",
                "queries",
                "vs per table",
                "kept, after a write ms",
                "kept, again ms",
            ],
            rows,
        )
    )
    print("\nSame figures on every path: " + ("yes" if not problems else "NO: " + ", ".join(problems)))
    if generated:
        print(f"\nArchive generation: {generated:.0f} s")


if __name__ == "__main__":
    main()
