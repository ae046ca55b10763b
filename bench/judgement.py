"""The judgement check on a generated archive of 500 000 objections, against the old check.

    make bench BENCH=judgement
    BENCH_CALLS=200 python -m bench.judgement        # DATABASE_URL from the environment

The archive is made by `devtools/generator.py` (20 000 customers, 60 000 demands, 100 000
parts, 500 000 objections at scale 1) in a database of its own on the same server
(`<database>_judgement`, or BENCH_DATABASE), and kept for the next run: the first run
takes several minutes. A few thousand alerts from similar customers are added, so the
answer's alert lookup is not trivially empty.

The questions are drawn from the archive as an inspector would ask them: a customer and a
defect it has objected to, a severity, and the coil's product — half of them the part or
demand of that objection (the same product), a third another of the customer's demands
(another product), the rest no product at all. Each case is timed over BENCH_CALLS
requests after five warm-up calls, p50 and p95:

- baseline, the old check: customer × defect type × severity only (one aggregate and the
  latest matches with their photos, `old_judge` below, as `ObjectionQuerySet.judge` was);
- the new check through the ORM (closeness of the product, grounds, alerts), the same
  questions without their product, and with it;
- the JSON API and the page through Django's test client (middleware, session,
  permissions, form, JSON or template), as a quality inspector and as a scoped sales user;
- the objection list's search against a plain `icontains` (the gram index);
- which index earns its place: the API with and without product again without the judgement
  index (the old path, the baseline), with the indexes as shipped, and with no index that
  starts with the customer (each inside a transaction rolled back afterwards: the archive
  keeps its indexes).
"""

import os
import random
import statistics
import time

from bench.common import compared, database_name, database_of_its_own, load, rolled_back

CALLS = int(os.environ.get("BENCH_CALLS", 200))
GOAL_P95_MS = 20  # the judgement API's p95 at 5 million objections, here and in bench.scaling
ALERTS = int(os.environ.get("BENCH_ALERTS", 5000))
SEED = 20260101


def use_own_database():
    """Point DATABASE_URL at a database of its own, created if missing."""
    name = os.environ.get("BENCH_DATABASE") or f"{database_name()}_judgement"
    os.environ["DATABASE_URL"] = database_of_its_own(name)
    return name


# The old check, kept as the baseline --------------------------------------------


def old_judge(objections, customer, defect_type, severity, limit=10):
    """The judgement check before it knew the product: this customer's objections to this defect
    at `severity` or milder (count, latest date) and harsher (count, latest), and the latest matches."""
    from django.db.models import Count, Max, Q

    same = objections.filter(customer=customer, defect_type=defect_type)
    milder, harsher = Q(severity__lte=severity), Q(severity__gt=severity)
    answer = same.aggregate(
        count=Count("id", filter=milder),
        last=Max("received_date", filter=milder),
        harsher_count=Count("id", filter=harsher),
        harsher_last=Max("received_date", filter=harsher),
    )
    if answer["count"]:
        answer["matches"] = list(
            same.filter(milder)
            .select_related("production_grade")
            .prefetch_related("photos")
            .order_by("-received_date", "-id")[:limit]
        )
    return answer


# Data ----------------------------------------------------------------------------


def add_alerts(rng):
    """Alerts from similar customers (a lesson each from a random objection), once."""
    from django.db import connection

    from quality.models import Alert

    if Alert.objects.count() >= ALERTS:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO quality_alert (created_at, updated_at, version, customer_id, objection_id,
                                       defect_type_id, reason, message, active)
            SELECT now(), now(), 1, c.id, o.id, o.defect_type_id, '同牌号',
                   '对此缺陷敏感：同类客户' || o.number, true
            FROM (SELECT id, row_number() OVER (ORDER BY md5(id::text)) AS n FROM customers_customer) c
            JOIN (SELECT id, customer_id, defect_type_id, number,
                         row_number() OVER (ORDER BY md5(id::text)) AS n
                  FROM quality_objection) o ON o.n = c.n AND o.customer_id <> c.id
            WHERE c.n <= {ALERTS}
            ON CONFLICT DO NOTHING
            """
        )
        cursor.execute("ANALYZE quality_alert")


def questions(rng, n):
    """(query parameters, product kind) drawn from the archive's objections."""
    from customers.models import Demand
    from quality.models import Objection

    sample = list(
        Objection.objects.order_by("?").select_related("customer", "defect_type", "demand", "part")[:n]
    )
    demands = {}
    for customer, code in Demand.objects.filter(customer__in={o.customer_id for o in sample}).values_list(
        "customer", "code"
    ):
        demands.setdefault(customer, []).append(code)
    out = []
    for o in sample:
        query = {"customer": o.customer.code, "defect": o.defect_type.code, "severity": rng.randint(1, 4)}
        pick = rng.random()
        if pick < 0.5 and (o.part_id or o.demand_id):
            if o.part_id:
                query["part"] = o.part.number
            else:
                query["demand"] = o.demand.code
            kind = "same product"
        elif pick < 0.83 and demands.get(o.customer_id):
            query["demand"] = rng.choice(demands[o.customer_id])
            kind = "another product"
        else:
            kind = "no product"
        out.append((query, kind))
    return out


# Timing --------------------------------------------------------------------------


def timed(calls, request):
    """Milliseconds per call, after five warm-up calls."""
    for args in calls[:5]:
        request(*args)
    out = []
    for args in calls:
        t = time.perf_counter()
        request(*args)
        out.append((time.perf_counter() - t) * 1000)
    return out


def summary(ms):
    ms = sorted(ms)
    return statistics.median(ms), ms[max(0, round(0.95 * len(ms)) - 1)]


def ratio(ms, baseline):
    """The case against its baseline, said the right way round."""
    p50, _ = summary(ms)
    b50, _ = summary(baseline)
    return compared(b50, p50)


def report(rows):
    print(f"\n{'case':66} {'p50 ms':>8} {'p95 ms':>8} {'vs baseline':>14}")
    for label, ms, baseline in rows:
        p50, p95 = summary(ms)
        print(f"{label:66} {p50:8.1f} {p95:8.1f} {ratio(ms, baseline) if baseline else '':>14}")


JUDGEMENT_INDEX = "quality_objection_judgement"


def index_rows(cases, request):
    """The same calls without the judgement index (the check read a customer's objections by
    quality_objection_customer and filtered them by defect type in the table: the old path,
    the baseline), with the indexes as shipped, and with no index that starts with the
    customer (20 calls of each case): each setup in a transaction rolled back afterwards.
    `cases`: [(label, calls)]."""
    from django.db import connection

    from quality.models import Objection

    table = Objection._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [table, "%(customer_id%"],
        )
        on_customer = [name for (name,) in cursor.fetchall()]
    # (label, statements, calls): without an index on the customer every call reads the whole
    # table, and a few calls show it.
    setups = [
        ("without the judgement index (before)", [f'DROP INDEX "{JUDGEMENT_INDEX}"'], None),
        ("as shipped, with the judgement index", [], None),
        ("no index starting with the customer", [f'DROP INDEX "{name}"' for name in on_customer], 20),
    ]
    rows = []
    for case, calls in cases:
        baseline = None
        for label, statements, limit in setups:
            with rolled_back(*statements):
                ms = timed(calls[:limit], request)
            rows.append((f"judgement API {case}; {label}", ms, baseline))
            baseline = baseline or ms
    return rows


def main():
    database = use_own_database()
    from bench.common import ensure_archive, setup_django

    setup_django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Q
    from django.test import Client
    from django.urls import reverse

    from archive_site.accounts import roles
    from archive_site.models import DictEntry, DictKind
    from customers.models import Customer
    from quality.forms.objections import JudgementForm
    from quality.models import Alert, Objection

    print(f"database: {database}; {load()}")
    ensure_archive()
    rng = random.Random(SEED)
    add_alerts(rng)
    with_part = Objection.objects.filter(part__isnull=False).count()
    print(
        f"archive: {Objection.objects.count():,} objections ({with_part:,} naming their part), "
        f"{Customer.objects.count():,} customers, {Alert.objects.count():,} alerts"
    )

    User = get_user_model()
    inspector, _ = User.objects.get_or_create(username="bench-quality", defaults={"name": "判定员"})
    inspector.groups.set([Group.objects.get(name=roles.QUALITY)])
    sales = User.objects.get(username="gen-sales-01")

    asked = questions(rng, CALLS)
    plain = [({k: v for k, v in q.items() if k in ("customer", "defect", "severity")},) for q, _kind in asked]
    product = [(q,) for q, _kind in asked]
    kinds = {kind: sum(1 for _q, k in asked if k == kind) for _q, kind in asked}
    own = set(Customer.objects.visible_to(sales).values_list("code", flat=True))
    own_asked = [(q,) for (q,) in product if q["customer"] in own][:CALLS] or product[:1]

    def old_check(query):
        customer = Customer.objects.get(code=query["customer"])
        defect = DictEntry.objects.get(kind=DictKind.DEFECT_TYPE, code=query["defect"])
        old_judge(Objection.objects.all(), customer, defect, query["severity"])

    def new_check(query):
        form = JudgementForm(query, user=inspector)
        assert form.is_valid(), form.errors
        Objection.objects.judge(form.question(), alerts=Alert.objects.all())

    verdicts = {}
    for (query,), (_q, kind) in zip(product[:60], asked[:60], strict=True):
        form = JudgementForm(query, user=inspector)
        form.is_valid()
        verdict = Objection.objects.judge(form.question(), alerts=Alert.objects.all()).verdict
        verdicts.setdefault(kind, {}).setdefault(str(verdict), 0)
        verdicts[kind][str(verdict)] += 1
    print(f"questions: {kinds}; answers of the first 60 by product: {verdicts}")

    client = Client()
    client.force_login(inspector)
    sales_client = Client()
    sales_client.force_login(sales)
    page, api = reverse("quality:judgement"), reverse("quality:judgement-api")

    def ask(c, url):
        def request(query):
            response = c.get(url, query)
            assert response.status_code == 200, (response.status_code, query)

        return request

    rows = []
    old = timed(plain, old_check)
    rows.append(("baseline: the old check (customer × defect × severity, ORM)", old, None))
    rows.append(("new check, same questions without product (ORM)", timed(plain, new_check), old))
    rows.append(
        ("new check with the coil's product (ORM: form, closeness, alerts)", timed(product, new_check), old)
    )
    api_ms = timed(product, ask(client, api))
    rows.append(("judgement API /quality/api/judgement, with product", api_ms, old))
    rows.append(("judgement API, without product", timed(plain, ask(client, api)), old))
    rows.append(
        (
            "judgement page /quality/judgement/ (HTML, thumbnails), with product",
            timed(product, ask(client, page)),
            None,
        )
    )
    rows.append(
        (
            "judgement API as a scoped sales user (visible_to), with product",
            timed(own_asked, ask(sales_client, api)),
            None,
        )
    )

    # The objection list: first page and count, as the page shows them.
    def naive(term):
        qs = Objection.objects.filter(Q(description__icontains=term) | Q(cause__icontains=term))
        qs.count()
        list(qs.select_related("customer", "defect_type")[:50])

    def grams(term):
        qs = Objection.objects.search(term)
        qs.count()
        list(qs.select_related("customer", "defect_type")[:50])

    terms = ["划伤", "辊印", "锈蚀", "夹杂", "浪形", "油斑", "压痕", "边裂"]
    searches = [(terms[i % len(terms)],) for i in range(min(CALLS, 60))]
    naive_ms = timed(searches, naive)
    rows.append(("list search, baseline: icontains, no gram index", naive_ms, None))
    rows.append(("list search query (gram_search: count + first page)", timed(searches, grams), naive_ms))
    report(rows)
    report(index_rows([("with product", product), ("without product", plain)], ask(client, api)))
    p50, p95 = summary(api_ms)
    goal = "met" if p95 < GOAL_P95_MS else "NOT met"
    print(
        f"\njudgement API with product at {Objection.objects.count():,} objections: p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms (goal p95 < {GOAL_P95_MS} ms at 5 million objections: {goal}); {load()}"
    )


if __name__ == "__main__":
    main()
