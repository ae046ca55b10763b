"""Import of 20 000 customers with their contacts from one generated .xlsx: the
app's bulk path against django-import-export's stock `Resource.import_data`.

    python -m bench.imports                       # DATABASE_URL from the environment (make bench)
    BENCH_IMPORT_CUSTOMERS=2000 python -m bench.imports
    BENCH_STOCK=0 python -m bench.imports         # without django-import-export's per-row path

Runs in a database of its own on the same server (`<database>_imports`,
created and migrated if missing; override with BENCH_DATABASE). The file is
generated once (openpyxl write-only); then each path runs in a fresh child
process on emptied customer tables, so its peak memory (VmHWM, reset after
start-up) is its own:

- bulk: what the worker does on "确认导入": read the file (caps, defusedxml),
  check every row, apply all rows in one transaction (COPY for new records, bulk_update),
  history recorded by the statement-level triggers;
- former: the same path as it was before a check kept the garbage collector to the
  newest objects, COPY's text was built a column at a time and a row's cells were read
  with what is worked out once per sheet (`bench.former_import`, kept verbatim): the
  baseline of those three changes;
- events_indexed: the bulk path with the event tables' references to people and dictionary
  entries indexed again, as before `archive_site.history.tracked` left them out (put back
  for the run, dropped after);
- text_grams: the bulk path with the gram indexes keeping their keys as text (over
  archive_grams), as before they kept numbers (rebuilt for the run, put back after);
- refused, refused_former: a customer sheet whose every row is refused (a phone that
  is no phone, a date that is no date) read and checked on this path and on the former
  one: what a refused row leaves behind for the garbage collector shows in the peak;
- bulk_create: the same with the new records written by `bulk_create` (one
  INSERT per batch) instead of COPY: the apply stage shows COPY's change;
- every_row: the same with every cell read, every field's rules run and every
  new record made by `model()` on every row (`bench.common.check_every_row`),
  as before a value repeated down a column was read and checked once: the check
  stage shows that change;
- before: the path before these changes, the baseline: the file read by
  openpyxl (bench/openpyxl_read.py), every row checked in full, history recorded
  by row-level triggers (one trigger call per row written), records written by
  `bulk_create`. The read stage shows the reader's change, the apply stage the
  triggers' and COPY's;
- stock: the same resources' `import_data` per sheet (tablib reads the file),
  django-import-export's per-row path, in one transaction per sheet.

Prints rows per second and peak memory for both, and the ratio (the figure we track).
"""

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import compared, database_name, database_of_its_own, stock_resource

CUSTOMERS = int(os.environ.get("BENCH_IMPORT_CUSTOMERS", 20_000))
CONTACTS_PER_CUSTOMER = 2
STOCK = os.environ.get("BENCH_STOCK", "1") != "0"  # BENCH_STOCK=0: leave out the slow per-row path


def load_average():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def use_bench_database():
    """Point DATABASE_URL at a database of its own, created if missing."""
    name = os.environ.get("BENCH_DATABASE") or f"{database_name()}_imports"
    os.environ["DATABASE_URL"] = database_of_its_own(name)
    return name


def setup_django(migrate=False):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive_site.settings_test")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("HTTPS", "false")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def bench_user():
    from django.contrib.auth import get_user_model

    from archive_site.accounts import roles

    user, created = get_user_model().objects.get_or_create(username="bench-admin", defaults={"name": "基准"})
    if created:
        from django.contrib.auth.models import Group

        user.groups.add(Group.objects.get(name=roles.ADMIN))
    return get_user_model().objects.get(pk=user.pk)


def generate(path):
    """An .xlsx like the mill's: a customer sheet and a contact sheet, Chinese headers."""
    from openpyxl import Workbook

    from customers.resources import ContactResource, CustomerResource

    categories = ["汽车板客户", "家电板客户", "APPLIANCE", "专用板客户", "OTHER"]
    regions = ["山东济南", "山东青岛", "河北唐山", "天津", "江苏苏州", "广东佛山"]
    workbook = Workbook(write_only=True)
    customers = workbook.create_sheet("客户")
    customers.append([str(f.column_name) for f in CustomerResource().get_export_fields()])
    for i in range(CUSTOMERS):
        customers.append(
            [
                f"B{i:06d}",
                f"基准客户{i:06d}有限公司",
                f"基准{i}",
                categories[i % len(categories)],
                "合作中" if i % 7 else "暂停合作",
                "汽车零部件",
                None,
                "张三",
                regions[i % len(regions)],
                f"工业路 {i} 号",
                f"0531-{80000000 + i}",
                None,
                1000 + i % 5000,
                45000 + i % 2000,
                None,
                "冲压件",
                None,
            ]
        )
    contacts = workbook.create_sheet("联系人")
    contacts.append([str(f.column_name) for f in ContactResource().get_export_fields()])
    for i in range(CUSTOMERS):
        for j in range(CONTACTS_PER_CUSTOMER):
            contacts.append([f"B{i:06d}", f"联系人{j}", "采购", None, f"139{i:04d}{j:04d}"[:11], None])
    workbook.save(path)


def generate_refused(path):
    """The customer sheet with every row refused: a phone that is no phone, a date that is no date."""
    from openpyxl import Workbook

    from customers.resources import CustomerResource

    workbook = Workbook(write_only=True)
    customers = workbook.create_sheet("客户")
    customers.append([str(f.column_name) for f in CustomerResource().get_export_fields()])
    for i in range(CUSTOMERS):
        customers.append(
            [
                f"E{i:06d}",
                f"被拒客户{i:06d}有限公司",
                f"被拒{i}",
                "汽车板客户",
                "合作中",
                "汽车零部件",
                None,
                "张三",
                "山东济南",
                f"工业路 {i} 号",
                f"电话{i}号",
                None,
                1000,
                f"2024年13月{i % 28 + 1}日",
                None,
                None,
                None,
            ]
        )
    workbook.save(path)


def not_a_generated_archive():
    """Refuse to go on in a database holding the generated archive the page benchmarks read: the
    import benchmarks empty their tables, in a database of their own (`use_bench_database`). A
    child run by hand with the pages' DATABASE_URL once emptied that archive's objections."""
    from devtools import generator

    if marker := generator.marker():
        sys.exit(
            f"{database_name()} holds the archive {marker}: the import benchmarks empty their tables, "
            "so they run in a database of their own (BENCH_DATABASE, or <database>_imports)."
        )


def empty_tables():
    from django.db import connection

    not_a_generated_archive()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE customers_contact, customers_customershare, customers_customer CASCADE")


def reset_peak():
    """Linux: forget the peak resident size so far (VmHWM), so the next peak is the import's."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_bulk(path, user, module="customers", stages=None, reader=None, streamed=True):
    """Read, check and apply the file as the worker does; `stages` gets each stage's seconds.
    `reader`: how the file is read (default the app's, `imports.files.read`).

    `streamed`: written as the worker writes it (`Importer.check_and_apply`: where the module's
    resources allow it, the rows are written while the rest is checked; "check" then includes
    the writes made meanwhile and "apply" is the wait for the rest); else checked, then applied."""
    from imports import files
    from imports.engine import Importer
    from imports.modules import get_module

    stages = {} if stages is None else stages
    checked = []

    def progress(stage, done, total):
        if stage == "写入数据库":  # the check is over: the rest is the writes'
            checked.append(time.perf_counter())

    importer = Importer(get_module(module), user, progress=progress)
    start = time.perf_counter()
    with open(path, "rb") as f:
        sheets = (reader or files.read)(f, Path(path).name)
    stages["read"] = time.perf_counter() - start
    start = time.perf_counter()
    if streamed:
        result, counts = importer.check_and_apply(sheets)
        stages["check"] = checked[0] - start
        stages["apply"] = time.perf_counter() - checked[0]
    else:
        result = importer.check(sheets)
        stages["check"] = time.perf_counter() - start
    if not result.ok:
        raise SystemExit(f"bulk import found errors: {[e.as_dict() for e in result.errors[:5]]}")
    if not streamed:
        start = time.perf_counter()
        counts = importer.apply(result)
        stages["apply"] = time.perf_counter() - start
    return sum(counts.values())


def index_event_values(models):
    """Index the event tables' references to people and dictionary entries of `models`, as they
    were before `tracked` left them out; the names of the indexes made (to drop after the run)."""
    from django.db import connection

    from archive_site.history import EVENT_KEYS, names_a_value

    made = []
    with connection.cursor() as cursor:
        for model in models:
            event = model.pgh_event_model
            for field in event._meta.fields:
                if field.many_to_one and field.name not in EVENT_KEYS and names_a_value(field):
                    name = f"bench_{event._meta.db_table}_{field.column}"[:63]
                    cursor.execute(f'CREATE INDEX "{name}" ON "{event._meta.db_table}" ("{field.column}")')
                    made.append(name)
    return made


def text_gram_indexes(models):
    """Rebuild `models`' gram indexes over archive_grams, their keys as text as they were before
    they kept numbers (archive_site.search); returns what puts them back, which also runs when
    the process ends before it is called (a run that failed), so no later benchmark of the
    database finds the text index."""
    import atexit

    from django.contrib.postgres.indexes import GinIndex
    from django.db import connection

    from archive_site.search import GramCodes, Grams

    rebuilt = []
    with connection.schema_editor() as editor:
        for model in models:
            for index in model._meta.indexes:
                expressions = index.expressions if isinstance(index, GinIndex) else ()
                if expressions and isinstance(expressions[0], GramCodes):
                    text = GinIndex(Grams(*expressions[0].source_expressions), name=index.name)
                    editor.remove_index(model, index)
                    editor.add_index(model, text)
                    rebuilt.append((model, index, text))
    assert rebuilt, "no gram index to rebuild"

    def restore():
        while rebuilt:
            model, index, text = rebuilt.pop()
            with connection.schema_editor() as editor:
                editor.remove_index(model, text)
                editor.add_index(model, index)

    atexit.register(restore)
    return restore


def drop_indexes(names):
    """Drop the indexes `index_event_values` made for a run."""
    from django.db import connection

    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP INDEX "{name}"')


def check_refused(path, user, stages):
    """Read and check a file whose rows are all refused (`generate_refused`); the rows checked."""
    from imports import files
    from imports.engine import Importer
    from imports.modules import get_module

    start = time.perf_counter()
    with open(path, "rb") as f:
        sheets = files.read(f, Path(path).name)
    stages["read"] = time.perf_counter() - start
    start = time.perf_counter()
    result = Importer(get_module("customers"), user).check(sheets)
    stages["check"] = time.perf_counter() - start
    stages["apply"] = 0
    assert not result.ok and all(row.errors for sheet in result.sheets for row in sheet.rows)
    return sum(len(sheet.rows) for sheet in result.sheets)


def stage_ratios(before, after):
    """Each stage's time against its baseline's: "read 5.1× faster; check …"."""
    return "; ".join(
        f"{k} {compared(before['stages'][k], after['stages'][k])}" for k in ("read", "check", "apply")
    )


# Each baseline variant, and how its line of `comparisons` names it.
COMPARISONS = (
    (
        "former",
        "the collector kept to the newest objects, COPY's text by column, the cells' work once per "
        "sheet, against the former path",
    ),
    ("events_indexed", "event tables without indexes on people and dictionary entries, against with them"),
    ("text_grams", "gram index keys as numbers, against as text"),
    ("bulk_create", "COPY against bulk_create"),
    ("every_row", "a repeated value read once against every row checked in full"),
    ("before", "bulk against before (openpyxl, row-level history)"),
)


def comparisons(results, bulk, sequential=None):
    """The lines comparing the bulk path with each baseline of `results` (by variant, as
    `COMPARISONS` names them): the whole import, then each stage.

    `sequential`: the bulk path checked, then applied, where the bulk path writes while it checks
    (objections): the baselines of one change each run that way, and are compared with it; "before"
    with the bulk path, all its changes at once."""
    lines = []
    for variant, label in COMPARISONS:
        ours = sequential if sequential is not None and variant != "before" else bulk
        lines.append(
            f"{label}: {compared(results[variant]['seconds'], ours['seconds'])}; "
            + stage_ratios(results[variant], ours)
        )
    return lines


def history_events(user, models):
    """(rows of `models`, the insert events of those rows recorded with `user` as the acting user):
    equal when the history is whole."""
    from django.db import connection

    rows = events = 0
    with connection.cursor() as cursor:
        for model in models:
            event = model.pgh_event_model
            cursor.execute(f'SELECT count(*) FROM "{model._meta.db_table}"')
            rows += cursor.fetchone()[0]
            cursor.execute(
                f'SELECT count(*) FROM "{event._meta.db_table}" e '
                f'JOIN "{model._meta.db_table}" r ON r.id = e.pgh_obj_id '
                "JOIN pghistory_context c ON c.id = e.pgh_context_id "
                "WHERE e.pgh_label = 'insert' AND c.metadata->>'user' = %s",
                [str(user.pk)],
            )
            events += cursor.fetchone()[0]
    return rows, events


def run_stock(path, user):
    import tablib

    from customers.resources import ContactResource, CustomerResource

    with open(path, "rb") as f:
        book = tablib.Databook().load(f.read(), "xlsx")
    rows = 0
    for dataset, resource_class in zip(book.sheets(), (CustomerResource, ContactResource), strict=True):
        result = stock_resource(resource_class)(user=user).import_data(dataset, use_transactions=True)
        if result.has_errors() or result.has_validation_errors():
            first = (result.row_errors() or [(None, [None])])[0][1][0]
            invalid = result.invalid_rows[:1]
            raise SystemExit(
                f"stock import found errors: {first and first.error} {invalid and invalid[0].error}"
            )
        rows += result.total_rows
    return rows


def child(variant, path):
    setup_django()
    from django.db import connection

    from bench import openpyxl_read
    from bench.common import check_every_row, insert_with_bulk_create, row_level_history
    from bench.former_import import former_import
    from customers.models import Contact, Customer

    user = bench_user()
    empty_tables()
    if variant in ("former", "before", "refused_former"):
        former_import()  # before the patches below, which wrap what it puts back
    restore = row_level_history() if variant == "before" else None
    if variant in ("before", "bulk_create"):
        insert_with_bulk_create()
    if variant in ("before", "every_row"):
        check_every_row()
    unindexed = index_event_values((Customer, Contact)) if variant == "events_indexed" else []
    numbered = text_gram_indexes((Customer,)) if variant == "text_grams" else None
    connection.close()
    reset_peak()
    base = peak_mb()
    stages = {}
    start = time.perf_counter()
    if variant == "stock":
        rows = run_stock(path, user)
    elif variant.startswith("refused"):
        rows = check_refused(path, user, stages)
    else:
        rows = run_bulk(path, user, stages=stages, reader=openpyxl_read.read if variant == "before" else None)
    seconds = time.perf_counter() - start
    peak = peak_mb()
    if restore:
        restore()
    drop_indexes(unindexed)
    if numbered:
        numbered()
    written, events = history_events(user, (Customer, Contact))
    stages = {k: round(v, 2) for k, v in stages.items()}
    out = {"variant": variant, "rows": rows, "seconds": seconds, "peak_mb": peak, "base_mb": base}
    print(json.dumps(out | {"stages": stages, "written": written, "events": events}))


def run_child(variant, path="", module="bench.imports"):
    """One path in a fresh child process (`module`'s `--child`); its figures (printed as they
    come, kept even if the next path fails)."""
    out = subprocess.run(
        [sys.executable, "-m", module, "--child", variant, str(path)],
        capture_output=True,
        text=True,
        env=os.environ,
    )
    if out.returncode != 0:
        print(out.stdout, out.stderr, file=sys.stderr)
        sys.exit(f"{variant} failed")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  {variant}: {result}", flush=True)
    return result


def main():
    name = use_bench_database()
    setup_django(migrate=True)
    bench_user()
    rows = CUSTOMERS * (1 + CONTACTS_PER_CUSTOMER)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "customers.xlsx"
        start = time.perf_counter()
        generate(path)
        contacts = CUSTOMERS * CONTACTS_PER_CUSTOMER
        size = path.stat().st_size / 1e6
        print(
            f"Database {name}; file: {CUSTOMERS:,} customers + {contacts:,} contacts = {rows:,} rows, "
            f"{size:.1f} MB, generated in {time.perf_counter() - start:.1f} s"
        )
        results = {}
        print(f"load average before: {load_average()}", flush=True)
        for variant in (
            ("bulk", "former", "events_indexed", "text_grams", "bulk_create", "every_row", "before", "stock")
            if STOCK
            else ("bulk", "former", "events_indexed", "text_grams", "bulk_create", "every_row", "before")
        ):
            results[variant] = run_child(variant, path)
        refused = Path(tmp) / "refused.xlsx"
        generate_refused(refused)
        for variant in ("refused", "refused_former"):
            results[variant] = run_child(variant, refused)
        print(f"load average after: {load_average()}", flush=True)
    print(
        f"{'path':<14}{'rows':>9}{'seconds':>10}{'rows/s':>10}{'peak RSS MB':>13}{'(at start)':>12}"
        "  read/check/apply s   events/rows written"
    )
    for variant, r in results.items():
        stages = "/".join(f"{r['stages'][k]:.1f}" for k in ("read", "check", "apply")) if r["stages"] else "-"
        print(
            f"{variant:<14}{r['rows']:>9,}{r['seconds']:>10.1f}{r['rows'] / r['seconds']:>10,.0f}"
            f"{r['peak_mb']:>13.0f}{r['base_mb']:>12.0f}  {stages:<19}{r['events']:>7,}/{r['written']:,}"
        )
    bulk = results["bulk"]
    print("\n".join(comparisons(results, bulk)))
    refused, former = results["refused"], results["refused_former"]
    grown = {k: r["peak_mb"] - r["base_mb"] for k, r in (("now", refused), ("former", former))}
    print(
        f"a file whose {CUSTOMERS:,} rows are all refused, checked: {refused['stages']['check']:.1f} s, "
        f"{grown['now']:.0f} MB more at its peak; on the former path {former['stages']['check']:.1f} s, "
        f"{grown['former']:.0f} MB"
    )
    if not STOCK:
        return
    stock = results["stock"]
    speed = (bulk["rows"] / bulk["seconds"]) / (stock["rows"] / stock["seconds"])
    memory = (bulk["peak_mb"] - bulk["base_mb"]) / max(1, stock["peak_mb"] - stock["base_mb"])
    print(f"ratio bulk/stock: {speed:.1f}× rows per second; {memory:.2f}× memory growth during the import")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])  # DATABASE_URL already names the bench database
    else:
        main()
