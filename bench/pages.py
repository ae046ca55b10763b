"""Server time and queries of every list, detail, statistics and judgement page on the generated archive.

    make bench BENCH=pages
    BENCH_SCALE=0.05 BENCH_REQUESTS=20 python -m bench.pages   # DATABASE_URL from the environment
    BENCH_ONLY=首页 make bench BENCH=pages                        # only the pages whose label has 首页

The archive (bench/common.py: 20 000 customers, 60 000 demands, 10 000 plans
with 200 000 runs, 500 000 objections, 100 000 parts at BENCH_SCALE=1) is
generated once and reused. Each page is requested BENCH_REQUESTS times
(default 20, at most BENCH_SECONDS=10 s per page) through Django's test client
in this process — URL routing, middleware, session, permissions, queries,
template — with varied page numbers, filters, searches and records, and timed
with the queries counted. The baseline, in the same run with the same kind of
request: Django admin's stock changelist (for a list) or change page (for a
record) of the same model, which is what staff would otherwise use. Ratio =
our p50 ÷ baseline p50 (below 1: faster than the admin).
"""

import os
import random
import time

from bench.common import (
    SCALE,
    bench_quality_user,
    bench_users,
    compared,
    ensure_archive,
    ensure_deadline_rules,
    percentile,
    setup_django,
    table,
)

REQUESTS = int(os.environ.get("BENCH_REQUESTS", 20))
ONLY = os.environ.get("BENCH_ONLY", "")  # measure only the pages whose label contains this
HOME_GOAL_P95_MS = 150  # the dashboard at 500 000 objections
# The work queues are the objection list with a due-date condition: measured against it.
QUEUES_AGAINST_LIST = {
    "异议工作队列 objection queues": "异议列表 objections",
    "异议工作队列 (sales scope)": "异议列表 (sales scope)",
}
SECONDS = float(os.environ.get("BENCH_SECONDS", 10))
RNG_SEED = 8


def measure(client, make_request, requests=None):
    """Time requests made by `make_request()` -> (path, params): (ms list, queries list, statuses)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, statuses = [], [], set()
    started = time.perf_counter()
    for i in range(requests or REQUESTS):
        path, params = make_request()
        connection.queries_log.clear()  # a full log (9 000 queries) would hide the count
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(path, params)
            if response.streaming:
                b"".join(response.streaming_content)
            else:
                response.content  # noqa: B018 (rendered already; keep the access explicit)
            times.append((time.perf_counter() - t0) * 1000)
        queries.append(len(ctx.captured_queries))
        statuses.add(response.status_code)
        if i >= 4 and time.perf_counter() - started > SECONDS:
            break
    return times, queries, statuses


class Data:
    """Ids and values to vary the requests with, drawn once from the archive."""

    def __init__(self, rng):
        from archive_site.models import DictEntry, DictKind
        from customers.models import Customer, Demand
        from products.models import Part
        from quality.models import Objection, ObjectionPhoto, PlanRevision, ProcessPlan

        self.rng = rng
        self.customers = list(Customer.objects.values_list("pk", "code", "name"))
        self.totals = {}  # of the user measured: customers and objections they see (page numbers)
        self.demand_ids = list(Demand.objects.values_list("pk", flat=True))
        self.plan_ids = list(ProcessPlan.objects.values_list("pk", flat=True))
        self.revision_ids = list(
            PlanRevision.objects.filter(status="approved", runs__isnull=False)
            .values_list("pk", flat=True)
            .distinct()[:5000]
        )
        bounds = Objection.objects.order_by("id").values_list("id", flat=True)
        self.objection_range = (bounds.first(), bounds.last())
        self.photo_objection_ids = list(
            ObjectionPhoto.objects.values_list("objection_id", flat=True).distinct()[:5000]
        )
        self.part_ids = list(Part.objects.values_list("pk", flat=True))
        self.defects = list(DictEntry.objects.of(DictKind.DEFECT_TYPE).values_list("pk", "code", "name"))
        self.grades = list(DictEntry.objects.of(DictKind.PRODUCTION_GRADE).values_list("pk", flat=True))
        self.car_models = list(DictEntry.objects.of(DictKind.CAR_MODEL).values_list("pk", flat=True))
        self.kinds = list(DictKind.values)
        self.judged = list(
            Objection.objects.order_by("?").values_list("customer_id", "customer__code", "defect_type__code")[
                :300
            ]
        )
        self.words = ["汽车", "电器", "钢桶", "长安", "华鑫", "有限", "青岛", "济南", "C001", "宏泰"]

    def customer(self):
        return self.rng.choice(self.customers)

    def objection_id(self):
        if self.rng.random() < 0.3 and self.photo_objection_ids:
            return self.rng.choice(self.photo_objection_ids)
        return self.rng.randint(*self.objection_range)

    def page(self, total, size=50, capped=True):
        """Mostly the first pages, sometimes deep ones (as people page and sort).

        Our lists link pages up to their capped count (`search.COUNT_CAP`) one "next" at a
        time and have no last-page link past it; Django admin's link every page to the last
        (`capped=False`)."""
        from archive_site.search import COUNT_CAP

        last = max(1, -(-total // size))
        if capped:
            last = min(last, COUNT_CAP // size + 1)
        return self.rng.choice([1, 1, 2, 3, self.rng.randint(1, last), last])

    def term(self):
        return self.rng.choice(self.words)

    def defect_term(self):
        return self.rng.choice(self.defects)[2][:2]


def cases(data, counts):
    """(page, our request, baseline request, user key): each request a function -> (path, params)."""
    from django.urls import reverse

    rng = data.rng
    r = rng.random

    def pick(*options):
        return rng.choice(options)

    def admin_list(model, **extra):
        return reverse(f"admin:{model}_changelist"), extra

    def customers():
        c = pick(
            {},
            {"page": data.page(data.totals["customers"])},
            {"q": data.term()},
            {"status": "active", "page": data.page(data.totals["customers"] * 0.8)},
            {"o": "-annual_demand"},
            {"region": "山东"},
        )
        return reverse("customers:customer-list"), c

    def customers_admin():
        c = pick(
            {},
            {"p": data.page(data.totals["customers"], 100, capped=False)},
            {"q": data.term()},
            {"status__exact": "active"},
            {"o": "-1"},
            {"region__icontains": "山东"},
        )
        return admin_list("customers_customer", **c)

    def objections():
        customer = data.customer()
        c = pick(
            {},
            {"page": data.page(data.totals["objections"])},
            {"q": data.defect_term()},
            {"customer": customer[2][:4]},
            {"status": "investigating"},
            {"severity": rng.randint(1, 4), "defect_type": rng.choice(data.defects)[0]},
            {"received_after": "2025-01-01", "received_before": "2025-03-31"},
        )
        return reverse("quality:objection-list"), c

    def queues():
        """The work queues and due-date filters: received-date ranges from the deadline rules."""
        c = pick(
            {"queue": "overdue"},
            {"queue": "week"},
            {"queue": "overdue", "page": 2},
            {"due_after": "2025-03-01", "due_before": "2025-03-31"},
            {"queue": "overdue", "severity": rng.randint(1, 4)},
        )
        return reverse("quality:objection-list"), c

    def objections_admin():
        customer = data.customer()
        c = pick(
            {},
            {"p": data.page(data.totals["objections"], 100, capped=False)},
            {"q": data.defect_term()},
            {"customer__id__exact": customer[0]},
            {"status__exact": "investigating"},
            {"severity__exact": rng.randint(1, 4), "defect_type__id__exact": rng.choice(data.defects)[0]},
            {"received_date__gte": "2025-01-01", "received_date__lte": "2025-03-31"},
        )
        return admin_list("quality_objection", **c)

    def demands():
        c = pick(
            {},
            {"page": data.page(counts["demands"])},
            {"customer": data.customer()[2][:4]},
            {"production_grade": rng.choice(data.grades), "thickness_min": "0.8", "thickness_max": "1.2"},
            {"name": "车门"},
        )
        return reverse("customers:demand-list"), c

    def demands_admin():
        c = pick(
            {},
            {"p": data.page(counts["demands"], 100, capped=False)},
            {"q": data.customer()[2][:4]},
            {
                "production_grade__id__exact": rng.choice(data.grades),
                "thickness__gte": "0.8",
                "thickness__lte": "1.2",
            },
            {"q": "车门"},
        )
        return admin_list("customers_demand", **c)

    def plans():
        c = pick(
            {},
            {"page": data.page(counts["plans"])},
            {"q": "GK-2020"},
            {"customer": data.customer()[2][:4]},
            {"production_grade": rng.choice(data.grades)},
        )
        return reverse("quality:plan-list"), c

    def plans_admin():
        c = pick(
            {},
            {"p": data.page(counts["plans"], 100, capped=False)},
            {"q": "GK-2020"},
            {"q": data.customer()[2][:4]},
        )
        return admin_list("quality_processplan", **c)

    def parts():
        c = pick(
            {},
            {"page": data.page(counts["parts"])},
            {"q": pick("门外板", "顶盖", "5001")},
            {"customer": data.customer()[2][:4]},
            {"customer_id": data.customer()[0]},
            {"car_model": rng.choice(data.car_models)},
        )
        return reverse("products:part-list"), c

    def parts_admin():
        c = pick(
            {},
            {"p": data.page(counts["parts"], 100, capped=False)},
            {"q": pick("门外板", "顶盖", "5001")},
            {"q": data.customer()[2][:4]},
            {"customer__id__exact": data.customer()[0]},
            {"car_model__id__exact": rng.choice(data.car_models)},
        )
        return admin_list("products_part", **c)

    def detail(name, ids):
        return lambda: (reverse(name, args=[ids()]), {})

    def change(model, ids):
        return lambda: (reverse(f"admin:{model}_change", args=[ids()]), {})

    def customer_id():
        return data.customer()[0]

    def demand_id():
        return rng.choice(data.demand_ids)

    def plan_id():
        return rng.choice(data.plan_ids)

    def revision_id():
        return rng.choice(data.revision_ids)

    def part_id():
        return rng.choice(data.part_ids)

    def stats():
        c = pick(
            {},
            {"customer": data.customer()[1]},
            {"customer": rng.choice(data.judged)[1]},
            {"date_from": "2025-01-01", "date_to": "2025-12-31"},
        )
        return reverse("quality:objection-stats"), c

    def work_stats():
        """On-time rates and lead times: the last twelve months by default, a customer, a year."""
        c = pick(
            {},
            {"customer": data.customer()[1]},
            {"customer": rng.choice(data.judged)[1]},
            {"date_from": "2025-01-01", "date_to": "2025-12-31"},
        )
        return reverse("quality:work-stats"), c

    def stats_admin():
        c = pick(
            {},
            {"customer__id__exact": data.customer()[0]},
            {"customer__id__exact": rng.choice(data.judged)[0]},
            {"received_date__gte": "2025-01-01", "received_date__lte": "2025-12-31"},
        )
        return admin_list("quality_objection", **c)

    def supply():
        customer = data.customer()
        c = pick(
            {},
            {"grade": "production"},
            {"q": customer[2][:4]},
            {"q": customer[2][:4], "customer": customer[0]},
        )
        return reverse("products:statistics"), c

    def supply_admin():
        customer = data.customer()
        c = pick({}, {"o": "-6"}, {"q": customer[2][:4]}, {"customer__id__exact": customer[0]})
        return admin_list("products_part", **c)

    def question():
        customer_id, code, defect = rng.choice(data.judged) if r() < 0.7 else (*data.customer()[:2], None)
        defect = defect or rng.choice(data.defects)[1]
        return customer_id, code, defect, rng.randint(1, 4)

    def judgement():
        _, code, defect, severity = question()
        return reverse("quality:judgement"), {"customer": code, "defect": defect, "severity": severity}

    def judgement_api():
        _, code, defect, severity = question()
        return reverse("quality:judgement-api"), {"customer": code, "defect": defect, "severity": severity}

    defect_ids = {code: pk for pk, code, _name in data.defects}

    def judgement_admin():
        customer_id, _, defect, severity = question()
        return admin_list(
            "quality_objection",
            customer__id__exact=customer_id,
            defect_type__id__exact=defect_ids[defect],
            severity__lte=severity,
        )

    def home():
        """The dashboard: figures, charts and the role's work, all in aggregate queries."""
        return reverse("home"), {}

    def dictionaries():
        return reverse("dictionary-list", args=[rng.choice(data.kinds)]), {}

    def dictionaries_admin():
        return admin_list("archive_site_dictentry", kind__exact=rng.choice(data.kinds))

    def picker():
        return reverse("customers:customer-picker"), {"q": data.term()}

    def picker_admin():
        return admin_list("customers_customer", q=data.term())

    def reuse():
        return reverse("quality:plan-reuse"), {
            "production_grade": rng.choice(data.grades),
            "thickness": pick("0.8", "1.0", "1.2", "1.5"),
            "width": pick("1200", "1500"),
        }

    def reuse_admin():
        return admin_list(
            "quality_planrevision",
            status__exact="approved",
            production_grade__id__exact=rng.choice(data.grades),
        )

    # fmt: off
    return [
        ("客户列表 customers", customers, customers_admin, "admin"),
        ("客户列表 (sales scope)", customers, customers_admin, "sales"),
        (
            "客户档案 customer detail",
            detail("customers:customer-detail", customer_id),
            change("customers_customer", customer_id),
            "admin",
        ),
        ("客户选择 customer picker", picker, picker_admin, "admin"),
        ("需求列表 demands", demands, demands_admin, "admin"),
        (
            "需求详情 demand detail",
            detail("customers:demand-detail", demand_id),
            change("customers_demand", demand_id),
            "admin",
        ),
        ("方案列表 plans", plans, plans_admin, "admin"),
        (
            "方案详情 plan detail",
            detail("quality:plan-detail", plan_id),
            change("quality_processplan", plan_id),
            "admin",
        ),
        (
            "方案版本 revision (set vs actual)",
            detail("quality:revision-detail", revision_id),
            change("quality_planrevision", revision_id),
            "admin",
        ),
        ("方案复用 plan reuse", reuse, reuse_admin, "admin"),
        ("异议列表 objections", objections, objections_admin, "admin"),
        ("异议列表 (sales scope)", objections, objections_admin, "sales"),
        ("异议工作队列 objection queues", queues, objections_admin, "admin"),
        ("异议工作队列 (sales scope)", queues, objections_admin, "sales"),
        (
            "异议详情 objection detail",
            detail("quality:objection-detail", data.objection_id),
            change("quality_objection", data.objection_id),
            "admin",
        ),
        ("异议统计 objection stats", stats, stats_admin, "admin"),
        ("异议处理统计 work stats", work_stats, stats_admin, "admin"),
        ("判定辅助 judgement check", judgement, judgement_admin, "admin"),
        ("判定 API judgement JSON", judgement_api, judgement_admin, "admin"),
        ("零件列表 parts", parts, parts_admin, "admin"),
        (
            "零件详情 part detail",
            detail("products:part-detail", part_id),
            change("products_part", part_id),
            "admin",
        ),
        ("供货统计 supply statistics", supply, supply_admin, "admin"),
        ("基础数据 dictionaries", dictionaries, dictionaries_admin, "admin"),
        # The home page against the objection list the same user would otherwise open.
        ("首页 home (quality)", home, objections, "quality"),
        ("首页 home (admin)", home, objections, "admin"),
        ("首页 home (sales scope)", home, objections, "sales"),
    ]
    # fmt: on


def main():
    setup_django()
    generated = ensure_archive()
    ensure_deadline_rules()
    from django.test import Client

    from devtools.generator import sizes

    admin, sales = bench_users()
    quality = bench_quality_user()
    clients = {}
    for key, user in (("admin", admin), ("sales", sales), ("quality", quality)):
        clients[key] = Client()
        clients[key].force_login(user)
    rng = random.Random(RNG_SEED)
    data = Data(rng)
    counts = sizes(SCALE)
    rows, problems, goals = [], [], []
    p50s = {}  # label: p50, for the work queues against the objection list of the same run
    started = time.perf_counter()
    from customers.models import Customer
    from quality.models import Objection

    totals = {
        key: {
            "customers": Customer.objects.visible_to(user).count(),
            "objections": Objection.objects.visible_to(user).count(),
        }
        for key, user in (("admin", admin), ("sales", sales), ("quality", quality))
    }
    for label, ours, baseline, who in cases(data, counts):
        if ONLY not in label:
            continue
        client = clients[who]
        data.totals = totals[who]
        measure(client, ours, 3)  # warm up: first-request costs (templates, caches) are not the page's
        measure(client, baseline, 3)
        t, q, s = measure(client, ours)
        bt, bq, bs = measure(client, baseline)
        for name, statuses in ((label, s), (f"{label} baseline", bs)):
            if statuses - {200}:
                problems.append(f"{name}: HTTP {sorted(statuses)}")
        p50, bp50 = percentile(t, 50), percentile(bt, 50)
        p50s[label] = p50
        if label.startswith("首页"):
            p95 = percentile(t, 95)
            met = "met" if p95 < HOME_GOAL_P95_MS else "NOT met"
            goals.append(
                f"{label}: p95 {p95:.1f} ms (goal < {HOME_GOAL_P95_MS} ms at 500 000 objections: {met}), "
                f"{compared(bp50, p50)} than the objection list (p50)"
            )
        rows.append(
            [
                label,
                len(t),
                f"{p50:.1f}",
                f"{percentile(t, 95):.1f}",
                f"{min(q)}–{max(q)}" if min(q) != max(q) else str(q[0]),
                f"{bp50:.1f}",
                f"{percentile(bt, 95):.1f}",
                f"{min(bq)}–{max(bq)}" if min(bq) != max(bq) else str(bq[0]),
                f"{p50 / bp50:.2f}",
            ]
        )
        print(f"  measured {label}", flush=True)
    headers = ["page", "n", "p50 ms", "p95 ms", "queries", "admin p50", "admin p95", "admin queries", "ratio"]
    print()
    print(
        f"Pages on the generated archive (scale {SCALE}: {counts['customers']:,} customers, "
        f"{counts['objections']:,} objections, {counts['parts']:,} parts); server time through the test "
        f"client; baseline = Django admin changelist / change page of the same model, same run; "
        f"ratio = p50 / admin p50"
    )
    print(table(headers, rows))
    for queue, listed in QUEUES_AGAINST_LIST.items():
        if queue in p50s and listed in p50s:
            against = compared(p50s[listed], p50s[queue])
            goals.append(f"{queue}: p50 {p50s[queue]:.1f} ms, {against} than {listed} (p50)")
    if goals:
        print("\n" + "\n".join(goals))
    if generated:
        print(f"\nArchive generation: {generated:.0f} s")
    print(f"Measuring: {time.perf_counter() - started:.0f} s")
    if problems:
        print("\nNot 200:\n  " + "\n  ".join(problems))


if __name__ == "__main__":
    main()
