"""Server time and queries of the archive-health and rate pages on the generated archive, against
the objection list measured in the same run (the list every user opens, 20–70 ms on this archive).

    make bench BENCH=health
    BENCH_SCALE=0.05 BENCH_REQUESTS=20 python -m bench.health   # DATABASE_URL from the environment

The archive (bench/common.py; at BENCH_SCALE=1: 20 000 customers, 500 000 objections, 100 000
orders with 600 000 delivered coils) is generated once and reused. Each page is requested
BENCH_REQUESTS times (default 20, at most BENCH_SECONDS=10 s per page) through Django's test
client — routing, middleware, session, permissions, queries, template — with varied filters,
pages and customers. Ratio = the page's p50 ÷ the objection list's p50 (admin, same run).
"""

import random
import time

from bench.common import SCALE, bench_users, ensure_archive, percentile, setup_django, table
from bench.pages import Data, cases, measure

RNG_SEED = 18


def health_cases(data, owners):
    """(page, request, user key): each request a function -> (path, params)."""
    from django.urls import reverse

    rng = data.rng

    def pick(*options):
        return rng.choice(options)

    def report():
        c = pick(
            {},
            {"page": data.page(data.totals["customers"])},
            {"sales_owner": rng.choice(owners)},
            {"below": 50},
            {"overdue": "on", "page": 2},
            {"q": data.term()},
            {"o": "-completeness"},
        )
        return reverse("customers:completeness-report"), c

    def maintenance():
        return reverse("customers:maintenance"), {}

    def rates():
        c = pick(
            {},
            {"customer": data.customer()[1]},
            {"date_from": "2025-01-01", "date_to": "2025-12-31"},
            {"date_from": "2024-01-01", "date_to": "2025-12-31", "kind": "objection"},
        )
        return reverse("quality:objection-stats"), c

    def supply():
        customer = data.customer()
        c = pick({}, {"grade": "production"}, {"q": customer[2][:4], "customer": customer[0]})
        return reverse("products:statistics"), c

    def orders():
        c = pick(
            {},
            {"page": rng.randint(1, 50)},
            {"customer": data.customer()[2][:4]},
            {"status": "delivering"},
            {"ordered_after": "2025-01-01", "ordered_before": "2025-03-31"},
        )
        return reverse("orders:order-list"), c

    def deliveries():
        c = pick({}, {"delivered_after": "2025-06-01", "delivered_before": "2025-06-30"}, {"coil": "25D"})
        return reverse("orders:delivery-list"), c

    def customer():
        return reverse("customers:customer-detail", args=[data.customer()[0]]), {}

    return [
        ("档案完整度 completeness report", report, "admin"),
        ("档案完整度 (sales scope)", report, "sales"),
        ("档案维护情况 maintenance figures", maintenance, "admin"),
        ("档案维护情况 (sales scope)", maintenance, "sales"),
        ("异议统计与异议率 objection rates", rates, "admin"),
        ("异议统计与异议率 (sales scope)", rates, "sales"),
        ("供货统计含交货吨数 supply + delivered", supply, "admin"),
        ("订单列表 orders", orders, "admin"),
        ("订单列表 (sales scope)", orders, "sales"),
        ("交货记录 deliveries", deliveries, "admin"),
        ("客户档案 customer page (completeness, orders)", customer, "admin"),
    ]


def main():
    setup_django()
    generated = ensure_archive()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from customers.models import Customer
    from devtools.generator import sizes
    from orders.models import Delivery, Order
    from quality.models import Objection

    admin, sales = bench_users()
    clients = {}
    for key, user in (("admin", admin), ("sales", sales)):
        clients[key] = Client()
        clients[key].force_login(user)
    rng = random.Random(RNG_SEED)
    data = Data(rng)
    counts = sizes(SCALE)
    totals = {
        key: {
            "customers": Customer.objects.visible_to(user).count(),
            "objections": Objection.objects.visible_to(user).count(),
        }
        for key, user in (("admin", admin), ("sales", sales))
    }
    owners = list(
        get_user_model().objects.filter(owned_customers__isnull=False).distinct().values_list("pk", flat=True)
    )
    baseline = next(c for c in cases(data, counts) if c[0] == "异议列表 objections")[1]
    started = time.perf_counter()
    data.totals = totals["admin"]
    measure(clients["admin"], baseline, 3)
    bt, bq, bs = measure(clients["admin"], baseline)
    bp50 = percentile(bt, 50)
    q = f"{min(bq)}–{max(bq)}" if min(bq) != max(bq) else str(bq[0])
    rows = [
        ["异议列表 objections (baseline)", len(bt), f"{bp50:.1f}", f"{percentile(bt, 95):.1f}", q, "1.00"]
    ]
    problems = [] if bs == {200} else [f"baseline: HTTP {sorted(bs)}"]
    for label, ours, who in health_cases(data, owners):
        data.totals = totals[who]
        measure(clients[who], ours, 3)  # warm up
        t, q, s = measure(clients[who], ours)
        if s - {200}:
            problems.append(f"{label}: HTTP {sorted(s)}")
        p50 = percentile(t, 50)
        queries = f"{min(q)}–{max(q)}" if min(q) != max(q) else str(q[0])
        rows.append([label, len(t), f"{p50:.1f}", f"{percentile(t, 95):.1f}", queries, f"{p50 / bp50:.2f}"])
        print(f"  measured {label}", flush=True)
    print()
    print(
        f"Archive health and rate pages on the generated archive (scale {SCALE}: {counts['customers']:,} "
        f"customers, {counts['objections']:,} objections, {Order.objects.count():,} orders, "
        f"{Delivery.objects.count():,} delivered coils); server time through the test client; "
        f"baseline = the objection list (admin), same run; ratio = p50 / baseline p50"
    )
    print(table(["page", "n", "p50 ms", "p95 ms", "queries", "ratio"], rows))
    if generated:
        print(f"\nArchive generation: {generated:.0f} s")
    print(f"Measuring: {time.perf_counter() - started:.0f} s")
    if problems:
        print("\nNot 200:\n  " + "\n  ".join(problems))


if __name__ == "__main__":
    main()
