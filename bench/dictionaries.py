"""A record with its dictionary entries: joined (the old path, the baseline) or loaded after the row.

    make bench BENCH=dictionaries
    BENCH_SCALE=0.01 python -m bench.dictionaries   # DATABASE_URL from the environment

A demand names up to 15 base-dictionary entries, a plan revision 3 (and its plan's
demand 15 more). Joined one by one (`select_related`), they made the demand page's
record query 18 LEFT JOINs: PostgreSQL searched join orders for 40–70 ms to plan a
query that ran in about 10. `with_dictionaries()` reads the record with its few
other joins and then the entries in one query by id.

For each record kind: EXPLAIN (ANALYZE, SUMMARY) planning and execution time of
the record's query (the new path: the record's query plus the entries' query,
summed), and the server time of its page through the test client, with the old
path put back in the view as the baseline, in the same run. Medians over
BENCH_REQUESTS records (default 20). The machine's load average is printed: planning
is CPU time, and slows with a busy machine.
"""

import os
import random
import statistics
import time
from contextlib import contextmanager

from bench.common import bench_users, compared, ensure_archive, setup_django, table

REQUESTS = int(os.environ.get("BENCH_REQUESTS", 20))

OLD_DEMAND_RELATED = [
    "customer",
    "customer__category",
    "customer__sales_owner",
    "delivery_grade",
    "production_grade",
    "surface_quality",
    "surface_structure",
    "roughness",
    "oil_type",
    "packaging",
    "edge_condition",
    "end_use",
    "cold_forming",
    "forming_difficulty",
    "usage_location",
    "welding",
    "created_by",
    "updated_by",
]
OLD_REVISION_RELATED = [
    "production_grade",
    "surface_quality",
    "end_use",
    "approved_by",
    "created_by",
    "updated_by",
]


def explain(queryset):
    """(planning ms, execution ms) of the queries fetching `queryset` runs, summed: EXPLAIN (ANALYZE,
    SUMMARY) of each, as it was sent (the record's query, and the entries' one on the new path)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        list(queryset)
    planning = execution = 0.0
    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute("EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) " + query["sql"])
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else plan
            planning += plan["Planning Time"]
            execution += plan["Execution Time"]
    return planning, execution


@contextmanager
def patched(module, **values):
    saved = {name: getattr(module, name) for name in values}
    for name, value in values.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


def page_ms(client, urls):
    times = []
    for url in urls:
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main():
    setup_django()
    generated = ensure_archive()
    from django.test import Client

    from customers import views as customer_views
    from customers.models import Demand
    from quality.models import PlanRevision
    from quality.views import plans as plan_views

    admin, _ = bench_users()
    client = Client()
    client.force_login(admin)
    rng = random.Random(5)
    demand_ids = rng.sample(list(Demand.objects.values_list("pk", flat=True)[:5000]), REQUESTS)
    revision_ids = rng.sample(list(PlanRevision.objects.values_list("pk", flat=True)[:5000]), REQUESTS)

    def old_demand(user, pk, perm="customers.view_demand"):
        return Demand.objects.select_related(*OLD_DEMAND_RELATED).get_visible_or_404(user, pk, perm)

    def old_revision(user, pk, perm="quality.view_processplan"):
        revisions = PlanRevision.objects.select_related(
            "plan", "plan__customer", "plan__demand", *OLD_REVISION_RELATED
        )
        return revisions.get_visible_or_404(user, pk, perm)

    kinds = [
        (
            "需求 demand",
            demand_ids,
            Demand.objects.select_related(*OLD_DEMAND_RELATED),
            Demand.objects.select_related(*customer_views.DEMAND_RELATED).with_dictionaries(),
            "/customers/demands/{}/",
            lambda: patched(customer_views, get_demand_for_user=old_demand),
        ),
        (
            "方案版本 revision",
            revision_ids,
            PlanRevision.objects.select_related(
                "plan", "plan__customer", "plan__demand", *OLD_REVISION_RELATED
            ),
            PlanRevision.objects.select_related(
                "plan", "plan__customer", "plan__demand", *plan_views.REVISION_RELATED
            ).with_dictionaries(),
            "/quality/plans/revisions/{}/",
            lambda: patched(
                plan_views, get_revision_for_user=old_revision, REVISION_RELATED=OLD_REVISION_RELATED
            ),
        ),
    ]
    load_before = os.getloadavg()
    rows = []
    for label, ids, old_qs, new_qs, url, old_path in kinds:
        old_plan, old_exec, new_plan, new_exec = [], [], [], []
        for _ in range(2):  # the first round warms the caches (catalog, statistics)
            old_plan.clear(), old_exec.clear(), new_plan.clear(), new_exec.clear()
            for pk in ids:
                p, e = explain(old_qs.filter(pk=pk))
                old_plan.append(p), old_exec.append(e)
                p, e = explain(new_qs.filter(pk=pk))
                new_plan.append(p), new_exec.append(e)
        urls = [url.format(pk) for pk in ids]
        page_ms(client, urls[:3])
        with old_path():
            page_ms(client, urls[:3])
            old_page = page_ms(client, urls)
        new_page = page_ms(client, urls)
        med = statistics.median
        rows.append(
            [
                label,
                len(ids),
                f"{med(old_plan):.2f}",
                f"{med(new_plan):.2f}",
                f"{med(old_exec):.2f}",
                f"{med(new_exec):.2f}",
                f"{old_page:.1f}",
                f"{new_page:.1f}",
                compared(old_page, new_page),
            ]
        )
    load_after = os.getloadavg()
    print(
        "Record query with its dictionary entries, joined (old, baseline) vs loaded after the row in one "
        "query (new: both queries summed); medians, ms; page = server time through the test client"
    )
    headers = [
        "record",
        "n",
        "plan old",
        "plan new",
        "exec old",
        "exec new",
        "page old",
        "page new",
        "page",
    ]
    print(table(headers, rows))
    print(
        f"load average before {load_before[0]:.2f} {load_before[1]:.2f}, after {load_after[0]:.2f} "
        f"{load_after[1]:.2f} ({os.cpu_count()} CPUs)"
    )
    if generated:
        print(f"Archive generation: {generated:.0f} s")


if __name__ == "__main__":
    main()
