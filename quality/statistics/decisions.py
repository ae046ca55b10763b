"""What the decisions add up to: coils and tons downgraded by customer, defect and month.

A decision that downgraded coils the judgement check said must not be judged 合格 is a
repeat objection the archive prevented: those coils did not reach the customer who had
complained of that defect before. Computed from a queryset of decisions already scoped to
the user, in a few grouped queries; drawn as SVG and exported whole.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Func, IntegerField, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from archive_site.excel import Column
from archive_site.lib.charts import bar_chart, hbar_chart
from archive_site.models import dict_name
from quality.models import DOWNGRADED, Verdict

ZERO = Decimal(0)
TOP = 20


def coils():
    """The number of coils of a decision, in SQL."""
    return Func("coil_numbers", function="cardinality", output_field=IntegerField())


@dataclass
class Row:
    key: object
    label: str
    decisions: int = 0
    coils: int = 0
    tons: Decimal = ZERO
    prevented: int = 0  # decisions that downgraded coils the check had said not to pass

    def add(self, g):
        self.decisions += g["n"]
        self.coils += g["coils"] or 0
        self.tons += g["tons"] or ZERO
        self.prevented += g["prevented"]


@dataclass
class DecisionStats:
    customer: object
    start: object
    end: object
    total: Row = field(default_factory=lambda: Row(None, ""))
    months: list = field(default_factory=list)
    customers: list = field(default_factory=list)
    defects: list = field(default_factory=list)
    all_decisions: int = 0


def compute(decisions, customer=None, start=None, end=None):
    """The downgrades among `decisions` (scoped) of `customer` between `start` and `end`."""
    if customer is not None:
        decisions = decisions.filter(customer=customer)
    if start:
        decisions = decisions.filter(created_at__date__gte=start)
    if end:
        decisions = decisions.filter(created_at__date__lte=end)
    stats = DecisionStats(customer, start, end, all_decisions=decisions.count())
    downgraded = decisions.filter(disposition__in=DOWNGRADED).order_by()
    sums = {
        "n": Count("id"),
        "coils": Sum(coils()),
        "tons": Sum("tonnage"),
        "prevented": Count("id", filter=Q(verdict=Verdict.NOT_ACCEPTABLE)),
    }
    months, by_customer, by_defect = {}, {}, {}
    for g in downgraded.annotate(month=TruncMonth("created_at")).values("month").annotate(**sums):
        month = g["month"].date() if hasattr(g["month"], "date") else g["month"]
        months.setdefault(month, Row(month, f"{month:%Y-%m}")).add(g)
        stats.total.add(g)
    for g in downgraded.values("customer", "customer__code", "customer__name").annotate(**sums):
        by_customer.setdefault(g["customer"], Row(g["customer__code"], g["customer__name"])).add(g)
    defect_names = ("defect_type__code", "defect_type__name", "defect_type__name_en")
    for g in downgraded.values("defect_type", *defect_names).annotate(**sums):
        label = dict_name(g["defect_type__name"], g["defect_type__name_en"])
        by_defect.setdefault(g["defect_type"], Row(g["defect_type__code"], label)).add(g)
    stats.months = sorted(months.values(), key=lambda r: r.key)
    stats.customers = sorted(by_customer.values(), key=lambda r: (-r.tons, r.key))[:TOP]
    stats.defects = sorted(by_defect.values(), key=lambda r: (-r.tons, r.key))
    return stats


def charts(stats):
    return {
        "months": mark_safe(
            bar_chart([(r.label, r.tons) for r in stats.months], title=_("按月改判吨数"), unit="t")
        ),
        "customers": mark_safe(
            hbar_chart([(r.label, r.tons) for r in stats.customers], title=_("改判吨数最多的客户"), unit="t")
        ),
        "defects": mark_safe(
            bar_chart([(r.label, r.tons) for r in stats.defects], title=_("按缺陷类型改判吨数"), unit="t")
        ),
    }


def sheets(stats):
    def columns(first, width=14):
        return [
            first,
            Column(_("判定次数"), lambda r: r.decisions, 10),
            Column(_("改判卷数"), lambda r: r.coils, 10),
            Column(_("改判吨数(t)"), lambda r: r.tons, 12),
            Column(_("避免的重复异议"), lambda r: r.prevented, 14),
        ]

    return [
        (_("按月"), columns(Column(_("月份"), lambda r: r.label, 10)), stats.months),
        (
            _("按客户"),
            [
                Column(_("客户代码"), lambda r: r.key, 12),
                *columns(Column(_("客户名称"), lambda r: r.label, 30)),
            ],
            stats.customers,
        ),
        (_("按缺陷"), columns(Column(_("缺陷类型"), lambda r: r.label, 16)), stats.defects),
    ]
