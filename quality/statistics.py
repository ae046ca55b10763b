"""Objection statistics (paper 3.5 / 3.7), computed by a few aggregate queries over a queryset
already scoped to the user: sensitivity (defect type × severity), Pareto, trend by month,
claims per customer and year. The statistics page (`views/stats.py`) and the customer archive
page's section (`sections.py`) both use them."""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Sum
from django.db.models.functions import ExtractYear, TruncMonth

from archive_site.models import dict_name
from customers.models import Customer
from quality.models import Severity

TOP_CUSTOMERS = 20
ZERO = Decimal(0)


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
        .annotate(n=Count("id"), tons=Sum("tonnage"), claims=Sum("claim_amount"), last=Max("received_date"))
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
        .annotate(n=Count("id"), tons=Sum("tonnage"), claims=Sum("claim_amount"))
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
        .annotate(claims=Sum("claim_amount"), n=Count("id"), tons=Sum("tonnage"))
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
        .annotate(claims=Sum("claim_amount"))
    )
    cells = {(g["customer"], g["year"]): g["claims"] or ZERO for g in per_year}
    years = sorted({year for _, year in cells})
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
