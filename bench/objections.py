"""Quality objections: importing 100 000 rows from a generated .xlsx, and a
200 000-row filtered export — the app's paths against django-import-export's stock ones.

    python -m bench.objections                       # DATABASE_URL from the environment (make bench)
    BENCH_IMPORT_OBJECTIONS=20000 BENCH_EXPORT=50000 python -m bench.objections
    BENCH_EXPORT=20000 python -m bench.objections export    # the export only
    BENCH_IMPORT_OBJECTIONS=10000 python -m bench.objections import    # the import only

Runs in a database of its own on the same server (`<database>_objections`,
created and migrated if missing; override with BENCH_DATABASE). Each path runs
in a fresh child process, so its peak memory (VmHWM, reset after start-up) is
its own.

Import (rows without a number: every number is drawn, per received year):
- bulk: what the worker does on "确认导入": read the file (caps, defusedxml),
  check every row, and write the rows a batch at a time as they pass
  (`imports.writer`: a thread of its own, one transaction; COPY; one counter
  update per year and batch), history recorded by the statement-level
  triggers. Its "check" stage includes the writes made meanwhile, its
  "apply" is the wait for the rest;
- checked_then_applied: the same, the whole file checked before any row is
  written (`Importer.check`, then `apply`): the baseline of writing while
  checking, and the path each baseline below changes one thing of;
- former: the same path as it was before a check kept the garbage collector
  to the newest objects, COPY's text was built a column at a time and a row's
  cells were read with what is worked out once per sheet (`bench.former_import`);
- events_indexed: the bulk path with the event table's references to people and
  dictionary entries indexed again (`bench.imports.index_event_values`);
- text_grams: the bulk path with the objections' gram index keeping its keys as text
  (over archive_grams), as before it kept numbers (`bench.imports.text_gram_indexes`);
- bulk_create: the same with the records written by `bulk_create` (one INSERT
  per batch) instead of COPY: the apply stage shows COPY's change;
- every_row: the same with every cell read, every field's rules run and every
  new record made by `model()` on every row (`bench.common.check_every_row`),
  as before a value repeated down a column was read and checked once: the check
  stage shows that change;
- before: today's path before the change, the baseline: the file read by
  openpyxl (bench/openpyxl_read.py), every row checked in full, history recorded
  by row-level triggers (one trigger call per row written), records written by
  `bulk_create`. The read stage shows the reader's change, the apply stage the
  triggers' and COPY's;
- stock: the same resource's `import_data` (tablib reads the file), the
  per-row path, one number drawn per row. Too slow for 100 000 rows, it runs
  on the first BENCH_STOCK_ROWS rows of the same data (default 2 000) and its
  rows per second are compared; the output says so.

Export (the objection list filtered to 200 000 of 250 000 rows, kind = 质量异议):
- stream: the import module's export as `imports:export` serves it (rows read
  with `values_list`, written by rustpy-xlsxwriter in constant memory to a
  temporary file);
- openpyxl: the path before it, the baseline (bench/openpyxl_export.py): records
  rendered by their widgets, openpyxl's write-only workbook, a cell object per value;
- stock: the resource's `export()` to a tablib Dataset, then .xlsx, all in
  memory: on BENCH_STOCK_EXPORT rows (default 10 000), time and memory growth
  extrapolated per row to the full size; the output says so.

Prints rows per second and peak memory for each, and the ratios.
"""

import datetime
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import compared, stock_resource
from bench.imports import (
    bench_user,
    comparisons,
    drop_indexes,
    history_events,
    index_event_values,
    not_a_generated_archive,
    peak_mb,
    reset_peak,
    run_bulk,
    run_child,
    setup_django,
    text_gram_indexes,
)

ROWS = int(os.environ.get("BENCH_IMPORT_OBJECTIONS", 100_000))
STOCK_ROWS = min(ROWS, int(os.environ.get("BENCH_STOCK_ROWS", 2_000)))
EXPORT_ROWS = int(os.environ.get("BENCH_EXPORT", 200_000))
EXPORT_TOTAL = EXPORT_ROWS * 5 // 4  # the filter selects 4 rows in 5
STOCK_EXPORT_ROWS = min(EXPORT_ROWS, int(os.environ.get("BENCH_STOCK_EXPORT", 10_000)))
# The paths that read, check and apply the whole file, the app's first and its baselines after.
IMPORT_PATHS = (
    "bulk",
    "checked_then_applied",
    "former",
    "events_indexed",
    "text_grams",
    "bulk_create",
    "every_row",
    "before",
)
CUSTOMERS = 2_000
FIRST_DAY = datetime.date(2020, 1, 1)  # of the rows topped up for the export
TABLES = (
    "quality_objectionphotoevent, quality_objectionphoto, quality_objectiontransitionevent, "
    "quality_objectiontransition, quality_objectionevent, quality_objection, quality_objectioncounter"
)


def use_bench_database():
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("DATABASE_URL is not set: run through `make bench` or give a PostgreSQL URL.")
    name = urlsplit(url).path.lstrip("/") or "archive"
    os.environ.setdefault("BENCH_DATABASE", f"{name}_objections")
    from bench.imports import use_bench_database as use

    return use()


def ensure_customers():
    from archive_site.models import DictEntry, DictKind
    from customers.models import Customer

    category = DictEntry.objects.of(DictKind.CUSTOMER_CATEGORY).first()
    have = set(Customer.objects.filter(code__startswith="Q").values_list("code", flat=True))
    Customer.objects.bulk_create(
        Customer(code=f"Q{i:05d}", name=f"基准异议客户{i:05d}有限公司", category=category)
        for i in range(CUSTOMERS)
        if f"Q{i:05d}" not in have
    )


def rows(count, seed=7):
    """Objection rows as the mill's archive has them: no number, Chinese values, dates as dates."""
    from archive_site.models import DictEntry, DictKind

    rng = random.Random(seed)
    defects = list(DictEntry.objects.of(DictKind.DEFECT_TYPE).values_list("name", flat=True))
    grades = list(DictEntry.objects.of(DictKind.PRODUCTION_GRADE).values_list("code", flat=True))
    lines = list(DictEntry.objects.of(DictKind.PRODUCTION_LINE).values_list("name", flat=True))
    severities = ["轻微", "一般", "严重", "重大"]
    start = datetime.date(2024, 1, 1)
    for i in range(count):
        defect = rng.choice(defects)
        yield [
            None,
            "质量异议" if i % 5 else "质量抱怨",
            f"Q{rng.randrange(CUSTOMERS):05d}",
            start + datetime.timedelta(days=rng.randrange(1000)),
            f"{24 + i % 3}C{i:06d} {24 + i % 3}C{i + 1:06d}",
            rng.choice(grades),
            round(rng.uniform(0.4, 2.5), 2),
            rng.choice((1000, 1250, 1500, 1650)),
            round(rng.uniform(1, 80), 3),
            defect,
            rng.choice(severities),
            f"客户反映{defect}，位置在带钢{rng.choice(PLACES)}，间距约 {rng.randint(1, 9)} m",
            f"调查第 {i} 条：工艺记录与辊面检查",
            rng.choice(lines),
            rng.choice((0, 0, 0, 5000, 12000.5)),
        ]


PLACES = ("边部", "中部", "头部", "尾部")
HEADERS = [
    "异议编号",
    "类别",
    "客户代码",
    "受理日期",
    "卷号",
    "生产牌号",
    "厚度(mm)",
    "宽度(mm)",
    "异议吨数(t)",
    "缺陷类型",
    "严重程度",
    "缺陷描述",
    "原因分析",
    "责任产线",
    "索赔金额(元)",
]


def generate(path, count):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("质量异议")
    sheet.append(HEADERS)
    for row in rows(count):
        sheet.append(row)
    workbook.save(path)


def empty_tables():
    from django.db import connection

    not_a_generated_archive()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLES} CASCADE")


def run_stock(path, user):
    import tablib

    from quality.resources.objections import ObjectionResource

    with open(path, "rb") as f:
        dataset = tablib.Dataset().load(f.read(), "xlsx")
    result = stock_resource(ObjectionResource)(user=user).import_data(dataset, use_transactions=True)
    if result.has_errors() or result.has_validation_errors():
        first = (result.row_errors() or [(None, [None])])[0][1][0]
        invalid = result.invalid_rows[:1]
        raise SystemExit(f"stock import found errors: {first and first.error} {invalid and invalid[0].error}")
    return result.total_rows


def fill_export_database():
    """EXPORT_TOTAL objections, EXPORT_ROWS of them of kind 质量异议 (what the filter selects).

    Kept between runs: filled (in SQL, history triggers off: this is the
    bench's fixture, not what it measures) only when the count differs.
    """
    from django.db import connection

    from archive_site.models import DictEntry, DictKind
    from customers.models import Customer
    from quality.models import Objection

    total = Objection.objects.count()
    objections = Objection.objects.filter(kind="objection").count()
    if (total, objections) == (EXPORT_TOTAL, EXPORT_ROWS):
        return objections, total, False
    user = bench_user()
    customers = list(Customer.objects.filter(code__startswith="Q").values_list("pk", flat=True))
    defects = list(DictEntry.objects.of(DictKind.DEFECT_TYPE).values_list("pk", flat=True))
    grades = list(DictEntry.objects.of(DictKind.PRODUCTION_GRADE).values_list("pk", flat=True))
    # The columns the SELECT below fills, in its order.
    filled = (
        "created_at", "updated_at", "version", "number", "kind", "received_date", "status", "coil_numbers",
        "thickness", "width", "tonnage", "severity", "description", "containment", "blocked_location",
        "cause", "cause_evidence", "solution", "verification", "preventive", "claim_amount", "created_by_id",
        "customer_id", "defect_type_id", "production_grade_id", "updated_by_id",
    )  # fmt: skip
    # Every other column that takes no NULL gets the model's default (fields added later too).
    defaults = {
        f.column: f.get_default()
        for f in Objection._meta.concrete_fields
        if not f.null and not f.primary_key and f.column not in filled
    }
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLES} CASCADE")
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            """
            INSERT INTO quality_objection ({columns})
            SELECT now(), now(), 1, 'ZY-2020-' || lpad(g::text, 6, '0'),
                CASE WHEN g %% 5 = 0 THEN 'complaint' ELSE 'objection' END,
                %(first)s::date + (g * 7919 %% 1400), 'registered', ARRAY['20C' || lpad(g::text, 6, '0')],
                0.5 + (g %% 20) / 10.0, 1000 + (g %% 4) * 250, 1 + g %% 60, 1 + g %% 4,
                '基准数据第 ' || g || ' 条：带钢表面缺陷，间距约 ' || (g %% 9 + 1) || ' m',
                '', '', '辊面缺陷',
                '', '', '', '', (g %% 3) * 5000, %(user)s,
                (%(customers)s::bigint[])[1 + g %% %(nc)s], (%(defects)s::bigint[])[1 + g %% %(nd)s],
                (%(grades)s::bigint[])[1 + g %% %(ng)s], %(user)s{defaults}
            FROM generate_series(1, %(total)s) AS g
            """.format(
                columns=", ".join((*filled, *defaults)),
                defaults="".join(f", %({column})s" for column in defaults),
            ),
            {
                "first": FIRST_DAY,
                "user": user.pk,
                "customers": customers,
                "nc": len(customers),
                "defects": defects,
                "nd": len(defects),
                "grades": grades,
                "ng": len(grades),
                "total": EXPORT_TOTAL,
                **defaults,
            },
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE quality_objection")
    return Objection.objects.filter(kind="objection").count(), Objection.objects.count(), True


def export_request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/imports/objections/export.xlsx", {"kind": "objection"})
    request.user = user
    return request


def run_export(user):
    from archive_site.excel import xlsx_response
    from imports.modules import get_module

    response = xlsx_response("objections.xlsx", get_module("objections").export_sheets(export_request(user)))
    size = sum(len(chunk) for chunk in response.streaming_content)
    response.close()
    return EXPORT_ROWS, size


def run_openpyxl_export(user):
    """Today's path before rustpy-xlsxwriter: records rendered by their widgets, openpyxl cells."""
    import tempfile

    from bench.openpyxl_export import export_sheets, write_workbook
    from imports.modules import get_module

    with tempfile.TemporaryFile() as out:
        write_workbook(out, export_sheets(get_module("objections"), export_request(user)))
        size = out.tell()
    return EXPORT_ROWS, size


def run_stock_export(user):
    from quality.resources.objections import ObjectionResource

    resource = ObjectionResource(user=user)
    queryset = resource.export_queryset(export_request(user))[:STOCK_EXPORT_ROWS]
    content = resource.export(queryset=queryset).export("xlsx")
    return STOCK_EXPORT_ROWS, len(content)


def child(variant, path):
    setup_django(migrate=variant == "prepare-export")
    from django.db import connection

    user = bench_user()
    if variant == "prepare-export":
        ensure_customers()
        started = time.perf_counter()
        objections, total, filled = fill_export_database()
        print(
            json.dumps(
                {
                    "objections": objections,
                    "total": total,
                    "filled": filled,
                    "seconds": time.perf_counter() - started,
                }
            )
        )
        return
    from bench import openpyxl_read
    from bench.common import check_every_row, insert_with_bulk_create, row_level_history
    from bench.former_import import former_import
    from quality.models import Objection

    if variant in (*IMPORT_PATHS, "stock"):
        empty_tables()
    if variant in ("former", "before"):
        former_import()  # before the patches below, which wrap what it puts back
    restore = row_level_history() if variant == "before" else None
    if variant in ("before", "bulk_create"):
        insert_with_bulk_create()
    if variant in ("before", "every_row"):
        check_every_row()
    unindexed = index_event_values((Objection,)) if variant == "events_indexed" else []
    numbered = text_gram_indexes((Objection,)) if variant == "text_grams" else None
    connection.close()
    reset_peak()
    base = peak_mb()
    start = time.perf_counter()
    size = 0
    stages = {}
    if variant in IMPORT_PATHS:
        reader = openpyxl_read.read if variant == "before" else None
        rows_done = run_bulk(path, user, "objections", stages, reader, streamed=variant == "bulk")
    elif variant == "stock":
        rows_done = run_stock(path, user)
    elif variant == "export":
        rows_done, size = run_export(user)
    elif variant == "openpyxl-export":
        rows_done, size = run_openpyxl_export(user)
    else:
        rows_done, size = run_stock_export(user)
    seconds = time.perf_counter() - start
    peak = peak_mb()
    if restore:
        restore()
    drop_indexes(unindexed)
    if numbered:
        numbered()
    history = {}
    if stages:
        written, events = history_events(user, (Objection,))
        stages = {k: round(v, 2) for k, v in stages.items()}
        history = {"stages": stages, "written": written, "events": events}
    print(
        json.dumps(
            {
                "variant": variant,
                "rows": rows_done,
                "seconds": seconds,
                "peak_mb": peak,
                "base_mb": base,
                "bytes": size,
            }
            | history
        )
    )


def spawn(variant, path=""):
    return run_child(variant, path, module="bench.objections")


def table(results, extrapolated):
    print(f"{'path':<22}{'rows':>9}{'seconds':>10}{'rows/s':>10}{'peak RSS MB':>13}{'(at start)':>12}")
    for variant, r in results.items():
        note = "  (sample, see below)" if variant in extrapolated else ""
        print(
            f"{variant:<22}{r['rows']:>9,}{r['seconds']:>10.1f}{r['rows'] / r['seconds']:>10,.0f}"
            f"{r['peak_mb']:>13.0f}{r['base_mb']:>12.0f}{note}"
        )


def main(only=None):
    name = use_bench_database()
    setup_django(migrate=True)
    bench_user()
    ensure_customers()
    if only != "export":
        run_imports(name)
    if only != "import":
        export(name)


def load_average():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run_imports(name):
    with tempfile.TemporaryDirectory() as tmp:
        full, sample = Path(tmp) / "objections.xlsx", Path(tmp) / "sample.xlsx"
        start = time.perf_counter()
        generate(full, ROWS)
        generate(sample, STOCK_ROWS)
        size = full.stat().st_size / 1e6
        print(
            f"Database {name}; file: {ROWS:,} objections without numbers, {size:.1f} MB "
            f"(and its first {STOCK_ROWS:,} rows for the stock path), generated in "
            f"{time.perf_counter() - start:.1f} s",
            flush=True,
        )
        print(f"load average before: {load_average()}", flush=True)
        imports = {
            "stock import": spawn("stock", sample),
            "bulk import": spawn("bulk", full),
            "checked_then_applied": spawn("checked_then_applied", full),
            "former": spawn("former", full),
            "events_indexed": spawn("events_indexed", full),
            "text_grams": spawn("text_grams", full),
            "bulk_create": spawn("bulk_create", full),
            "every_row": spawn("every_row", full),
            "before": spawn("before", full),
        }
        print(f"load average after: {load_average()}", flush=True)
    print("\nImport")
    table(imports, {"stock import"} if STOCK_ROWS < ROWS else set())
    bulk, stock = imports["bulk import"], imports["stock import"]
    for variant in ("bulk import", *IMPORT_PATHS[1:]):
        r = imports[variant]
        stages = "/".join(f"{r['stages'][k]:.1f}" for k in ("read", "check", "apply"))
        events = f"{r['events']:,} insert events for {r['written']:,} rows"
        print(f"{variant}: read/check/apply {stages} s; {events}")
    sequential = imports["checked_then_applied"]
    streaming = compared(sequential["seconds"], bulk["seconds"])
    print(f"written while checked, against checked then applied: {streaming}")
    print("\n".join(comparisons(imports, bulk, sequential)))
    speed = (bulk["rows"] / bulk["seconds"]) / (stock["rows"] / stock["seconds"])
    if STOCK_ROWS < ROWS:
        print(
            f"stock import ran on the first {STOCK_ROWS:,} rows of the same data (the per-row path would "
            f"take ~{ROWS / (stock['rows'] / stock['seconds']) / 60:.0f} min for {ROWS:,}); compared per row."
        )
    print(f"ratio bulk/stock: {speed:.1f}× rows per second")


def export(name):
    # The export runs on a database of its own, filled once and kept between runs.
    import_database = os.environ["DATABASE_URL"]
    os.environ["BENCH_DATABASE"] = f"{name}_export"
    export_name = use_bench_database()
    prepared = spawn("prepare-export")
    how = f"filled in {prepared['seconds']:.0f} s" if prepared["filled"] else "kept from an earlier run"
    print(
        f"\nExport: database {export_name}, {prepared['objections']:,} objections of kind 质量异议 "
        f"among {prepared['total']:,} ({how}); filter ?kind=objection",
        flush=True,
    )
    print(f"load average before: {load_average()}", flush=True)
    exports = {
        "stream export": spawn("export"),
        "openpyxl": spawn("openpyxl-export"),
        "stock export": spawn("stock-export"),
    }
    print(f"load average after: {load_average()}")
    os.environ["DATABASE_URL"] = import_database
    table(exports, {"stock export"} if STOCK_EXPORT_ROWS < EXPORT_ROWS else set())
    stream, openpyxl, stock = exports["stream export"], exports["openpyxl"], exports["stock export"]
    growth, baseline_growth = stream["peak_mb"] - stream["base_mb"], openpyxl["peak_mb"] - openpyxl["base_mb"]
    print(
        f"stream export (rustpy-xlsxwriter, values_list) against today's openpyxl path: "
        f"{compared(openpyxl['seconds'], stream['seconds'])}; memory growth "
        f"{growth:.0f} MB against {baseline_growth:.0f} MB"
    )
    factor = EXPORT_ROWS / stock["rows"]
    stock_seconds = stock["seconds"] * factor
    stock_growth = (stock["peak_mb"] - stock["base_mb"]) * factor
    stream_growth = stream["peak_mb"] - stream["base_mb"]
    if factor > 1:
        print(
            f"stock export ran on {stock['rows']:,} rows (tablib holds the whole sheet in memory); "
            f"extrapolated per row to {EXPORT_ROWS:,}: ~{stock_seconds:.0f} s, ~{stock_growth:,.0f} MB more."
        )
    print(
        f"stream export: {stream['bytes'] / 1e6:.1f} MB file, memory growth {stream_growth:.0f} MB; "
        f"stream against stock: {compared(stock_seconds, stream['seconds'])}, "
        f"{stream_growth / max(1.0, stock_growth):.3f}× the memory growth"
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])  # DATABASE_URL already names the bench database
    else:
        main(only=sys.argv[1] if sys.argv[1:] in (["export"], ["import"]) else None)
