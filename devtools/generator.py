"""A realistic archive at a chosen scale, for benchmarks and for trying the pages with volume.

    generate(scale=1.0, seed=2026)   # or: manage.py generate_archive --scale 0.01

At scale 1: 20 000 customers (40 000 contacts), 60 000 demands with their
chemical-composition and mechanical-property rows, 10 000 process-control plans
(revisions, parameters) with 200 000 actual runs and their values, 500 000
quality objections numbered per year with 50 000 defect photos, 100 000
parts (10 000 part photos), and 100 000 orders against the demands with 600 000
delivered coils (about 12 Mt over the years, 1.1 Mt a year). Every name and value is drawn from the base
dictionaries (DictEntry) and a few Chinese word lists; the same seed gives the
same archive.

How it stays fast on a small machine: rows are built in Python with explicit
ids and written with PostgreSQL COPY, all in one transaction (nothing
half-generated is ever committed); for large tables the plain indexes are
dropped before the load and built again after it, and foreign keys are added
back at the end, checking every row in one pass (unique constraints stay in
force throughout). No history events are written — generated rows are not
edits anyone made (see `generate` for how). Photos are
real JPEG files written through Django storage: a few hundred distinct images
are drawn, and each photo row gets files of its own (hard links to the same
bytes on a filesystem storage, uploads of them on object storage).

Invariants kept: customer codes and names unique, credit codes valid and unique,
part numbers unique per customer, objection numbers per year gap-free and in
step with ObjectionCounter, min ≤ max everywhere, one approved and at most one
draft revision per plan, runs only record parameters of their line. Chinese
search needs nothing filled in: the gram indexes are expression indexes.
"""

import datetime
import io
import math
import os
import random
import shutil
import time
from decimal import Decimal

import pgtrigger
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import NOT_PROVIDED
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter

from archive_site.accounts import roles
from archive_site.lib import credit_code
from archive_site.models import DictEntry, DictKind

# Counts at scale 1.
SIZES = {
    "customers": 20_000,
    "demands": 60_000,
    "plans": 10_000,
    "runs": 200_000,
    "objections": 500_000,
    "objection_photos": 50_000,
    "parts": 100_000,
    "part_photos": 10_000,
    "orders": 100_000,
    "deliveries": 600_000,
}
DEFAULT_SEED = 2026
DISTINCT_IMAGES = 300
# Received dates run over these years; fixed (not "today") so a seed always gives the same archive.
FIRST_DAY = datetime.date(2016, 1, 1)
LAST_DAY = datetime.date(2026, 10, 31)
# Tables at least this large are loaded without their plain indexes, which are built afterwards.
REINDEX_ROWS = 50_000
COPY_BATCH = 20_000

# Apps whose tables the generator fills (and `flush` empties).
ARCHIVE_APPS = ("customers", "quality", "products", "printing", "orders")

REGIONS = [
    ("北京", "110105", "010"),
    ("天津", "120116", "022"),
    ("河北保定", "130602", "0312"),
    ("河北唐山", "130203", "0315"),
    ("山东济南", "370102", "0531"),
    ("山东青岛", "370202", "0532"),
    ("江苏南京", "320105", "025"),
    ("江苏苏州", "320505", "0512"),
    ("浙江宁波", "330206", "0574"),
    ("上海", "310115", "021"),
    ("安徽芜湖", "340202", "0553"),
    ("湖北武汉", "420106", "027"),
    ("湖南长沙", "430104", "0731"),
    ("广东广州", "440106", "020"),
    ("广东佛山", "440604", "0757"),
    ("重庆", "500112", "023"),
    ("四川成都", "510107", "028"),
    ("吉林长春", "220104", "0431"),
    ("辽宁沈阳", "210102", "024"),
    ("河南郑州", "410105", "0371"),
    ("陕西西安", "610113", "029"),
    ("福建厦门", "350203", "0592"),
]
NAME_CHARS = "华长安鑫宏泰恒瑞通达丰盛祥福中兴诚信德源博远嘉和顺昌金宇新天正大力鼎立佳众联创凯隆汇成永晟"
SUFFIXES = {
    "AUTO": ["汽车有限公司", "汽车零部件有限公司", "汽车股份有限公司", "车身制造有限公司", "冲压件有限公司"],
    "APPLIANCE": ["电器股份有限公司", "家电有限公司", "电器制造有限公司"],
    "SPECIAL": ["钢桶制造有限公司", "搪瓷制品有限公司", "包装容器有限公司", "五金制品有限公司"],
    "OTHER": ["金属制品有限公司", "钢材加工有限公司", "贸易有限公司"],
}
INDUSTRY = {"AUTO": "汽车制造", "APPLIANCE": "家用电器", "SPECIAL": "金属容器", "OTHER": "金属加工"}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰海"
TITLES = ["采购经理", "质量工程师", "技术科长", "冲压车间主任", "供应链主管", "质量部部长"]
PART_NAMES = [
    "前门外板",
    "后门外板",
    "前门内板",
    "顶盖",
    "发动机罩外板",
    "发动机罩内板",
    "前翼子板",
    "侧围外板",
    "地板",
    "后地板",
    "前纵梁",
    "横梁",
    "行李箱盖",
    "加强板",
    "轮罩",
    "冰箱侧板",
    "洗衣机外壳",
    "空调外壳",
]
POSITIONS = ["边部", "中部", "头部", "尾部", "上表面", "下表面", "距边 30 mm 处", "全长"]
DESCRIPTIONS = [
    "客户冲压后发现{d}，位于{p}，长约{n} mm",
    "来料检验发现{d}，{p}较明显，呈周期性分布",
    "开卷后{p}出现{d}，影响外观件使用",
    "{d}，{p}，客户要求退货或降级",
    "客户生产线停线，{p}{d}，约{n}处/米",
    "涂装后{p}可见{d}，客户投诉外观不合格",
]
CAUSES = [
    "平整机工作辊表面粘附异物造成{d}",
    "连退炉辊结瘤导致{d}",
    "酸洗不净，残留氧化铁皮引起{d}",
    "卷取张力过大，层间错动造成{d}",
    "包装破损，运输途中进水引起{d}",
    "来料热轧卷{p}缺陷遗传",
]
SOLUTIONS = [
    "更换平整机工作辊并清理辊面",
    "调整炉辊温度制度，定期清理炉辊",
    "加强酸洗段浓度控制",
    "降低卷取张力，优化张力曲线",
    "改进包装方式，增加防水层",
    "对库存钢卷逐卷复检",
]
PREVENTIVES = [
    "修订换辊周期并纳入点检标准",
    "每班检查辊面，异常立即停机",
    "在作业指导书中增加张力上限",
    "对操作人员进行培训并考核",
    "增加在线表面检测报警",
]
# Process parameters by line code, with target and spread (fallback when a code is unknown).
PARAMETERS = {
    "PLTCM": {"RED": (75, 5, "%"), "TENSION": (180, 20, "kN"), "SPEED": (900, 120, "m/min")},
    "CAL": {
        "HEAT_T": (780, 20, "℃"),
        "SOAK_T": (800, 15, "℃"),
        "SLOW_T": (650, 15, "℃"),
        "OA_T": (400, 20, "℃"),
        "LINE_SPEED": (300, 40, "m/min"),
        "SPM_EL": (1.2, 0.3, "%"),
    },
}
ELEMENTS = {
    "C": (0.0, 0.08),
    "Si": (0.0, 0.5),
    "Mn": (0.1, 1.6),
    "P": (0.0, 0.03),
    "S": (0.0, 0.025),
    "Als": (0.015, 0.07),
    "Ti": (0.0, 0.1),
    "Nb": (0.0, 0.05),
    "N": (0.0, 0.008),
}
PROPERTIES = {
    "ReL": (140, 260, "MPa"),
    "Rp02": (160, 300, "MPa"),
    "Rm": (270, 410, "MPa"),
    "A80": (34, None, "%"),
    "r90": (1.6, None, ""),
    "n90": (0.18, None, ""),
    "BH2": (30, None, "MPa"),
}


def local_path():
    """`default_storage.path` when media is on a local disk; None on object storage, which has no paths."""
    try:
        default_storage.path("")
    except NotImplementedError:
        return None
    return default_storage.path


class GeneratorError(Exception):
    """The generator refused to run, with a message for the user."""


def sizes(scale):
    """How many of each at `scale` (at least one of each, photos at most one per record)."""
    counts = {name: max(1, round(n * scale)) for name, n in SIZES.items()}
    counts["objection_photos"] = min(counts["objection_photos"], counts["objections"])
    counts["part_photos"] = min(counts["part_photos"], counts["parts"])
    counts["deliveries"] = max(counts["deliveries"], counts["orders"])
    return counts


# Rules the administrators keep, seeded by migrations like the dictionaries: not archive
# records, so neither required empty nor flushed.
SETTINGS_MODELS = {"quality.DeadlineRule"}


def archive_models():
    """The models the generator fills (history event models and kept rules excluded)."""
    from pghistory.models import Event

    return [
        m
        for app in ARCHIVE_APPS
        for m in apps.get_app_config(app).get_models()
        if not issubclass(m, Event) and m._meta.label not in SETTINGS_MODELS
    ]


def history_triggers(models=None):
    """URIs of the pghistory triggers of `models` (default: every model)."""
    from pghistory.trigger import Event as EventTrigger

    return [
        f"{model._meta.label}:{trigger.name}"
        for model, trigger in pgtrigger.registered()
        if isinstance(trigger, EventTrigger) and (models is None or model in models)
    ]


def flush():
    """Empty every archive table (customers, demands, plans, objections, parts, print log)."""
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in archive_models())
    with connection.cursor() as cursor:
        # Foreign keys are checked at commit: check what is pending first, TRUNCATE refuses otherwise.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def marker():
    """What generated the archive in this database ('seed=… scale=…'), or None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description('customers_customer'::regclass, 'pg_class')")
        row = cursor.fetchone()
    text = row[0] if row else None
    return text if text and text.startswith("generate_archive ") else None


def generate(scale=1.0, seed=DEFAULT_SEED, photos=True, log=print):
    """Fill the (empty) archive. Returns the counts of rows written by table."""
    started = time.perf_counter()
    for model in archive_models():
        if model.objects.exists():
            raise GeneratorError(
                f"{model._meta.db_table} is not empty: the generator fills an empty archive (use --flush)."
            )
    generator = _Generator(scale, seed, photos, log)
    # No history events for generated rows. The few rows saved through the ORM (staff
    # users) go through `pgtrigger.ignore`; its switch, set by the first statement, holds
    # for the whole transaction. For the millions of rows written by COPY, the archive
    # tables' history triggers are disabled inside this transaction (`pgtrigger.disable`,
    # ALTER TABLE … DISABLE TRIGGER) and enabled again before it commits: other sessions
    # never see them off (the tables stay locked until then), and no row pays for a
    # trigger call — ignored, each still costs a function call (~35 µs here).
    bulk = history_triggers(archive_models())
    with transaction.atomic(), pgtrigger.ignore(*history_triggers()), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        pgtrigger.disable(*bulk)
        # Foreign keys checked as each COPY ends, not queued to the commit: the queue would
        # hold millions of events, and it forbids the index builds of `_Table.finish`.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL synchronous_commit = off")
        generator.cursor = cursor
        generator.run()
        pgtrigger.enable(*bulk)
        cursor.execute(
            "COMMENT ON TABLE customers_customer IS %s",
            [f"generate_archive seed={seed} scale={scale}"],
        )
    if not connection.in_atomic_block:
        # What a long-lived archive has: visibility maps set (index-only scans) and statistics.
        with connection.cursor() as cursor:
            for model in archive_models():
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        generator.log("vacuumed")
    generator.log(f"done in {time.perf_counter() - started:.0f} s")
    return generator.written


def _fmt_str(value):
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _fmt_array(value):
    items = ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value)
    return _fmt_str("{" + items + "}")


# COPY text format by type: a dict lookup instead of a chain of isinstance() per value.
_FORMATS = {
    str: _fmt_str,
    int: str,
    Decimal: str,
    float: repr,
    type(None): lambda v: r"\N",
    bool: lambda v: "t" if v else "f",
    list: _fmt_array,
    tuple: _fmt_array,
    datetime.date: datetime.date.isoformat,
    datetime.datetime: datetime.datetime.isoformat,
}


def _fmt(value):
    """One value in COPY text format."""
    return _FORMATS.get(type(value), str)(value)


class _Table:
    """Rows of one model, written with COPY in batches: `add(id, col=value, ...)`.

    Columns not given get the field's default (or NULL / '' / 0), so fields
    added later by other modules don't break the generator.
    """

    def __init__(self, gen, model, columns):
        self.gen, self.model = gen, model
        self.table = model._meta.db_table
        self.columns = list(columns)
        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = set(self.columns) - set(fields)
        assert not unknown, f"{self.table}: no columns {unknown}"
        defaults = []
        for column, field in fields.items():
            if column in self.columns or field.db_default is not NOT_PROVIDED:
                continue  # given, or left to the database's default
            if field.null:
                value = None
            elif field.has_default():
                value = field.get_db_prep_save(field.get_default(), connection)
            elif field.get_internal_type() in ("CharField", "TextField"):
                value = ""
            else:
                value = 0
            self.columns.append(column)
            defaults.append(value)
        self.tail = "".join("\t" + _fmt(v) for v in defaults)
        self.buffer = io.StringIO()
        self.pending = 0
        self.count = 0
        self.indexes = []

    def add(self, *values):
        self.buffer.write("\t".join(map(_fmt, values)) + self.tail + "\n")
        self.pending += 1
        if self.pending >= COPY_BATCH:
            self.flush()

    def flush(self):
        if not self.pending:
            return
        self.buffer.seek(0)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        self.gen.cursor.copy_expert(f"COPY {self.table} ({columns}) FROM STDIN", self.buffer)
        self.count += self.pending
        self.buffer, self.pending = io.StringIO(), 0

    def drop_indexes(self):
        """For a large load: drop the plain indexes; `finish` builds them again, much faster
        than growing them row by row. Unique constraints stay in force throughout."""
        cursor = self.gen.cursor
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [self.table],
        )
        self.indexes = cursor.fetchall()
        for name, _definition in self.indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")

    def finish(self):
        self.flush()
        cursor = self.gen.cursor
        for _name, definition in self.indexes:
            cursor.execute(definition)
        if self.model._meta.pk.column == "id" and self.count:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {self.table}))",
                [self.table],
            )
        cursor.execute(f"ANALYZE {self.table}")
        self.gen.written[self.table] = self.count


class _Generator:
    def __init__(self, scale, seed, photos, log):
        self.n = sizes(scale)
        self.rng = random.Random(seed)
        self.seed = seed
        self.photos = photos
        self._log = log
        self.started = time.perf_counter()
        self.written = {}
        self.cursor = None

    def log(self, message):
        if self._log:
            self._log(f"[{time.perf_counter() - self.started:6.1f} s] {message}")

    # Helpers --------------------------------------------------------------

    def table(self, model, columns, expected=0):
        t = _Table(self, model, columns)
        if expected >= REINDEX_ROWS:
            t.drop_indexes()
        return t

    def dicts(self, kind):
        entries = list(DictEntry.objects.of(kind).active().order_by("sort_order", "code"))
        if not entries:
            raise GeneratorError(f"No active dictionary entries of kind {kind}: run migrate first.")
        return entries

    def stamp(self, day):
        """A created/updated time on `day`, during working hours (Beijing time)."""
        minutes = self.rng.randrange(8 * 60, 18 * 60)
        naive = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60))
        return timezone.make_aware(naive, datetime.timezone(datetime.timedelta(hours=8)))

    def day(self, first=FIRST_DAY, last=LAST_DAY):
        return first + datetime.timedelta(days=self.rng.randrange((last - first).days + 1))

    def person(self):
        return self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=self.rng.choice((1, 2))))

    def weighted_index(self, n, skew):
        """0..n-1, low indexes far more often (a customer's share of the business)."""
        return min(n - 1, int(n * self.rng.random() ** skew))

    # Steps ----------------------------------------------------------------

    def run(self):
        foreign_keys = self.drop_foreign_keys()
        self.load_dictionaries()
        self.make_users()
        self.make_customers()
        self.make_demands()
        self.make_plans()
        self.make_parts()  # before the objections, which name the parts they were about
        self.make_objections()
        self.make_orders()
        for table, name, definition in foreign_keys:
            self.cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        self.log(f"foreign keys checked: {len(foreign_keys)}")

    def drop_foreign_keys(self):
        """Drop the foreign keys of the tables to fill, to add them back at the end.

        Added back, a foreign key checks every row in one join instead of one
        lookup per row, and tables can be loaded in any order.
        """
        tables = [m._meta.db_table for m in archive_models()]
        self.cursor.execute(
            "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [tables],
        )
        foreign_keys = self.cursor.fetchall()
        for table, name, _definition in foreign_keys:
            self.cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        return foreign_keys

    def load_dictionaries(self):
        self.d = {kind: self.dicts(kind) for kind in DictKind.values}

    def make_users(self):
        """Staff who own, keep and handle the records: sales, engineers, quality (unusable passwords)."""
        User = get_user_model()
        wanted = [
            ("sales", roles.SALES, 40),
            ("engineer", roles.ENGINEER, 15),
            ("quality", roles.QUALITY, 20),
        ]
        self.users = {}
        for prefix, role, count in wanted:
            group = Group.objects.get(name=role)
            users = []
            for i in range(1, min(count, max(2, round(count * math.sqrt(self.n["customers"] / 20_000)))) + 1):
                user, created = User.objects.get_or_create(
                    username=f"gen-{prefix}-{i:02d}", defaults={"name": self.person()}
                )
                if created:
                    user.set_unusable_password()
                    user.save()
                    user.groups.add(group)
                users.append(user.pk)
            self.users[prefix] = users
        self.log(f"users: {sum(len(u) for u in self.users.values())}")

    def make_customers(self):
        from customers.models import Contact, Customer, CustomerShare

        rng, n = self.rng, self.n["customers"]
        categories = {e.code: e.pk for e in self.d[DictKind.CUSTOMER_CATEGORY]}
        mix = [c for c, w in (("AUTO", 5), ("APPLIANCE", 2), ("SPECIAL", 2), ("OTHER", 1)) for _ in range(w)]
        customers = self.table(
            Customer,
            [
                "id",
                "code",
                "name",
                "short_name",
                "category_id",
                "industry",
                "credit_code",
                "legal_representative",
                "region",
                "address",
                "phone",
                "main_business",
                "annual_demand",
                "relationship_start",
                "status",
                "sales_owner_id",
                "created_at",
                "created_by_id",
                "updated_at",
                "updated_by_id",
            ],
            n,
        )
        contacts = self.table(
            Contact,
            [
                "id",
                "customer_id",
                "name",
                "title",
                "phone",
                "mobile",
                "email",
                "created_at",
                "created_by_id",
                "updated_at",
                "updated_by_id",
            ],
            2 * n,
        )
        shares = self.table(CustomerShare, ["id", "customer_id", "user_id"], n // 10)
        names, contact_id, share_id = set(), 0, 0
        self.customers = []  # (id, category code, first day)
        statuses = ["active"] * 16 + ["prospect", "prospect", "suspended", "ended"]
        for cid in range(1, n + 1):
            cat = mix[rng.randrange(len(mix))]
            if cat not in categories:
                cat = next(iter(categories))
            region, area, phone_code = rng.choice(REGIONS)
            suffixes = SUFFIXES.get(cat, SUFFIXES["OTHER"])
            while True:
                brand = "".join(rng.choices(NAME_CHARS, k=2))
                name = f"{region[-2:]}{brand}{rng.choice(suffixes)}"
                if name not in names:
                    break
                name = f"{region}{brand}{rng.choice(suffixes)}"
                if name not in names:
                    break
            names.add(name)
            org = f"{cid:08d}"  # unique per customer
            first17 = f"91{area}{org}" + credit_code.CHARS[cid % 31]
            since = self.day(datetime.date(2005, 1, 1), datetime.date(2025, 12, 31))
            created = self.stamp(self.day(FIRST_DAY, datetime.date(2020, 12, 31)))
            owner = rng.choice(self.users["sales"])
            customers.add(
                cid,
                f"C{cid:05d}",
                name,
                brand,
                categories[cat],
                INDUSTRY.get(cat, ""),
                first17 + credit_code.check_char(first17),
                self.person(),
                region,
                f"{region}经济技术开发区{''.join(rng.choices(NAME_CHARS, k=2))}路{rng.randrange(1, 300)}号",
                f"{phone_code}-{rng.randrange(2_000_000, 9_999_999)}",
                f"{INDUSTRY.get(cat, '')}，冷轧板采购与加工",
                Decimal(rng.randrange(100, 200_000)),
                since,
                statuses[rng.randrange(len(statuses))],
                owner,
                created,
                owner,
                created,
                owner,
            )
            for _ in range(rng.choice((1, 2, 2, 3))):
                contact_id += 1
                contacts.add(
                    contact_id,
                    cid,
                    self.person(),
                    rng.choice(TITLES),
                    f"{phone_code}-{rng.randrange(2_000_000, 9_999_999)}",
                    f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
                    f"contact{contact_id}@example.cn",
                    created,
                    owner,
                    created,
                    owner,
                )
            if rng.random() < 0.1:
                share_id += 1
                shares.add(
                    share_id, cid, rng.choice([u for u in self.users["sales"] if u != owner] or [owner])
                )
            self.customers.append((cid, cat, created.date()))
        for t in (customers, contacts, shares):
            t.finish()
        self.log(f"customers: {customers.count:,}, contacts: {contacts.count:,}, shares: {shares.count:,}")

    def make_demands(self):
        from customers.models import Demand, DemandElement, DemandProperty

        rng, n = self.rng, self.n["demands"]
        d = self.d
        demands = self.table(
            Demand,
            [
                "id",
                "customer_id",
                "name",
                "source",
                "delivery_grade_id",
                "production_grade_id",
                "standard",
                "thickness",
                "thickness_tol_minus",
                "thickness_tol_plus",
                "width",
                "width_tol_minus",
                "width_tol_plus",
                "length",
                "surface_quality_id",
                "surface_structure_id",
                "roughness_id",
                "ra_min",
                "ra_max",
                "oil_type_id",
                "oil_min",
                "oil_max",
                "packaging_id",
                "edge_condition_id",
                "end_use_id",
                "cold_forming_id",
                "forming_difficulty_id",
                "usage_location_id",
                "welding_id",
                "annual_volume",
                "special_requirements",
                "created_at",
                "created_by_id",
                "updated_at",
                "updated_by_id",
            ],
            n,
        )
        elements = self.table(
            DemandElement,
            ["id", "demand_id", "element_id", "min_pct", "max_pct", "created_at", "updated_at"],
            5 * n,
        )
        properties = self.table(
            DemandProperty,
            ["id", "demand_id", "property_id", "min_value", "max_value", "unit", "created_at", "updated_at"],
            4 * n,
        )
        element_entries = [e for e in d[DictKind.ELEMENT] if e.code in ELEMENTS] or d[DictKind.ELEMENT]
        property_entries = [p for p in d[DictKind.MECHANICAL_PROPERTY] if p.code in PROPERTIES] or d[
            DictKind.MECHANICAL_PROPERTY
        ]
        self.demands = []  # (id, customer id, production grade id, thickness, width)
        self.demands_of = {}
        element_id = property_id = 0
        customers = len(self.customers)
        for did in range(1, n + 1):
            cid = (
                self.customers[did - 1][0]
                if did <= customers
                else self.customers[self.weighted_index(customers, 1.6)][0]
            )
            grade = rng.choice(d[DictKind.PRODUCTION_GRADE])
            delivery = next(
                (e for e in d[DictKind.DELIVERY_GRADE] if e.code == grade.code), None
            ) or rng.choice(d[DictKind.DELIVERY_GRADE])
            use, location = rng.choice(d[DictKind.END_USE]), rng.choice(d[DictKind.USAGE_LOCATION])
            thickness = Decimal(rng.randrange(40, 250)) / 100
            width = Decimal(rng.randrange(80, 190) * 10)
            ra_min = Decimal(rng.randrange(40, 110)) / 100
            oil_min = Decimal(rng.randrange(5, 15)) / 10
            created = self.stamp(self.day(self.customers[cid - 1][2], LAST_DAY))
            owner = rng.choice(self.users["sales"])
            demands.add(
                did,
                cid,
                f"{location.name}用 {delivery.name}",
                rng.choice(("order", "order", "survey", "certificate")),
                delivery.pk,
                grade.pk,
                rng.choice(("GB/T 5213-2019", "Q/SGZGS 0310", "JIS G3141", "EN 10130")),
                thickness,
                Decimal("0.03"),
                Decimal("0.03"),
                width,
                Decimal("0"),
                Decimal("5"),
                None if rng.random() < 0.8 else Decimal(rng.randrange(1000, 3000)),
                rng.choice(d[DictKind.SURFACE_QUALITY]).pk,
                rng.choice(d[DictKind.SURFACE_STRUCTURE]).pk,
                rng.choice(d[DictKind.ROUGHNESS]).pk,
                ra_min,
                ra_min + Decimal("0.4"),
                rng.choice(d[DictKind.OIL_TYPE]).pk,
                oil_min,
                oil_min + Decimal("0.5"),
                rng.choice(d[DictKind.PACKAGING]).pk,
                rng.choice(d[DictKind.EDGE_CONDITION]).pk,
                use.pk,
                rng.choice(d[DictKind.COLD_FORMING]).pk,
                rng.choice(d[DictKind.FORMING_DIFFICULTY]).pk,
                location.pk,
                rng.choice(d[DictKind.WELDING]).pk,
                Decimal(rng.randrange(100, 20_000)),
                "" if rng.random() < 0.7 else "表面不得有辊印、划伤，边部毛刺≤0.05 mm",
                created,
                owner,
                created,
                owner,
            )
            for e in rng.sample(element_entries, min(len(element_entries), rng.randrange(4, 7))):
                low, high = ELEMENTS.get(e.code, (0, 0.1))
                element_id += 1
                elements.add(
                    element_id,
                    did,
                    e.pk,
                    Decimal(str(low)) if low else None,
                    Decimal(str(high)),
                    created,
                    created,
                )
            for p in rng.sample(property_entries, min(len(property_entries), rng.randrange(3, 6))):
                low, high, unit = PROPERTIES.get(p.code, (1, 2, ""))
                property_id += 1
                properties.add(
                    property_id,
                    did,
                    p.pk,
                    Decimal(str(low)),
                    None if high is None else Decimal(str(high)),
                    unit,
                    created,
                    created,
                )
            self.demands.append((did, cid, grade.pk, thickness, width))
            self.demands_of.setdefault(cid, []).append(did - 1)
        for t in (demands, elements, properties):
            t.finish()
        self.log(
            f"demands: {demands.count:,}, elements: {elements.count:,}, properties: {properties.count:,}"
        )

    def make_plans(self):
        from quality.models import PlanParameter, PlanRevision, ProcessPlan

        rng, n = self.rng, self.n["plans"]
        d = self.d
        lines = {e.code: e for e in d[DictKind.PRODUCTION_LINE]}
        params = {e.code: e for e in d[DictKind.PROCESS_PARAMETER]}
        # (line, parameter, target, spread, unit) of every parameter a plan sets.
        catalogue = [
            (lines[line], params[code], *spec)
            for line, specs in PARAMETERS.items()
            if line in lines
            for code, spec in specs.items()
            if code in params
        ] or [
            (d[DictKind.PRODUCTION_LINE][i % len(d[DictKind.PRODUCTION_LINE])], p, 100, 10, "")
            for i, p in enumerate(d[DictKind.PROCESS_PARAMETER])
        ]
        plans = self.table(
            ProcessPlan,
            [
                "id",
                "code",
                "name",
                "customer_id",
                "demand_id",
                "created_at",
                "created_by_id",
                "updated_at",
                "updated_by_id",
            ],
            n,
        )
        revisions = self.table(
            PlanRevision,
            [
                "id",
                "plan_id",
                "number",
                "status",
                "production_grade_id",
                "thickness_min",
                "thickness_max",
                "width_min",
                "width_max",
                "surface_quality_id",
                "end_use_id",
                "requirements",
                "change_note",
                "based_on_id",
                "approved_by_id",
                "approved_at",
                "created_at",
                "created_by_id",
                "updated_at",
                "updated_by_id",
            ],
            2 * n,
        )
        parameters = self.table(
            PlanParameter,
            [
                "id",
                "revision_id",
                "line_id",
                "parameter_id",
                "target",
                "lower",
                "upper",
                "unit",
                "created_at",
                "updated_at",
            ],
            14 * n,
        )
        revision_id = parameter_id = 0
        approved = []  # (revision id, [(parameter id, line id, target, spread)], approved on)
        self.revisions_of = {}
        demand_picks = rng.sample(range(len(self.demands)), min(n, len(self.demands)))
        for pid in range(1, n + 1):
            did, cid, grade, thickness, width = self.demands[demand_picks[(pid - 1) % len(demand_picks)]]
            engineer = rng.choice(self.users["engineer"])
            created = self.stamp(self.day(datetime.date(2017, 1, 1), datetime.date(2025, 6, 30)))
            plans.add(
                pid,
                f"GK-{created.year}-{pid:05d}",
                f"{thickness}×{width} 工艺控制方案",
                cid,
                did,
                created,
                engineer,
                created,
                engineer,
            )
            count = rng.choice((1, 1, 2, 2, 3))
            draft = rng.random() < 0.15
            chosen = rng.sample(catalogue, min(len(catalogue), rng.randrange(6, 10)))
            previous = None
            for number in range(1, count + 1 + draft):
                revision_id += 1
                status = "draft" if number > count else ("approved" if number == count else "superseded")
                day = created + datetime.timedelta(days=120 * (number - 1))
                revisions.add(
                    revision_id,
                    pid,
                    number,
                    status,
                    grade,
                    thickness - Decimal("0.1"),
                    thickness + Decimal("0.1"),
                    width - 100,
                    width + 100,
                    rng.choice(d[DictKind.SURFACE_QUALITY]).pk,
                    rng.choice(d[DictKind.END_USE]).pk,
                    "保证表面质量 FC 级，力学性能满足客户需求",
                    "" if number == 1 else "按实绩调整目标值",
                    previous,
                    None if status == "draft" else engineer,
                    None if status == "draft" else day,
                    day,
                    engineer,
                    day,
                    engineer,
                )
                previous = revision_id
                planned = []
                for line, parameter, target, spread, unit in chosen:
                    parameter_id += 1
                    t = Decimal(str(round(target + rng.uniform(-spread, spread) / 4, 2)))
                    s = Decimal(str(spread))
                    parameters.add(
                        parameter_id, revision_id, line.pk, parameter.pk, t, t - s, t + s, unit, day, day
                    )
                    planned.append((parameter_id, line.pk, float(t), float(spread)))
                if status != "draft":
                    approved.append((revision_id, planned, day.date()))
                self.revisions_of.setdefault(cid, []).append(revision_id)
        for t in (plans, revisions, parameters):
            t.finish()
        self.log(f"plans: {plans.count:,}, revisions: {revisions.count:,}, parameters: {parameters.count:,}")
        self.make_runs(approved)

    def make_runs(self, approved):
        from quality.models import PlanRun, RunValue

        rng, n = self.rng, self.n["runs"]
        runs = self.table(
            PlanRun,
            ["id", "revision_id", "coil_number", "produced_on", "line_id", "created_at", "updated_at"],
            n,
        )
        values = self.table(RunValue, ["id", "run_id", "parameter_id", "value"], 4 * n)
        value_id = 0
        for rid in range(1, n + 1):
            revision_id, planned, since = approved[self.weighted_index(len(approved), 1.3)]
            line = rng.choice(planned)[1]
            day = self.day(since, LAST_DAY)
            stamp = self.stamp(day)
            runs.add(rid, revision_id, f"{day:%y}{rid:08d}", day, line, stamp, stamp)
            for parameter_id, line_id, target, spread in planned:
                if line_id == line:
                    value_id += 1
                    values.add(
                        value_id, rid, parameter_id, Decimal(str(round(rng.gauss(target, spread / 2.5), 3)))
                    )
        runs.finish()
        values.finish()
        self.log(f"runs: {runs.count:,}, values: {values.count:,}")

    def make_objections(self):
        from quality.models import Objection, ObjectionCounter, ObjectionPhoto

        rng, n = self.rng, self.n["objections"]
        d = self.d
        defects = d[DictKind.DEFECT_TYPE]
        lines = d[DictKind.PRODUCTION_LINE]
        grades = d[DictKind.PRODUCTION_GRADE]
        objections = self.table(
            Objection,
            [
                "id",
                "number",
                "kind",
                "customer_id",
                "received_date",
                "status",
                "handler_id",
                "closed_date",
                "demand_id",
                "part_id",
                "plan_revision_id",
                "coil_numbers",
                "production_grade_id",
                "thickness",
                "width",
                "tonnage",
                "defect_type_id",
                "severity",
                "description",
                "cause",
                "responsible_line_id",
                "solution",
                "preventive",
                "claim_amount",
                "created_at",
                "created_by_id",
                "updated_at",
                "updated_by_id",
            ],
            n,
        )
        # Dates first, in order: ids follow the received date, numbers run 1, 2, 3 … within each year.
        span = (LAST_DAY - FIRST_DAY).days
        # More objections in later years (the archive grows), so draw the offset skewed to the end.
        dates = sorted(FIRST_DAY + datetime.timedelta(days=int(span * rng.random() ** 0.7)) for _ in range(n))
        counters = {}
        customers = len(self.customers)
        customer_order = list(range(customers))
        rng.shuffle(customer_order)
        self.objections = []
        for oid, received in enumerate(dates, start=1):
            counters[received.year] = seq = counters.get(received.year, 0) + 1
            customer_index = customer_order[self.weighted_index(customers, 2.2)]
            cid = self.customers[customer_index][0]
            defect = defects[self.weighted_index(len(defects), 1.8)]
            severity = 1 + self.weighted_index(4, 1.5)
            age = (LAST_DAY - received).days
            closed = age > 60 and rng.random() < 0.95
            status = "closed" if closed else rng.choice(("registered", "investigating", "measures_taken"))
            position = rng.choice(POSITIONS)
            description = rng.choice(DESCRIPTIONS).format(d=defect.name, p=position, n=rng.randrange(5, 500))
            investigated = status != "registered"
            cause = rng.choice(CAUSES).format(d=defect.name, p=position) if investigated else ""
            measures = status in ("closed", "measures_taken")
            demand = part = None
            if cid in self.demands_of and rng.random() < 0.6:
                demand = self.demands[rng.choice(self.demands_of[cid])]
                if demand[0] in self.parts_of and rng.random() < 0.5:
                    part = rng.choice(self.parts_of[demand[0]])
            revision = None
            if cid in self.revisions_of and rng.random() < 0.2:
                revision = rng.choice(self.revisions_of[cid])
            grade = demand[2] if demand else rng.choice(grades).pk
            stamp = self.stamp(received)
            quality = rng.choice(self.users["quality"])
            objections.add(
                oid,
                f"ZY-{received.year}-{seq:04d}",
                "objection" if rng.random() < 0.85 else "complaint",
                cid,
                received,
                status,
                quality,
                received + datetime.timedelta(days=rng.randrange(5, 60)) if closed else None,
                demand[0] if demand else None,
                part,
                revision,
                [f"{received:%y}{rng.randrange(10**7, 10**8)}" for _ in range(rng.choice((1, 1, 2, 3)))],
                grade,
                demand[3] if demand else Decimal(rng.randrange(40, 250)) / 100,
                demand[4] if demand else Decimal(rng.randrange(80, 190) * 10),
                Decimal(rng.randrange(1, 200_000)) / 1000,
                defect.pk,
                severity,
                description,
                cause,
                rng.choice(lines).pk if investigated else None,
                rng.choice(SOLUTIONS) if measures else "",
                rng.choice(PREVENTIVES) if measures else "",
                Decimal(rng.randrange(0, 5_000_000)) / 100 if rng.random() < 0.3 else Decimal(0),
                stamp,
                quality,
                stamp,
                quality,
            )
            self.objections.append(oid)
        objections.finish()
        counter_table = ObjectionCounter._meta.db_table
        for year, last in sorted(counters.items()):
            self.cursor.execute(f"INSERT INTO {counter_table} (year, last) VALUES (%s, %s)", [year, last])
        self.log(f"objections: {objections.count:,} over {len(counters)} years")

        photos = self.table(
            ObjectionPhoto,
            [
                "id",
                "objection_id",
                "image",
                "thumbnail",
                "caption",
                "original_name",
                "width",
                "height",
                "size",
                "created_at",
                "updated_at",
            ],
            self.n["objection_photos"],
        )
        # Photos mostly on recent objections: the newest ones first, one each until the count is reached.
        chosen = sorted(
            rng.sample(range(max(1, n - 3 * self.n["objection_photos"]), n + 1), self.n["objection_photos"])
        )
        self.write_photos(photos, chosen, lambda oid: f"quality/objections/{oid}", "缺陷照片")
        self.log(f"objection photos: {photos.count:,}")

    def make_parts(self):
        from products.models import Part, PartPhoto

        rng, n = self.rng, self.n["parts"]
        d = self.d
        parts = self.table(
            Part,
            [
                "id",
                "customer_id",
                "car_model_id",
                "name",
                "number",
                "usage_location_id",
                "demand_id",
                "blank_thickness",
                "blank_width",
                "blank_length",
                "gross_weight",
                "material_quota",
                "net_weight",
                "remarks",
                "created_at",
                "created_by_id",
                "updated_at",
                "updated_by_id",
            ],
            n,
        )
        numbers = {}
        self.parts_of = {}  # demand id → ids of the parts made from it
        with_demands = [cid for cid, cat, _ in self.customers if cid in self.demands_of]
        for part_id in range(1, n + 1):
            cid = with_demands[self.weighted_index(len(with_demands), 1.5)]
            demand = self.demands[rng.choice(self.demands_of[cid])]
            numbers[cid] = seq = numbers.get(cid, 0) + 1
            thickness = demand[3]
            width = Decimal(rng.randrange(300, int(demand[4]) + 1))
            length = Decimal(rng.randrange(300, 2500))
            gross = (thickness * width * length * Decimal("0.00000785")).quantize(Decimal("0.001"))
            gross = max(gross, Decimal("0.010"))
            net = (gross * Decimal(rng.randrange(55, 90)) / 100).quantize(Decimal("0.001")) or Decimal(
                "0.001"
            )
            quota = (gross * Decimal("1.02")).quantize(Decimal("0.001"))
            stamp = self.stamp(self.day(datetime.date(2018, 1, 1), LAST_DAY))
            engineer = rng.choice(self.users["engineer"])
            auto = self.customers[cid - 1][1] == "AUTO"
            self.parts_of.setdefault(demand[0], []).append(part_id)
            parts.add(
                part_id,
                cid,
                rng.choice(d[DictKind.CAR_MODEL]).pk if auto else None,
                rng.choice(PART_NAMES),
                f"{5000 + cid % 5000}-{seq:05d}",
                rng.choice(d[DictKind.USAGE_LOCATION]).pk,
                demand[0],
                thickness,
                width,
                length,
                gross,
                quota,
                net,
                "",
                stamp,
                engineer,
                stamp,
                engineer,
            )
        parts.finish()
        self.log(f"parts: {parts.count:,}")
        photos = self.table(
            PartPhoto,
            [
                "id",
                "part_id",
                "image",
                "thumbnail",
                "caption",
                "original_name",
                "width",
                "height",
                "size",
                "created_at",
                "updated_at",
            ],
            self.n["part_photos"],
        )
        chosen = sorted(rng.sample(range(1, n + 1), self.n["part_photos"]))
        self.write_photos(photos, chosen, lambda part: f"products/parts/{part}", "零件照片")
        self.log(f"part photos: {photos.count:,}")

    def make_orders(self):
        """Orders placed against the demands, and their coils.

        Each order is for one demand (its customer, production grade and size); orders grow
        in later years like the objections. Coils of 12–28 t are delivered from a week after
        the order until the quantity is met, so recent orders are still open or partly
        delivered. Coil numbers are unique, year first, as the lines number them.
        """
        from orders.models import Delivery, Order

        rng, n = self.rng, self.n["orders"]
        orders = self.table(
            Order,
            [
                "id",
                "number",
                "customer_id",
                "demand_id",
                "production_grade_id",
                "thickness",
                "width",
                "quantity",
                "order_date",
                "requested_date",
                "status",
                "created_at",
                "created_by_id",
                "updated_at",
                "updated_by_id",
            ],
            n,
        )
        deliveries = self.table(
            Delivery,
            ["id", "order_id", "date", "coil_number", "tons", "created_at", "updated_at"],
            self.n["deliveries"],
        )
        coils_per_order = self.n["deliveries"] / n
        span = (LAST_DAY - FIRST_DAY).days
        dates = sorted(FIRST_DAY + datetime.timedelta(days=int(span * rng.random() ** 0.7)) for _ in range(n))
        demand_count = len(self.demands)
        delivery_id = 0
        sequence = {}
        for order_id, ordered in enumerate(dates, start=1):
            did, cid, grade, thickness, width = self.demands[self.weighted_index(demand_count, 1.4)]
            sequence[ordered.year] = seq = sequence.get(ordered.year, 0) + 1
            coils = max(1, round(rng.gauss(coils_per_order, coils_per_order / 3)))
            weights = [Decimal(rng.randrange(12_000, 28_000)) / 1000 for _ in range(coils)]
            quantity = sum(weights).quantize(Decimal("1")) or Decimal(1)
            requested = ordered + datetime.timedelta(days=rng.randrange(30, 75))
            shipped, day = [], ordered + datetime.timedelta(days=rng.randrange(7, 30))
            for tons in weights:
                if day > LAST_DAY:
                    break
                shipped.append((day, tons))
                day += datetime.timedelta(days=rng.randrange(0, 4))
            if rng.random() < 0.02 and not shipped:
                status = "cancelled"
            elif len(shipped) == len(weights):
                status = "completed"
            elif shipped:
                status = "delivering"
            else:
                status = rng.choice(("placed", "in_production"))
            sales = rng.choice(self.users["sales"])
            stamp = self.stamp(ordered)
            orders.add(
                order_id,
                f"DD{ordered.year}{seq:06d}",
                cid,
                did,
                grade,
                thickness,
                width,
                quantity,
                ordered,
                requested,
                status,
                stamp,
                sales,
                stamp,
                sales,
            )
            for shipped_on, tons in shipped:
                delivery_id += 1
                at = self.stamp(shipped_on)
                deliveries.add(
                    delivery_id, order_id, shipped_on, f"{shipped_on:%y}D{delivery_id:08d}", tons, at, at
                )
        orders.finish()
        deliveries.finish()
        self.log(f"orders: {orders.count:,}, deliveries: {deliveries.count:,}")

    # Photos ---------------------------------------------------------------

    def images(self):
        """A few hundred distinct small JPEGs (full and thumbnail bytes), drawn once."""
        if not hasattr(self, "_images"):
            count = min(DISTINCT_IMAGES, max(self.n["objection_photos"], self.n["part_photos"]))
            self._images = surface_images(count, self.seed + 1)
        return self._images

    def write_photos(self, photos, owners, folder, caption):
        """One photo row per owner id, each with its own stored image and thumbnail."""
        if not self.photos or not owners:
            photos.finish()
            return
        images = self.images()
        first_path = {}  # (image index, kind) -> a stored file with those bytes, to link to
        path = local_path()
        for photo_id, owner in enumerate(owners, start=1):
            k = self.rng.randrange(len(images))
            stem = f"{self.rng.getrandbits(64):016x}"
            names = []
            for kind, name in (
                ("full", f"{folder(owner)}/{stem}.jpg"),
                ("thumb", f"{folder(owner)}/{stem}_thumb.jpg"),
            ):
                content = images[k][0 if kind == "full" else 1]
                names.append(self.store(name, content, (k, kind), first_path, path))
            stamp = self.stamp(self.day(datetime.date(2024, 1, 1), LAST_DAY))
            photos.add(
                photo_id,
                owner,
                names[0],
                names[1],
                f"{caption} {photo_id}",
                f"IMG_{photo_id:06d}.jpg",
                320,
                240,
                len(images[k][0]),
                stamp,
                stamp,
            )
        photos.finish()

    def store(self, name, content, key, first_path, path):
        """Write `content` at `name` in storage; on a filesystem, hard-link bytes already written.

        Returns the stored name: object storage may give a name of its own when
        `name` is taken (a file left by an earlier run).
        """
        if path is None:  # object storage: upload the bytes
            return default_storage.save(name, ContentFile(content))
        target = path(name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.lexists(target):
            os.remove(target)
        source = first_path.get(key)
        if source:
            try:
                os.link(source, target)
                return name
            except OSError:
                shutil.copyfile(source, target)
                return name
        with open(target, "wb") as f:
            f.write(content)
        first_path[key] = target
        return name


def surface_images(count, seed):
    """`count` distinct small JPEGs, (full, thumbnail) bytes each: sheet surfaces with a defect."""
    rng = random.Random(seed)
    images = []
    for _ in range(count):
        shade = rng.randrange(110, 190)
        image = Image.new("RGB", (320, 240), (shade, shade, shade + rng.randrange(0, 15)))
        draw = ImageDraw.Draw(image)
        for y in range(0, 240, 3):  # rolling texture
            tone = shade + rng.randrange(-12, 12)
            draw.line([(0, y), (320, y)], fill=(tone, tone, tone + 5))
        for _defect in range(rng.randrange(1, 4)):
            x, y = rng.randrange(20, 300), rng.randrange(20, 220)
            if rng.random() < 0.5:
                draw.line(
                    [(x, y), (x + rng.randrange(-120, 120), y + rng.randrange(-20, 20))],
                    fill=(60, 55, 50),
                    width=rng.randrange(1, 4),
                )
            else:
                r = rng.randrange(3, 15)
                draw.ellipse([x - r, y - r, x + r, y + r], fill=(120, 70, 40))
        image = image.filter(ImageFilter.SMOOTH)
        full, thumb = io.BytesIO(), io.BytesIO()
        image.save(full, "JPEG", quality=80)
        image.resize((160, 120)).save(thumb, "JPEG", quality=75)
        images.append((full.getvalue(), thumb.getvalue()))
    return images
