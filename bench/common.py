"""What bench/pages.py and bench/load.py share: Django set up on the generated archive.

The archive is made by `manage.py generate_archive` (devtools/generator.py)
in the database of DATABASE_URL — `make bench` gives it `archive_bench` — at
BENCH_SCALE (default 1: 20 000 customers, 500 000 objections …) and
BENCH_SEED. The generator marks the database with what it generated, so a
rerun at the same scale and seed reuses it; anything else is flushed and
generated again. Photos live in media/bench-<database>/ of the checkout: run
from a checkout without them, the benchmarks stop rather than flush the
archive (BENCH_REGENERATE=1 flushes it and generates it again).
"""

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
SCALE = float(os.environ.get("BENCH_SCALE", 1))
SEED = int(os.environ.get("BENCH_SEED", 2026))


def database_name():
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("DATABASE_URL is not set: run through `make bench` or give a PostgreSQL URL.")
    return urlsplit(url).path.lstrip("/") or "archive"


def database_of_its_own(name):
    """The DATABASE_URL of database `name` on the server DATABASE_URL points at, created if
    missing: a benchmark that flushes or fills its archive keeps it apart from the others."""
    import psycopg2

    database_name()  # DATABASE_URL is set
    parts = urlsplit(os.environ["DATABASE_URL"])
    conn = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


def media_root():
    return BASE_DIR / "media" / f"bench-{database_name()}"


def setup_django():
    """Django with the test settings (fast hasher), DEBUG off, MEDIA_ROOT kept with the database, and
    the garbage collector settled as in a served worker."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive_site.settings_test")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("HTTPS", "false")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import override_settings

    override_settings(MEDIA_ROOT=str(media_root())).enable()
    call_command("migrate", verbosity=0, interactive=False)
    from archive_site import collector

    collector.settle()  # the garbage collector as the served app's workers leave it (archive_site/wsgi.py)


def ensure_archive():
    """Generate the archive unless the database already holds this scale and seed. Returns seconds spent."""
    import shutil

    from django.core.files.storage import default_storage

    from devtools import generator
    from orders.models import Delivery
    from quality.models import ObjectionPhoto

    wanted = f"generate_archive seed={SEED} scale={SCALE}"
    # An archive generated before the generator made orders and deliveries is generated again.
    if generator.marker() == wanted and Delivery.objects.exists():
        photo = ObjectionPhoto.objects.order_by("-id").first()
        if photo is None or default_storage.exists(photo.image.name):
            print(f"archive: reusing {wanted} in {database_name()}")
            return 0.0
        if not os.environ.get("BENCH_REGENERATE"):
            # The photos live in the checkout that generated the archive: run from another, the
            # archive looked incomplete and was flushed (an hour's generation at scale 10).
            sys.exit(
                f"{database_name()} holds {wanted}, but its photos are not in {media_root()}: run the "
                "benchmarks from the checkout that generated it, or set BENCH_REGENERATE=1 to flush "
                "the archive and generate it again."
            )
    from customers.models import Customer

    if generator.marker() is None and Customer.objects.exists():
        sys.exit(
            f"{database_name()} holds customers the generator did not make: the benchmarks flush and "
            "regenerate their archive, so give them a database of their own (make bench: archive_bench)."
        )
    print(f"archive: generating {wanted} in {database_name()} (media in {media_root()})", flush=True)
    started = time.perf_counter()
    shutil.rmtree(media_root(), ignore_errors=True)
    generator.flush()
    generator.generate(scale=SCALE, seed=SEED, log=lambda m: print("  " + m, flush=True))
    spent = time.perf_counter() - started
    print(f"archive: generated in {spent:.0f} s", flush=True)
    return spent


def bench_users():
    """A superuser in the admin role (sees everything, may use Django admin) and a sales user.

    The sales user is the generator's first salesman, made staff so the admin
    baseline runs in the same scope (Django admin applies `visible_to` too).
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from archive_site.accounts import roles

    User = get_user_model()
    admin, created = User.objects.get_or_create(
        username="bench-admin", defaults={"name": "基准管理员", "is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_unusable_password()
        admin.save()
        admin.groups.add(Group.objects.get(name=roles.ADMIN))
    sales = User.objects.get(username="gen-sales-01")
    if not sales.is_staff:
        User.objects.filter(pk=sales.pk).update(is_staff=True)
    return admin, User.objects.get(pk=sales.pk)


def ensure_deadline_rules():
    """The default deadline rules the migration seeds, if the archive has none (a flushed archive):
    without them nothing is overdue and the due-date figures and queues cost nothing."""
    import importlib

    from quality.models import DeadlineRule

    if DeadlineRule.objects.exists():
        return
    seeded = importlib.import_module("quality.migrations.0001_squashed_0022_plan_search")
    for severity, (response, containment, cause, closure) in seeded.DEFAULT_DEADLINES.items():
        DeadlineRule.objects.create(
            severity=severity,
            response_days=response,
            containment_days=containment,
            cause_days=cause,
            closure_days=closure,
        )
    print("archive: default deadline rules seeded", flush=True)


def bench_quality_user():
    """The generator's first quality staff member: handles objections (the home page's work panel)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="gen-quality-01")


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def compared(baseline, measured):
    """“2.4× faster” or “1.3× slower”: a time against its baseline's, said the right way round."""
    if not baseline or not measured:
        return ""
    if measured <= baseline:
        return f"{baseline / measured:.2f}× faster"
    return f"{measured / baseline:.2f}× slower"


def table(headers, rows):
    """Rows as an aligned text table (CJK characters count double)."""
    import unicodedata

    def width(s):
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(s))

    cols = [max(width(h), *(width(r[i]) for r in rows)) for i, h in enumerate(headers)] if rows else []

    def line(cells):
        out = []
        for i, c in enumerate(cells):
            pad = " " * (cols[i] - width(c))
            out.append(f"{c}{pad}" if i == 0 else f"{pad}{c}")
        return "  ".join(out)

    return "\n".join([line(headers), line(["-" * c for c in cols]), *(line(r) for r in rows)])


def stock_resource(resource_class):
    """`resource_class` as django-import-export's own per-row `import_data` runs it: the baseline.

    The app imports through `imports.engine` only; this adapter gives the
    library's path what the engine does around each record (a new record's
    defaults and drawn number, who created or changed it), so both write the
    same rows.
    """
    from django.core.exceptions import ValidationError

    class Stock(resource_class):
        class Meta:
            clean_model_instances = True
            skip_unchanged = True
            use_transactions = True

        def import_instance(self, instance, row, **kwargs):
            super().import_instance(instance, row, **kwargs)
            if instance.pk is None:
                message = self.prepare_new(instance, {})
                if message:
                    raise ValidationError(message)

        def save_instance(self, instance, is_create, row, **kwargs):
            if getattr(instance, "_draw_number", False):
                instance.assign_number()
            if hasattr(instance, "stamp"):
                instance.stamp(self.user)
            return super().save_instance(instance, is_create, row, **kwargs)

    Stock.__name__ = f"Stock{resource_class.__name__}"
    return Stock


def row_level_history():
    """History recorded as it was before statement-level triggers: the baseline of the imports.

    Replaces every pghistory trigger by its row-level twin (same name, same SQL per row:
    one trigger call and one context lookup per row written) and returns a function
    that puts the statement-level triggers back. Run it in a child process of its own,
    on the bench's own database, and call the function it returns when done.
    """
    import pgtrigger
    from django.db import transaction
    from pghistory.trigger import Event

    swapped = []
    for model, trigger in pgtrigger.registered():
        if isinstance(trigger, Event) and trigger.level == pgtrigger.Statement:
            row = Event(
                event_model=trigger.event_model,
                label=trigger.label,
                name=trigger.name,
                row=trigger.row,
                operation=trigger.operation,
                condition=trigger.condition,
                level=pgtrigger.Row,
            )
            swapped.append((model, trigger, row))
    with transaction.atomic():
        for model, statement, row in swapped:
            statement.uninstall(model)
            row.install(model)

    def restore():
        with transaction.atomic():
            for model, statement, row in swapped:
                row.uninstall(model)
                statement.install(model)

    return restore


def insert_with_bulk_create():
    """The import's writes as they were before COPY: `bulk_create`, one INSERT per batch.

    Replaces `copy_create` in the import engine for this process (a bench child of its own)."""
    from imports import engine

    def bulk_create(model, objs, using="default"):
        return model._default_manager.using(using).bulk_create(objs)

    engine.copy_create = bulk_create


def check_every_row():
    """The import's check as it was before it read a repeated value once: every cell read by
    its widget, every field's rules run and every new record made by `model()`, on every row.

    Patches the import engine for this process (a bench child of its own)."""
    from imports import engine, resources

    class Forgetful(dict):
        def __setitem__(self, key, value):
            pass

    class Unkept(set):
        def add(self, item):
            pass

    clean_row = engine.Importer.clean_row
    engine.Importer.clean_row = lambda self, resource, columns, number, values, read: clean_row(
        self, resource, columns, number, values, Forgetful()
    )
    init = engine.Importer.__init__

    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.accepted = Unkept()

    engine.Importer.__init__ = __init__
    resources.ArchiveResource.blank = lambda self, model: model()


def load():
    """The machine's load average, said with the number of cores (for a run's header)."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} ({os.cpu_count()} cores)"


@contextmanager
def rolled_back(*statements):
    """A transaction rolled back afterwards, `statements` (SQL: dropping an index, adding rows
    for the run) executed first: what runs inside sees the archive changed, the archive keeps
    none of it."""
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        yield
        transaction.set_rollback(True)


ROUNDS = int(os.environ.get("BENCH_ROUNDS", 8))


def alternated(client, url, params, before, rounds=None):
    """({"before": [ms], "now": [ms]}, {"before": [db ms], "now": [db ms]}) of `rounds` requests
    each (BENCH_ROUNDS, default 8), `before()` (a context manager: the old path patched in)
    around the baseline's, the two in turn so that neither gets the warmer cache; the first
    round is not counted. What `before()` does on entering and leaving is neither timed nor
    counted."""
    import time
    from contextlib import nullcontext

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, db = {"before": [], "now": []}, {"before": [], "now": []}
    for i in range(rounds or ROUNDS):
        for mode in ("before", "now") if i % 2 else ("now", "before"):
            setup = before() if mode == "before" else nullcontext()
            connection.queries_log.clear()  # a full log (9 000 queries) would capture none
            with setup, CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, params)
                ms = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, params, response.status_code)
            if i:
                times[mode].append(ms)
                db[mode].append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
    return times, db


ALTERNATED_HEADER = f"{'before p50':>11} {'db':>8} {'now p50':>9} {'db':>7} {'ratio':>7}"


# The columns of `alternated_row`, after the page's.
ALTERNATED_COLUMNS = ["n", "before p50", "p95", "db p50", "now p50", "p95", "db p50", "at p50", "at p95"]


def alternated_row(page, times, db):
    """`page`'s row of a `table` under ["page", *ALTERNATED_COLUMNS] from `alternated`'s times: the
    server time's p50 and p95 and the database's p50, before and now, and now against before at
    p50 and at p95 (`compared`)."""
    import statistics

    before, now = times["before"], times["now"]
    p50s = statistics.median(before), statistics.median(now)
    p95s = percentile(before, 95), percentile(now, 95)
    return [
        page,
        len(now),
        f"{p50s[0]:.1f}",
        f"{p95s[0]:.1f}",
        f"{statistics.median(db['before']):.1f}",
        f"{p50s[1]:.1f}",
        f"{p95s[1]:.1f}",
        f"{statistics.median(db['now']):.1f}",
        compared(*p50s),
        compared(*p95s),
    ]


def alternated_line(page, times, db, width=40):
    """`page`'s line under ALTERNATED_HEADER: p50 and database p50 before and now, and the ratio."""
    import statistics

    before, now = statistics.median(times["before"]), statistics.median(times["now"])
    return (
        f"{page:{width}} {before:11.1f} {statistics.median(db['before']):8.1f} "
        f"{now:9.1f} {statistics.median(db['now']):7.1f} {before / now:6.2f}×"
    )
