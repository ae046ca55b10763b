"""Judgement check and objection list on an archive of 500 000 objections across 20 000 customers.

    python -m bench.judgement            # DATABASE_URL from the environment (make bench)
    BENCH_OBJECTIONS=100000 python -m bench.judgement

The archive is generated in a database of its own on the same server
(`<database>_bench`, created and migrated if missing; override with
BENCH_DATABASE), by INSERT … SELECT generate_series — seconds, not the ORM row by
row — and kept for the next run. Then each case is timed over ~200 requests
through the Django test client (middleware, session, permissions, template or
JSON), p50 and p95, against a baseline measured in the same run:

- judgement check: the same requests with the index `quality_objection_judgement`
  dropped inside a transaction that is rolled back (so the planner falls back to
  the customer index), and with both customer-leading indexes dropped;
- objection list: the page's search via `gram_search` against the plain
  `icontains` search the list would do without the gram index.
"""

import os
import random
import statistics
import sys
import time
from urllib.parse import urlsplit, urlunsplit

OBJECTIONS = int(os.environ.get("BENCH_OBJECTIONS", 500_000))
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", 20_000))
CALLS = int(os.environ.get("BENCH_CALLS", 200))
SEED = 20260101


def use_bench_database():
    """Point DATABASE_URL at a database of its own, created if missing."""
    import psycopg2

    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("DATABASE_URL is not set: run through `make bench` or give a PostgreSQL URL.")
    parts = urlsplit(url)
    name = os.environ.get("BENCH_DATABASE") or f"{parts.path.lstrip('/') or 'archive'}_bench"
    server = urlunsplit(parts._replace(path="/postgres"))
    conn = psycopg2.connect(server)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    return name


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive_site.settings_test")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("HTTPS", "false")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# Data ----------------------------------------------------------------------

POSITIONS = ["边部", "中部", "头部", "尾部", "上表面", "下表面", "距边 30 mm 处", "全长"]
PHRASES = [
    "客户冲压后发现{d}，位于{p}，长约{n} mm",
    "来料检验发现{d}，{p}较明显，呈周期性分布",
    "开卷后{p}出现{d}，影响外观件使用",
    "{d}，{p}，客户要求退货或降级",
    "客户生产线停线，{p}{d}，约{n}处/米",
]
CAUSES = [
    "平整机工作辊表面粘附异物造成辊印",
    "连退炉辊结瘤导致表面划伤",
    "酸洗不净，残留氧化铁皮",
    "卷取张力过大，层间错动划伤",
    "包装破损，运输途中进水锈蚀",
    "",
    "",
]


def sql_literal_list(values):
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def int_array(values):
    return "ARRAY[" + ",".join(str(int(v)) for v in values) + "]"


def insert_select(cursor, model, n, overrides):
    """INSERT INTO model's table SELECT … FROM generate_series(1, n) AS i.

    `overrides`: {column: SQL expression in i}. Every other column gets its
    field's default (or NULL, or ''), so fields added later by other modules
    don't break the bench.
    """
    columns, values, params = [], [], []
    for field in model._meta.concrete_fields:
        column = field.column
        if field.primary_key and column not in overrides:
            continue
        columns.append(f'"{column}"')
        if column in overrides:
            values.append(overrides[column].replace("%", "%%"))
        elif field.null:
            values.append("NULL")
        elif field.has_default():
            default = field.get_default()
            values.append("%s")
            params.append(default)
        elif field.get_internal_type() in ("CharField", "TextField"):
            values.append("''")
        else:
            values.append("0")
    table = model._meta.db_table
    select = f"SELECT {', '.join(values)} FROM generate_series(1, {n}) AS i"
    cursor.execute(f'INSERT INTO "{table}" ({", ".join(columns)}) {select}', params)


def generate():
    from django.db import connection, transaction

    from archive_site.models import DictEntry, DictKind
    from customers.models import Customer
    from quality.models import Objection, ObjectionCounter

    have = Objection.objects.count()
    if have >= OBJECTIONS and Customer.objects.filter(code__startswith="B").count() >= CUSTOMERS:
        print(f"archive: reusing {have:,} objections already generated")
        return
    started = time.perf_counter()
    category = DictEntry.objects.get(kind=DictKind.CUSTOMER_CATEGORY, code="AUTO").pk
    defects = list(
        DictEntry.objects.of(DictKind.DEFECT_TYPE).order_by("sort_order", "code").values_list("pk", "name")
    )
    grades = list(DictEntry.objects.of(DictKind.PRODUCTION_GRADE).values_list("pk", flat=True))
    lines = list(DictEntry.objects.of(DictKind.PRODUCTION_LINE).values_list("pk", flat=True))
    table = Objection._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # No history events and no foreign-key triggers for generated rows.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f'TRUNCATE "{table}", "{ObjectionCounter._meta.db_table}" CASCADE')
        cursor.execute("DELETE FROM customers_customer WHERE code LIKE 'B%%'")
        cursor.execute("SELECT setseed(%s)", [0.42])
        insert_select(
            cursor,
            Customer,
            CUSTOMERS,
            {
                "code": "'B' || lpad(i::text, 6, '0')",
                "name": "'基准客户' || i || '号汽车零部件有限公司'",
                "short_name": "'基准' || i",
                "category_id": str(category),
                "status": "'active'",
                "created_at": "now()",
                "updated_at": "now()",
                "version": "1",
            },
        )
        cursor.execute("SELECT min(id) FROM customers_customer WHERE code LIKE 'B%%'")
        first_customer = cursor.fetchone()[0]
        # Indexes are dropped for the load and built again after it: much faster.
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT LIKE '%%pkey' AND indexname NOT LIKE '%%_unique'",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        defect_ids = int_array(pk for pk, _ in defects)
        defect_names = sql_literal_list([name for _, name in defects])
        phrases = sql_literal_list(PHRASES)
        positions = sql_literal_list(POSITIONS)
        causes = sql_literal_list(CAUSES)
        # A few defect types are far more frequent than others (Pareto), mild
        # severities more frequent than severe ones, dates over seven years.
        cursor.execute(
            f"""
            CREATE TEMP TABLE bench_rows ON COMMIT DROP AS
            SELECT i,
                   {first_customer} + floor(random() * {CUSTOMERS})::int AS customer_id,
                   1 + floor({len(defects)} * power(random(), 2))::int AS d,
                   1 + floor(4 * power(random(), 1.6))::int AS severity,
                   date '2019-01-01' + floor(random() * 2555)::int AS received,
                   1 + floor(random() * {len(PHRASES)})::int AS phrase,
                   1 + floor(random() * {len(POSITIONS)})::int AS position,
                   1 + floor(random() * {len(CAUSES)})::int AS cause,
                   random() AS r
            FROM generate_series(1, {OBJECTIONS}) AS i
            """
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_numbered ON COMMIT DROP AS SELECT *, row_number() "
            "OVER (PARTITION BY extract(year FROM received) ORDER BY received, i) AS seq FROM bench_rows"
        )
        columns, values, params = [], [], []
        overrides = {
            "number": "'ZY-' || extract(year FROM b.received)::int || '-' || "
            "CASE WHEN b.seq < 10000 THEN lpad(b.seq::text, 4, '0') ELSE b.seq::text END",
            "kind": "CASE WHEN b.r < 0.15 THEN 'complaint' ELSE 'objection' END",
            "customer_id": "b.customer_id",
            "received_date": "b.received",
            "status": "CASE WHEN b.received < date '2026-01-01' THEN 'closed' "
            "WHEN b.r < 0.3 THEN 'registered' WHEN b.r < 0.6 THEN 'investigating' ELSE 'measures_taken' END",
            "closed_date": "CASE WHEN b.received < date '2026-01-01' THEN b.received + 30 END",
            "coil_numbers": "ARRAY['C' || lpad(b.i::text, 9, '0')]::varchar[]",
            "production_grade_id": f"({int_array(grades)})[1 + b.i % {len(grades)}]",
            "thickness": "0.5 + (b.i % 20) * 0.1",
            "width": "900 + (b.i % 10) * 80",
            "tonnage": "round((b.r * 50)::numeric, 3)",
            "defect_type_id": f"({defect_ids})[b.d]",
            "severity": "b.severity",
            "description": f"replace(replace(replace(({phrases})[b.phrase], '{{d}}', ({defect_names})[b.d]), "
            f"'{{p}}', ({positions})[b.position]), '{{n}}', (b.i % 97 + 3)::text)",
            "cause": f"({causes})[b.cause]",
            "responsible_line_id": f"({int_array(lines)})[1 + b.i % {len(lines)}]",
            "claim_amount": "CASE WHEN b.r > 0.7 THEN round((b.r * 60000)::numeric, 2) ELSE 0 END",
            "created_at": "now()",
            "updated_at": "now()",
            "version": "1",
        }
        for field in Objection._meta.concrete_fields:
            if field.primary_key:
                continue
            columns.append(f'"{field.column}"')
            if field.column in overrides:
                values.append(overrides[field.column].replace("%", "%%"))
            elif field.null:
                values.append("NULL")
            elif field.has_default():
                values.append("%s")
                params.append(field.get_default())
            else:
                values.append("''")
        cursor.execute(
            f'INSERT INTO "{table}" ({", ".join(columns)}) SELECT {", ".join(values)} FROM bench_numbered b',
            params,
        )
        cursor.execute(
            f'INSERT INTO "{ObjectionCounter._meta.db_table}" (year, last) '
            "SELECT extract(year FROM received)::int, count(*) FROM bench_rows GROUP BY 1"
        )
        loaded = time.perf_counter()
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL max_parallel_maintenance_workers = 2")
        for name, definition in indexes:
            t = time.perf_counter()
            cursor.execute(definition)
            print(f"archive: index {name} built in {time.perf_counter() - t:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f'VACUUM ANALYZE "{table}"')
        cursor.execute("ANALYZE customers_customer")
    print(
        f"archive: generated {OBJECTIONS:,} objections across {CUSTOMERS:,} customers in "
        f"{loaded - started:.1f} s, indexes rebuilt in {time.perf_counter() - loaded:.1f} s"
    )


# Timing --------------------------------------------------------------------


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


def report(rows):
    print(f"\n{'case':58} {'p50 ms':>8} {'p95 ms':>8} {'vs baseline':>12}")
    for label, ms, baseline in rows:
        p50, p95 = summary(ms)
        ratio = ""
        if baseline is not None:
            b50, _ = summary(baseline)
            ratio = f"{b50 / p50:.1f}× faster" if p50 else ""
        print(f"{label:58} {p50:8.1f} {p95:8.1f} {ratio:>12}")


class dropped_indexes:
    """Inside a transaction that is rolled back: these indexes do not exist."""

    def __init__(self, *names):
        self.names = names

    def __enter__(self):
        from django.db import connection, transaction

        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        with connection.cursor() as cursor:
            for name in self.names:
                cursor.execute(f'DROP INDEX "{name}"')

    def __exit__(self, *exc):
        from django.db import transaction

        transaction.set_rollback(True)
        self.atomic.__exit__(*exc)


def main():
    database = use_bench_database()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Q
    from django.test import Client
    from django.urls import reverse

    from archive_site.accounts import roles
    from archive_site.models import DictEntry, DictKind
    from customers.models import Customer
    from quality.models import Objection

    print(f"database: {database}")
    generate()
    total = Objection.objects.count()
    print(f"archive: {total:,} objections, {Customer.objects.count():,} customers")

    User = get_user_model()
    inspector, _ = User.objects.get_or_create(username="bench-quality", defaults={"name": "判定员"})
    inspector.groups.set([Group.objects.get(name=roles.QUALITY)])
    sales, _ = User.objects.get_or_create(username="bench-sales", defaults={"name": "销售"})
    sales.groups.set([Group.objects.get(name=roles.SALES)])
    # The sales user keeps 50 customers: the judgement check then runs through `visible_to`.
    Customer.objects.filter(sales_owner=sales).update(sales_owner=None)
    own = list(
        Customer.objects.filter(code__startswith="B").order_by("code").values_list("pk", flat=True)[:50]
    )
    Customer.objects.filter(pk__in=own).update(sales_owner=sales)

    rng = random.Random(SEED)
    codes = list(Customer.objects.filter(code__startswith="B").values_list("code", flat=True))
    own_codes = list(Customer.objects.filter(pk__in=own).values_list("code", flat=True))
    defects = list(DictEntry.objects.of(DictKind.DEFECT_TYPE).values_list("code", flat=True))
    questions = [(rng.choice(codes), rng.choice(defects), rng.randint(1, 4)) for _ in range(CALLS)]
    own_questions = [(rng.choice(own_codes), rng.choice(defects), rng.randint(1, 4)) for _ in range(CALLS)]

    client = Client()
    client.force_login(inspector)
    sales_client = Client()
    sales_client.force_login(sales)
    page, api = reverse("quality:judgement"), reverse("quality:judgement-api")

    def ask(c, url):
        def request(customer, defect, severity):
            response = c.get(url, {"customer": customer, "defect": defect, "severity": severity})
            assert response.status_code == 200, response.status_code

        return request

    def query_only(customer, defect, severity):
        c = Customer.objects.get(code=customer)
        d = DictEntry.objects.get(kind=DictKind.DEFECT_TYPE, code=defect)
        Objection.objects.judge(c, d, severity)

    blocked = sum(
        1
        for q in questions[:50]
        if not client.get(api, dict(zip(("customer", "defect", "severity"), q, strict=True))).json()[
            "may_judge_qualified"
        ]
    )
    print(f"judgement: {blocked} of the first 50 questions answer 不得判定为合格")

    rows = []
    with dropped_indexes("quality_objection_judgement"):
        base_api = timed(questions, ask(client, api))
    with dropped_indexes("quality_objection_judgement", "quality_objection_customer"):
        base_scan = timed(questions[:40], ask(client, api))
    rows.append(("judgement API, baseline: no judgement index", base_api, None))
    rows.append(("judgement API, baseline: no customer index (40 calls)", base_scan, None))
    with_index = timed(questions, ask(client, api))
    rows.append(("judgement API /quality/api/judgement", with_index, base_api))
    rows.append(("  same, against the baseline without customer index", with_index, base_scan))
    rows.append(("judgement query only (ORM, no HTTP)", timed(questions, query_only), None))
    rows.append(
        ("judgement page /quality/judgement/ (HTML, thumbnails)", timed(questions, ask(client, page)), None)
    )
    rows.append(
        (
            "judgement API as a scoped sales user (visible_to)",
            timed(own_questions, ask(sales_client, api)),
            None,
        )
    )

    # The objection list: first page and count, as the page shows them.
    lst = reverse("quality:objection-list")

    def list_get(params):
        response = client.get(lst, params)
        assert response.status_code == 200

    def naive(term):
        qs = Objection.objects.filter(Q(description__icontains=term) | Q(cause__icontains=term))
        qs.count()
        list(qs.select_related("customer", "defect_type")[:50])

    def grams(term):
        qs = Objection.objects.search(term)
        qs.count()
        list(qs.select_related("customer", "defect_type")[:50])

    terms = ["划伤", "辊印", "锈蚀", "夹杂", "浪形", "油斑", "压痕", "边裂"]
    searches = [(terms[i % len(terms)],) for i in range(CALLS)]
    naive_ms = timed(searches[:60], naive)
    rows.append(("list search, baseline: icontains, no gram index (60 calls)", naive_ms, None))
    rows.append(("list search query (gram_search: count + first page)", timed(searches, grams), naive_ms))
    rows.append(
        (
            "list page, two-character search ?q=划伤…",
            timed([({"q": t},) for (t,) in searches], list_get),
            None,
        )
    )
    rows.append(("list page, unfiltered (count of all + first page)", timed([({},)] * CALLS, list_get), None))
    rows.append(
        (
            "list page, one customer",
            timed([({"customer": rng.choice(codes)},) for _ in range(CALLS)], list_get),
            None,
        )
    )
    rows.append(
        (
            "list page, defect type + severity",
            timed(
                [
                    (
                        {
                            "defect_type": DictEntry.objects.get(
                                kind=DictKind.DEFECT_TYPE, code=rng.choice(defects)
                            ).pk,
                            "severity": rng.randint(1, 4),
                        },
                    )
                    for _ in range(CALLS)
                ],
                list_get,
            ),
            None,
        )
    )
    report(rows)


if __name__ == "__main__":
    main()
