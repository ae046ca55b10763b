"""Objection statistics (paper 3.5 / 3.7), for one customer or across customers over a date range:

- sensitivity: objections by defect type × severity (which defects the customer is sensitive to);
- trend by month; Pareto of defect types by count, by tonnage and by claim amount;
- cost of poor quality: claims per customer and year.

Every amount is the objection's cost (`COST`): the settled amount where it is set, else the
amount claimed.

Every table is folded from grouped sums (`Tallies`) over a queryset already scoped to the
user and narrowed by the page's filters (customer, range of received dates, kind): `tally`
groups the objections once into every grouping set (GROUPING SETS), the rates' deliveries
likewise (`rates.delivered`); every filter is a WHERE of that one statement, so none needs
another path. The statistics page draws the tables as server-side SVG (`charts`) and exports
them whole (`sheets`); the customer archive page's section shows the sensitivity table.

The sums over the whole archive (a user who sees every customer) are kept until a table they
read is written (`archive_site.kept`, topic `KEPT_TOPIC`; the triggers on `KEPT_TABLES` come with
quality's migration 0018): the page then reads them in one query instead of a pass over the
range. A scoped user's sums are computed each time: they cover few customers.

No rollup table: the objections are spread about one per customer and month (2025 on the
generated archive: 62 266 objections, 61 986 groups of customer × month × defect type ×
severity × kind × grade × demand, 35 698 even without the customer), so a rollup the sales
scope and the top-customer tables could read would hold nearly as many rows as it sums.
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections
from django.db.models import Count, DateField, F, Max, Sum
from django.db.models.functions import Cast, Coalesce, ExtractYear, TruncMonth
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from archive_site import kept
from archive_site.excel import Column
from archive_site.lib.charts import bar_chart, hbar_chart
from archive_site.models import DictEntry, dict_name
from customers.models import Customer, Demand
from quality.models import Severity

TOP_CUSTOMERS = 20
KEPT_TOPIC = "objection_statistics"
# Every table the kept sums (`tally`, `rates.delivered`) read; a write to any of them is recorded.
KEPT_TABLES = (
    "quality_objection",
    "customers_demand",
    "orders_order",
    "orders_delivery",
    "archive_site_dictentry",
)
ZERO = Decimal(0)
# What an objection cost: what was settled with the customer, or while unsettled, what was claimed.
COST = Coalesce(F("settled_amount"), F("claim_amount"))
SUMS = {"n": Count("id"), "tons": Sum("tonnage"), "claims": Sum(COST)}


@dataclass
class DefectRow:
    """One defect type: counts by severity (mildest first), totals, and share of the whole."""

    code: str
    name: str
    by_severity: list = field(default_factory=lambda: [0] * len(Severity))
    count: int = 0
    tonnage: Decimal = ZERO
    claims: Decimal = ZERO
    last: datetime.date | None = None
    customers: int = 0
    levels: list = field(default_factory=list)

    @property
    def cells(self):
        return list(zip(Severity, self.by_severity, self.levels or [0] * len(Severity), strict=True))


DEFECT_NAMES = ("defect_type__code", "defect_type__name", "defect_type__name_en")


def _defect_groups(queryset):
    return (
        queryset.order_by()
        .values("defect_type", *DEFECT_NAMES, "severity")
        .annotate(**SUMS, last=Max("received_date"))
    )


def _spread(queryset):
    """{defect type id: how many customers reported it}."""
    groups = queryset.order_by().values("defect_type").annotate(n=Count("customer", distinct=True))
    return {g["defect_type"]: g["n"] for g in groups}


def sensitivity(queryset, *, across=False):
    """Defect rows, most frequent first, from one grouped query (and the customers per defect
    type from a second, across customers)."""
    return defect_rows(_defect_groups(queryset), _spread(queryset) if across else None)


def defect_rows(groups, spread=None):
    """`DefectRow`s, most frequent first, of the groups by defect type and severity (its code and
    names, n, tons, claims, last); `spread` gives each defect type's number of customers."""
    rows, codes = {}, {}
    for g in groups:
        code = codes[g["defect_type"]] = g["defect_type__code"]
        row = rows.setdefault(
            code, DefectRow(code, dict_name(g["defect_type__name"], g["defect_type__name_en"]))
        )
        row.by_severity[g["severity"] - 1] += g["n"]
        row.count += g["n"]
        row.tonnage += g["tons"] or ZERO
        row.claims += g["claims"] or ZERO
        row.last = max(filter(None, [row.last, g["last"]]), default=None)
    for defect_type, n in (spread or {}).items():
        rows[codes[defect_type]].customers = n
    ordered = sorted(rows.values(), key=lambda r: (-r.count, r.code))
    peak = max((n for r in ordered for n in r.by_severity), default=0)
    for r in ordered:
        r.levels = [math.ceil(5 * n / peak) if peak and n else 0 for n in r.by_severity]
    return ordered


def pareto(rows, key):
    """(row, value, share %, cumulative %) by `key` descending, zero rows left out."""
    ranked = sorted((r for r in rows if getattr(r, key)), key=lambda r: (-getattr(r, key), r.code))
    total = sum(getattr(r, key) for r in ranked) or 1
    out, running = [], 0
    for r in ranked:
        value = getattr(r, key)
        running += value
        out.append(
            (
                r,
                value,
                round(100 * float(value) / float(total), 1),
                round(100 * float(running) / float(total), 1),
            )
        )
    return out


def monthly(groups, start=None, end=None):
    """[(month, count, tonnage, claims)] of the groups by month, every month from the first to
    the last, empty ones included."""
    groups = {g["month"]: g for g in groups}
    if not groups:
        return []
    first = (start or min(groups)).replace(day=1)
    last = (end or max(groups)).replace(day=1)
    out, month = [], first
    while month <= last and len(out) < 240:
        g = groups.get(month, {})
        out.append((month, g.get("n", 0), g.get("tons") or ZERO, g.get("claims") or ZERO))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


@dataclass
class ClaimsTable:
    years: list
    rows: list  # (customer code, name, [claims per year], total claims, count, tonnage)


def claims_by_customer_year(queryset, customers):
    """Claims per customer and year: the customers with the largest claims first (top 20), of
    the groups by customer (`Tallies.customers`); the years of those 20 from `queryset`."""
    # The order of `ORDER BY claims DESC, customer`: no claims at all (NULL) first.
    ranked = sorted(customers, key=lambda t: (t["claims"] is not None, -(t["claims"] or ZERO), t["customer"]))
    top = [dict(t) for t in ranked[:TOP_CUSTOMERS]]
    if not top:
        return ClaimsTable([], [])
    names = Customer.objects.in_bulk([t["customer"] for t in top])
    for t in top:
        t["customer__code"], t["customer__name"] = names[t["customer"]].code, names[t["customer"]].name
    per_year = (
        queryset.order_by()
        .filter(customer__in=[t["customer"] for t in top])
        .annotate(year=ExtractYear("received_date"))
        .values("customer", "year")
        .annotate(claims=Sum(COST))
    )
    cells = {(g["customer"], g["year"]): g["claims"] or ZERO for g in per_year}
    years = sorted({year for _customer, year in cells})
    rows = [
        (
            t["customer__code"],
            t["customer__name"],
            [cells.get((t["customer"], y), ZERO) for y in years],
            t["claims"] or ZERO,
            t["n"],
            t["tons"] or ZERO,
        )
        for t in top
    ]
    return ClaimsTable(years, rows)


# The grouped sums -------------------------------------------------------------


@dataclass
class Tallies:
    """The grouped sums every table of the statistics page is folded from, each a list of
    dicts with n (objections), tons and claims (the sum of `COST`):

    - defects: by defect_type and severity, with last (the latest received date);
    - spread: {defect type id: its number of customers} (across customers only, else empty);
    - months: by month; grades and end_uses: by key (the production grade; the demand's end use);
    - customers: by customer — at least the 20 with the largest claims and every customer with
      as many objections as the 20th most, the candidates of both top-20 tables.
    """

    defects: list
    spread: dict
    months: list
    customers: list
    grades: list
    end_uses: list


def tally_per_table(objections, *, across=False):
    """`Tallies` by one aggregate query per table, each a pass over the objections (of a year's
    range, ~60 000): the page's path before `tally`, kept as the benchmark's baseline and the
    tests' reference."""
    objections = objections.order_by()
    return Tallies(
        defects=list(_defect_groups(objections)),
        spread=_spread(objections) if across else {},
        months=list(objections.annotate(month=TruncMonth("received_date")).values("month").annotate(**SUMS)),
        customers=list(objections.values("customer").annotate(**SUMS)),
        grades=list(objections.values(key=F("production_grade")).annotate(**SUMS)),
        end_uses=list(objections.values(key=F("demand__end_use")).annotate(**SUMS)),
    )


# The keys of the single pass, in the order of its GROUPING(); the grouping sets by their names.
KEYS = ("defect_type", "severity", "month", "customer", "grade", "demand")
SETS = {
    "defects": ("defect_type", "severity"),
    "months": ("month",),
    "customers": ("customer",),
    "grades": ("grade",),
    "end_uses": ("demand",),  # summed by end use after the grouping
    "spread": ("defect_type", "customer"),
}


def _grouping(keys):
    """What PostgreSQL's GROUPING(KEYS) returns for the grouping set of `keys`."""
    return sum(1 << (len(KEYS) - 1 - i) for i, key in enumerate(KEYS) if key not in keys)


ONE_PASS = """
WITH g AS (
    SELECT GROUPING({keys}) AS grouping_set, {keys},
           COUNT(*) AS n, SUM(o_tons) AS tons, SUM(o_cost) AS claims, MAX(o_day) AS last
    FROM ({objections}) AS o
    GROUP BY GROUPING SETS ({sets})
)
SELECT grouping_set, {keys}, n, tons, claims, last FROM g
WHERE grouping_set NOT IN (%s, %s, %s)
UNION ALL
SELECT grouping_set, {keys}, n, tons, claims, last FROM g
WHERE grouping_set = %s AND (
    customer IN (SELECT customer FROM g WHERE grouping_set = %s ORDER BY claims DESC, customer LIMIT %s)
    OR n >= COALESCE((SELECT n FROM g WHERE grouping_set = %s ORDER BY n DESC LIMIT 1 OFFSET %s), 0)
)
UNION ALL
SELECT grouping_set, defect_type, NULL, NULL, NULL, NULL, NULL, COUNT(*), NULL, NULL, NULL FROM g
WHERE grouping_set = %s GROUP BY grouping_set, defect_type
UNION ALL
SELECT grouping_set, NULL, NULL, NULL, NULL, NULL, d.{end_use},
       SUM(n)::bigint, SUM(tons), SUM(claims), MAX(last)
FROM g LEFT JOIN {demands} AS d ON d.id = g.demand
WHERE grouping_set = %s GROUP BY grouping_set, d.{end_use}
"""


def tally(objections, *, across=False):
    """`Tallies` in one pass over the objections: PostgreSQL groups each row into every grouping
    set at once (GROUPING SETS), where `tally_per_table` read the range once per table. The
    customers per defect type are counted, and the customers cut to the candidates of the top-20
    tables, in the same statement: a year's range has ~18 000 customers and ~46 000 pairs of
    defect type and customer, which need not travel to Python. The end uses are summed from the
    sums by demand, joined to the demands after the grouping: joining every objection to its
    demand read all 60 000 demands (44 ms) even for one customer's objections."""
    inner, params = (
        objections.order_by()
        .values(
            defect_type_key=F("defect_type"),
            severity_key=F("severity"),
            month_key=Cast(TruncMonth("received_date"), DateField()),
            customer_key=F("customer"),
            grade_key=F("production_grade"),
            demand_key=F("demand"),
            o_tons=F("tonnage"),
            o_cost=COST,
            o_day=F("received_date"),
        )
        .query.sql_with_params()
    )
    # The outer statement names the keys without the suffix the inner one needs (no key may
    # share a field's name in `values`).
    inner = f"SELECT {', '.join(f'{k}_key AS {k}' for k in KEYS)}, o_tons, o_cost, o_day FROM ({inner}) AS i"
    sets = {name: keys for name, keys in SETS.items() if across or name != "spread"}
    sql = ONE_PASS.format(
        demands=Demand._meta.db_table,
        end_use=Demand._meta.get_field("end_use").column,
        keys=", ".join(KEYS),
        objections=inner,
        sets=", ".join(f"({', '.join(keys)})" for keys in sets.values()),
    )
    customers, spread, end_uses = (_grouping(SETS[name]) for name in ("customers", "spread", "end_uses"))
    last = TOP_CUSTOMERS - 1
    with connections[objections.db].cursor() as cursor:
        cursor.execute(
            sql,
            (
                *params,
                customers,
                spread,
                end_uses,
                customers,
                customers,
                TOP_CUSTOMERS,
                customers,
                last,
                spread,
                end_uses,
            ),
        )
        rows = cursor.fetchall()
    names = {_grouping(keys): name for name, keys in SETS.items()}
    out = {name: [] for name in SETS}
    for grouping_set, *keys, n, tons, claims, day in rows:
        name = names[grouping_set]
        row = dict(zip(KEYS, keys, strict=True), n=n, tons=tons, claims=claims, last=day, key=None)
        if name in ("grades", "end_uses"):
            row["key"] = row["grade" if name == "grades" else "demand"]  # the end use, by then
        out[name].append(row)
    entries = DictEntry.objects.in_bulk({g["defect_type"] for g in out["defects"]})
    for g in out["defects"]:
        entry = entries[g["defect_type"]]
        g.update(zip(DEFECT_NAMES, (entry.code, entry.name, entry.name_en), strict=True))
    return Tallies(
        defects=out["defects"],
        spread={g["defect_type"]: g["n"] for g in out["spread"]},
        months=out["months"],
        customers=out["customers"],
        grades=out["grades"],
        end_uses=out["end_uses"],
    )


# The statistics page ---------------------------------------------------------


def default_range(today):
    """Across customers the page shows the last twelve months by default: (first day, today)."""
    return (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1), today


def narrow(objections, *, customer=None, start=None, end=None, kind=None):
    """`objections` of one customer, a range of received dates and a kind, when given."""
    if customer:
        objections = objections.filter(customer=customer)
    if start:
        objections = objections.filter(received_date__gte=start)
    if end:
        objections = objections.filter(received_date__lte=end)
    if kind:
        objections = objections.filter(kind=kind)
    return objections


def compute(objections, *, customer=None, start=None, end=None, kind=None, tally=tally, keep=False):
    """Every table of the statistics page over `objections` (scoped to the user), narrowed
    to one customer, a range of received dates and a kind when given; the sums they are folded
    from under "tallies" (for `rates.compute`). `tally` gives them (`tally_per_table`: one query
    per table, the baseline); with `keep` (`objections` are the whole archive) they are kept
    until a table they read is written."""
    objections = narrow(objections, customer=customer, start=start, end=end, kind=kind)
    across = customer is None
    if keep:
        tallies = kept.of(KEPT_TOPIC, objections, lambda: tally(objections, across=across), tally.__name__)
    else:
        tallies = tally(objections, across=across)
    rows = defect_rows(tallies.defects, tallies.spread)
    return {
        "customer": customer,
        "start": start,
        "end": end,
        "rows": rows,
        "total": sum(r.count for r in rows),
        "total_by_severity": [sum(r.by_severity[i] for r in rows) for i in range(len(Severity))],
        "total_tonnage": sum((r.tonnage for r in rows), ZERO),
        "total_claims": sum((r.claims for r in rows), ZERO),
        "pareto_count": pareto(rows, "count"),
        "pareto_tonnage": pareto(rows, "tonnage"),
        "pareto_claims": pareto(rows, "claims"),
        "months": monthly(tallies.months, start, end),
        "claims": claims_by_customer_year(objections, tallies.customers),
        "tallies": tallies,
    }


def charts(stats):
    """The page's SVG charts of `compute`'s tables."""

    def pareto_chart(items, title, unit):
        return mark_safe(
            bar_chart([(r.name, v) for r, v, _s, _c in items], title=title, unit=unit, cumulative=True)
        )

    claims = stats["claims"]
    if stats["customer"]:
        claims_chart = bar_chart(
            [(str(y), c) for y, c in zip(claims.years, claims.rows[0][2], strict=True)]
            if claims.rows
            else [],
            title=_("各年索赔金额"),
            unit=_("元"),
        )
    else:
        claims_chart = hbar_chart(
            [(r[1], r[3]) for r in claims.rows], title=_("索赔金额最多的客户"), unit=_("元")
        )
    return {
        "trend": mark_safe(
            bar_chart(
                [(f"{m:%Y-%m}", n) for m, n, _t, _c in stats["months"]],
                title=_("按月异议次数"),
                unit=_("次"),
            )
        ),
        "pareto_count": pareto_chart(stats["pareto_count"], _("缺陷类型帕累托图（次数）"), _("次")),
        "pareto_tonnage": pareto_chart(stats["pareto_tonnage"], _("缺陷类型帕累托图（吨数）"), "t"),
        "pareto_claims": pareto_chart(stats["pareto_claims"], _("缺陷类型帕累托图（索赔金额）"), _("元")),
        "claims": mark_safe(claims_chart),
    }


def sheets(stats):
    """Every table of `compute`, one sheet each, for the .xlsx export."""
    severity_columns = [Column(s.label, lambda r, i=i: r.by_severity[i], 8) for i, s in enumerate(Severity)]
    sensitivity_columns = [
        Column(_("缺陷代码"), lambda r: r.code, 12),
        Column(_("缺陷类型"), lambda r: r.name, 16),
        *severity_columns,
        Column(_("合计次数"), lambda r: r.count, 10),
        Column(_("异议吨数(t)"), lambda r: r.tonnage, 12),
        Column(_("索赔金额(元)"), lambda r: r.claims, 14),
        Column(_("最近受理日期"), lambda r: r.last, 14),
    ]
    if stats["customer"] is None:
        sensitivity_columns.append(Column(_("涉及客户数"), lambda r: r.customers, 12))
    trend_columns = [
        Column(_("月份"), lambda m: f"{m[0]:%Y-%m}", 10),
        Column(_("次数"), lambda m: m[1], 8),
        Column(_("异议吨数(t)"), lambda m: m[2], 12),
        Column(_("索赔金额(元)"), lambda m: m[3], 14),
    ]

    def pareto_columns(label):
        return [
            Column(_("缺陷类型"), lambda p: p[0].name, 16),
            Column(label, lambda p: p[1], 14),
            Column(_("占比(%)"), lambda p: p[2], 10),
            Column(_("累计占比(%)"), lambda p: p[3], 12),
        ]

    claims = stats["claims"]
    claims_columns = [
        Column(_("客户代码"), lambda r: r[0], 12),
        Column(_("客户名称"), lambda r: r[1], 30),
        *[Column(str(y), lambda r, i=i: r[2][i], 12) for i, y in enumerate(claims.years)],
        Column(_("索赔合计(元)"), lambda r: r[3], 14),
        Column(_("次数"), lambda r: r[4], 8),
        Column(_("异议吨数(t)"), lambda r: r[5], 12),
    ]
    return [
        (_("敏感度"), sensitivity_columns, stats["rows"]),
        (_("月度趋势"), trend_columns, stats["months"]),
        (_("帕累托-次数"), pareto_columns(_("次数")), stats["pareto_count"]),
        (_("帕累托-吨数"), pareto_columns(_("异议吨数(t)")), stats["pareto_tonnage"]),
        (_("帕累托-索赔"), pareto_columns(_("索赔金额(元)")), stats["pareto_claims"]),
        (_("索赔-客户与年份"), claims_columns, claims.rows),
    ]
