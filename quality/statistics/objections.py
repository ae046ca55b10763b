"""Objection statistics (paper 3.5 / 3.7), for one customer or across customers over a date range:

- sensitivity: objections by defect type × severity (which defects the customer is sensitive to);
- trend by month; Pareto of defect types by count, by tonnage and by claim amount;
- cost of poor quality: claims per customer and year.

Every amount is the objection's cost (`COST`): the settled amount where it is set, else the
amount claimed.

Each is a few aggregate queries over a queryset already scoped to the user. The
statistics page draws them as server-side SVG (`charts`) and exports them whole
(`sheets`); the customer archive page's section shows the sensitivity table.
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Max, Sum
from django.db.models.functions import Coalesce, ExtractYear, TruncMonth
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from archive_site.excel import Column
from archive_site.lib.charts import bar_chart, hbar_chart
from archive_site.models import dict_name
from customers.models import Customer
from quality.models import Severity

TOP_CUSTOMERS = 20
ZERO = Decimal(0)
# What an objection cost: what was settled with the customer, or while unsettled, what was claimed.
COST = Coalesce(F("settled_amount"), F("claim_amount"))


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


def sensitivity(queryset, *, across=False):
    """Defect rows, most frequent first, from one grouped query."""
    groups = (
        queryset.order_by()
        .values("defect_type", "defect_type__code", "defect_type__name", "defect_type__name_en", "severity")
        .annotate(n=Count("id"), tons=Sum("tonnage"), claims=Sum(COST), last=Max("received_date"))
    )
    rows, codes = {}, {}
    for g in groups:
        codes[g["defect_type"]] = g["defect_type__code"]
        row = rows.setdefault(
            g["defect_type__code"],
            DefectRow(g["defect_type__code"], dict_name(g["defect_type__name"], g["defect_type__name_en"])),
        )
        row.by_severity[g["severity"] - 1] += g["n"]
        row.count += g["n"]
        row.tonnage += g["tons"] or ZERO
        row.claims += g["claims"] or ZERO
        row.last = max(filter(None, [row.last, g["last"]]), default=None)
    if across:
        # By defect type id: no join to the dictionary for every objection of the range.
        customers = queryset.order_by().values("defect_type").annotate(n=Count("customer", distinct=True))
        for g in customers:
            rows[codes[g["defect_type"]]].customers = g["n"]
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


def monthly(queryset, start=None, end=None):
    """[(month, count, tonnage, claims)], every month from the first to the last, empty ones included."""
    groups = {
        g["month"]: g
        for g in queryset.order_by()
        .annotate(month=TruncMonth("received_date"))
        .values("month")
        .annotate(n=Count("id"), tons=Sum("tonnage"), claims=Sum(COST))
    }
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


def claims_by_customer_year(queryset):
    """Claims per customer and year: the customers with the largest claims first (top 20)."""
    # Totals per customer id and the top 20 in SQL, names for those 20 only: grouping
    # every objection of the range with its customer's code and name cost twice as much.
    top = list(
        queryset.order_by()
        .values("customer")
        .annotate(claims=Sum(COST), n=Count("id"), tons=Sum("tonnage"))
        .order_by("-claims", "customer")[:TOP_CUSTOMERS]
    )
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


def compute(objections, *, customer=None, start=None, end=None, kind=None):
    """Every table of the statistics page over `objections` (scoped to the user), narrowed
    to one customer, a range of received dates and a kind when given."""
    objections = narrow(objections, customer=customer, start=start, end=end, kind=kind)
    rows = sensitivity(objections, across=customer is None)
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
        "months": monthly(objections, start, end),
        "claims": claims_by_customer_year(objections),
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
