"""Import of 20 000 customers with their contacts from one generated .xlsx: the
app's bulk path against django-import-export's stock `Resource.import_data`.

    python -m bench.imports                       # DATABASE_URL from the environment (make bench)
    BENCH_IMPORT_CUSTOMERS=2000 python -m bench.imports

Runs in a database of its own on the same server (`<database>_imports`,
created and migrated if missing; override with BENCH_DATABASE). The file is
generated once (openpyxl write-only); then each path runs in a fresh child
process on emptied customer tables, so its peak memory (VmHWM, reset after
start-up) is its own:

- bulk: what the worker does on "确认导入": read the file (caps, defusedxml),
  check every row, apply all rows in one transaction (bulk_create/bulk_update);
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
from urllib.parse import urlsplit, urlunsplit

from bench.common import stock_resource

CUSTOMERS = int(os.environ.get("BENCH_IMPORT_CUSTOMERS", 20_000))
CONTACTS_PER_CUSTOMER = 2


def use_bench_database():
    """Point DATABASE_URL at a database of its own, created if missing."""
    import psycopg2

    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("DATABASE_URL is not set: run through `make bench` or give a PostgreSQL URL.")
    parts = urlsplit(url)
    name = os.environ.get("BENCH_DATABASE") or f"{parts.path.lstrip('/') or 'archive'}_imports"
    conn = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
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


def empty_tables():
    from django.db import connection

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


def run_bulk(path, user):
    from imports import files
    from imports.engine import Importer
    from imports.modules import get_module

    importer = Importer(get_module("customers"), user)
    with open(path, "rb") as f:
        sheets = files.read(f, "customers.xlsx")
    result = importer.check(sheets)
    if not result.ok:
        raise SystemExit(f"bulk import found errors: {[e.as_dict() for e in result.errors[:5]]}")
    counts = importer.apply(result)
    return sum(counts.values())


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

    user = bench_user()
    empty_tables()
    connection.close()
    reset_peak()
    base = peak_mb()
    start = time.perf_counter()
    rows = (run_bulk if variant == "bulk" else run_stock)(path, user)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {"variant": variant, "rows": rows, "seconds": seconds, "peak_mb": peak_mb(), "base_mb": base}
        )
    )


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
        for variant in ("bulk", "stock"):
            out = subprocess.run(
                [sys.executable, "-m", "bench.imports", "--child", variant, str(path)],
                capture_output=True,
                text=True,
                env=os.environ,
            )
            if out.returncode != 0:
                print(out.stdout, out.stderr, file=sys.stderr)
                sys.exit(f"{variant} failed")
            results[variant] = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"  {variant}: {results[variant]}", flush=True)  # kept even if the next path fails
    print(f"{'path':<8}{'rows':>9}{'seconds':>10}{'rows/s':>10}{'peak RSS MB':>13}{'(at start)':>12}")
    for variant, r in results.items():
        print(
            f"{variant:<8}{r['rows']:>9,}{r['seconds']:>10.1f}{r['rows'] / r['seconds']:>10,.0f}"
            f"{r['peak_mb']:>13.0f}{r['base_mb']:>12.0f}"
        )
    bulk, stock = results["bulk"], results["stock"]
    speed = (bulk["rows"] / bulk["seconds"]) / (stock["rows"] / stock["seconds"])
    memory = (bulk["peak_mb"] - bulk["base_mb"]) / max(1, stock["peak_mb"] - stock["base_mb"])
    print(f"ratio bulk/stock: {speed:.1f}× rows per second; {memory:.2f}× memory growth during the import")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])  # DATABASE_URL already names the bench database
    else:
        main()
