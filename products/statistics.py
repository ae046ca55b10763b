"""Supply statistics (paper 3.7): what customers make from our steel.

Type part of a customer's name → the parts made from the supplied sheet (car
model, part name, blank size, weights, material quota, utilization), totals by
car model and by grade, a chart of material quota by car model, and the same
tables as .xlsx. With no name: the whole mill (every customer the user may
see) by grade, by car model and by customer.

Every figure is summed in SQL; a page costs the same few queries however many
parts there are. The whole mill's tables, for users who see every customer, are
kept until a table they read is written (`archive_site/kept.py`).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.decorators import permission_required
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from archive_site import kept
from archive_site.access_log import log_access
from archive_site.db_router import replica_reads
from archive_site.excel import Column, xlsx_response
from archive_site.lib.charts import bar_chart, hbar_chart
from customers.models import Customer
from orders.models import Delivery
from products.forms import CustomerSearchForm
from products.models import GRADE_FIELDS, Part, totals, with_utilization
from products.resources import PartResource, percent

ROW_LIMIT = 500  # part rows shown on the page; the export has them all
MATCH_LIMIT = 30  # customers listed under the search box
TOP_CUSTOMERS = 20
# Delivered tons by the same grade as the parts' quota view: through the order's demand, or its own grade.
DELIVERY_GRADE_FIELDS = {"delivery": "order__demand__delivery_grade", "production": "order__production_grade"}
KEPT_TOPIC = "supply_statistics"
# The tables the whole mill's figures read; products migration 0003 watches each of them.
KEPT_TABLES = (
    "products_part",
    "customers_customer",
    "customers_demand",
    "archive_site_dictentry",
    "orders_order",
    "orders_delivery",
)


@dataclass
class Statistics:
    term: str = ""
    grade: str = "delivery"
    customer: object = None  # one customer chosen among the matches
    matches: list = field(default_factory=list)
    parts: object = None  # the queryset every figure is computed from
    deliveries: object = None  # the same customers' deliveries of the last twelve months
    delivered_since: datetime.date | None = None

    @property
    def whole_mill(self):
        return not self.term

    @property
    def grade_label(self):
        return GRADE_FIELDS[self.grade][1]


def statistics_for(request):
    """The parts the request asks about, in the user's scope."""
    form = CustomerSearchForm(request.GET)
    term = form.cleaned_data["q"].strip() if form.is_valid() else ""
    grade = request.GET.get("grade")
    stats = Statistics(term=term, grade=grade if grade in GRADE_FIELDS else "delivery")
    stats.delivered_since = delivery_window_start(timezone.localdate())
    parts = Part.objects.visible_to(request.user)
    deliveries = Delivery.objects.visible_to(request.user)
    if term:
        customers = Customer.objects.visible_to(request.user).search(term)
        chosen = request.GET.get("customer", "")
        if chosen.isdigit():
            customers = customers.filter(pk=chosen)
        stats.matches = list(
            customers.annotate(part_count=Count("parts")).order_by("code")[: MATCH_LIMIT + 1]
        )
        if chosen.isdigit() and stats.matches:
            stats.customer = stats.matches[0]
        parts = parts.filter(customer__in=customers.values("pk"))
        deliveries = deliveries.filter(order__customer__in=customers.values("pk"))
    stats.parts = parts
    stats.deliveries = deliveries.between(stats.delivered_since)
    return form, stats


def delivery_window_start(today):
    """Delivered tons count the last twelve months: from the first day of the month 11 months ago."""
    return (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)


def delivered_by_grade(stats, no_grade, by_grade=None):
    """What was delivered, beside the parts' quotas: by the page's grade (`by_grade`, the rows
    of `stats.deliveries.by_grade`, if already read), and the total of those rows."""
    if by_grade is None:
        by_grade = stats.deliveries.by_grade(DELIVERY_GRADE_FIELDS[stats.grade])
    for row in by_grade:
        row["label"] = row["label"] if row["label"] is not None else no_grade
    total = {
        "tons": sum((r["tons"] for r in by_grade), Decimal(0)),
        "coils": sum(r["coils"] for r in by_grade),
    }
    return by_grade, total


def summary_of(rows):
    """The totals of every part from the rows of one grouping (each part is in exactly one row)."""
    total = {key: sum((r[key] for r in rows), Decimal(0)) for key in ("gross", "net", "quota")}
    return with_utilization(dict(total, parts=sum(r["parts"] for r in rows)))


def top_customers(parts, limit):
    """The `limit` customers with the largest material quota: `by_customer()` cut in SQL.

    Totals per customer id first, names for the top rows only: the whole mill's
    100 000 parts gave 20 000 rows, all joined to their customer's name and
    turned into dicts, to show 20 of them.
    """
    by_quota = parts.order_by().values("customer").annotate(**totals()).order_by("-quota", "customer")
    rows = list(by_quota[:limit])
    names = Customer.objects.in_bulk([r["customer"] for r in rows])
    return [
        with_utilization(
            dict(
                r,
                customer__code=names[r["customer"]].code,
                customer__name=names[r["customer"]].name,
                label=names[r["customer"]].name,
            )
        )
        for r in rows
    ]


def page_tables(stats, keep=False):
    """The page's grouped tables: parts by car model and by grade, deliveries by grade, and for
    the whole mill the top customers. With `keep` (the whole mill, for a user who sees every
    customer) they are kept until a table they read (`KEPT_TABLES`) is written."""

    def compute():
        tables = {
            "by_car_model": stats.parts.by_car_model(),
            "by_grade": stats.parts.by_grade(stats.grade),
            "delivered": stats.deliveries.by_grade(DELIVERY_GRADE_FIELDS[stats.grade]),
        }
        if stats.whole_mill:
            tables["by_customer"] = top_customers(stats.parts, TOP_CUSTOMERS)
        return tables

    if not keep:
        return compute()
    deliveries = stats.deliveries.query.sql_with_params()  # the twelve months counted
    # The labels are the dictionaries' names in the page's language.
    return kept.of(KEPT_TOPIC, stats.parts, compute, stats.grade, deliveries, get_language())


def _row_label(row, empty):
    return row["label"] if row["label"] is not None else empty


@replica_reads
@permission_required("products.view_part", raise_exception=True)
def supply_statistics(request):
    form, stats = statistics_for(request)
    if stats.customer:  # the parts one customer makes from our steel: its archive
        log_access(request, "view", stats.customer, detail=_("供货统计"))
    no_model, no_grade = _("（无车型）"), _("（未关联需求或牌号）")
    keep = stats.whole_mill and Part.objects.sees_everything(request.user)
    tables = page_tables(stats, keep=keep)
    by_car_model, by_grade = tables["by_car_model"], tables["by_grade"]
    for row in by_car_model:
        row["label"] = _row_label(row, no_model)
    for row in by_grade:
        row["label"] = _row_label(row, no_grade)
    ctx = {
        "form": form,
        "stats": stats,
        "grades": [(key, label) for key, (_field, label) in GRADE_FIELDS.items()],
        "summary": summary_of(by_car_model),  # the same figures as stats.parts.summary(), one query less
        "by_car_model": by_car_model,
        "by_grade": by_grade,
        "quota_chart": mark_safe(  # the chart helper escapes every label
            bar_chart(
                [(r["label"], r["quota"]) for r in by_car_model],
                title=_("按车型的材料定额合计"),
                unit="kg",
            )
        ),
        "grade_chart": mark_safe(
            hbar_chart(
                [(r["label"], r["quota"]) for r in by_grade],
                title=_("按%(grade)s的材料定额合计") % {"grade": stats.grade_label},
                unit=" kg",
            )
        ),
    }
    by_grade_delivered, delivered_total = delivered_by_grade(stats, no_grade, tables["delivered"])
    ctx["delivered"] = {"by_grade": by_grade_delivered, "total": delivered_total}
    ctx["delivered_chart"] = mark_safe(
        hbar_chart(
            [(r["label"], r["tons"]) for r in by_grade_delivered],
            title=_("近 12 个月按%(grade)s的交货吨数") % {"grade": stats.grade_label},
            unit=" t",
        )
    )
    if stats.whole_mill:
        ctx["by_customer"] = tables["by_customer"]
    else:
        rows = list(
            stats.parts.for_list().order_by("customer__code", "car_model__name", "number")[: ROW_LIMIT + 1]
        )
        ctx["rows"], ctx["more_rows"] = rows[:ROW_LIMIT], len(rows) > ROW_LIMIT
        ctx["matches"], ctx["more_matches"] = stats.matches[:MATCH_LIMIT], len(stats.matches) > MATCH_LIMIT
    return render(request, "products/statistics.html", ctx)


def _delivered_sheets(stats, no_grade):
    """The delivered tons of the page, by grade (and by customer for the whole mill); none when
    nothing was delivered in the twelve months (no empty sheets)."""
    shipped, total = delivered_by_grade(stats, no_grade)
    if not shipped:
        return []
    tons, coils = gettext_lazy("交货吨数(t)"), gettext_lazy("卷数")
    columns = [
        Column(stats.grade_label, lambda r: r["label"], 24),
        Column(tons, lambda r: r["tons"], 14),
        Column(coils, lambda r: r["coils"], 10),
    ]
    title = _("交货-按%(grade)s") % {"grade": stats.grade_label}
    sheets = [(title, columns, shipped + [dict(total, label=_("合计"))])]
    if stats.whole_mill:
        customer_columns = [
            Column(gettext_lazy("客户代码"), lambda r: r["customer"].code, 12),
            Column(gettext_lazy("客户名称"), lambda r: r["customer"].name, 30),
            Column(tons, lambda r: r["tons"], 14),
            Column(coils, lambda r: r["coils"], 10),
        ]
        sheets.append((_("交货-按客户"), customer_columns, stats.deliveries.top_customers(TOP_CUSTOMERS)))
    return sheets


def _totals_columns(label_header):
    return [
        Column(label_header, lambda r: r["label"], 24),
        Column(gettext_lazy("零件数"), lambda r: r["parts"], 10),
        Column(gettext_lazy("毛坯毛重合计(kg)"), lambda r: r["gross"], 16),
        Column(gettext_lazy("零件净重合计(kg)"), lambda r: r["net"], 16),
        Column(gettext_lazy("材料定额合计(kg)"), lambda r: r["quota"], 16),
        Column(gettext_lazy("利用率(%)"), lambda r: percent(r["utilization"]), 10),
    ]


@replica_reads
@permission_required(["products.view_part", "products.export_part"], raise_exception=True)
def supply_statistics_export(request):
    """The tables of the statistics page, one sheet each, for the same search."""
    _form, stats = statistics_for(request)
    no_model, no_grade = _("（无车型）"), _("（未关联需求或牌号）")
    by_car_model = [dict(r, label=_row_label(r, no_model)) for r in stats.parts.by_car_model()]
    by_grade = [dict(r, label=_row_label(r, no_grade)) for r in stats.parts.by_grade(stats.grade)]
    total = dict(stats.parts.summary(), label=_("合计"))
    sheets = []
    if not stats.whole_mill:
        rows = stats.parts.for_list().order_by("customer__code", "car_model__name", "number")
        columns = PartResource(user=request.user).export_columns(options=False)
        sheets.append((_("零件明细"), columns, rows.iterator(chunk_size=2000)))
    sheets.append((_("按车型"), _totals_columns(_("车型")), by_car_model + [total]))
    sheets.append(
        (
            _("按%(grade)s") % {"grade": stats.grade_label},
            _totals_columns(stats.grade_label),
            by_grade + [total],
        )
    )
    if stats.whole_mill:
        sheets.append((_("按客户"), _totals_columns(_("客户")), stats.parts.by_customer() + [total]))
    sheets.extend(_delivered_sheets(stats, no_grade))
    filename = f"supply-statistics-{timezone.localdate():%Y%m%d}.xlsx"
    detail = _("供货统计 %(query)s") % {"query": request.GET.urlencode()}
    log_access(request, "export", stats.customer, detail=detail)
    return xlsx_response(filename, sheets)
