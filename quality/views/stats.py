"""Objection statistics (paper 3.5 / 3.7): for one customer or across customers over a date range.

- sensitivity: objections by defect type × severity (which defects the customer is sensitive to);
- trend by month; Pareto of defect types by count, by tonnage and by claim amount;
- cost of poor quality: claims per customer and year.

Every table is computed by a few aggregate queries over `visible_to(user)`, drawn
as server-side SVG, and exported whole to .xlsx.
"""

import datetime

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from archive_site.access_log import log_access
from archive_site.db_router import replica_reads
from archive_site.excel import Column, xlsx_response
from archive_site.lib.charts import bar_chart, hbar_chart
from quality.forms import StatsForm
from quality.models import Objection, Severity
from quality.statistics import ZERO, claims_by_customer_year, monthly, pareto, sensitivity


def _scope(request, form):
    """The objections the statistics count, and a description of the range."""
    queryset = Objection.objects.visible_to(request.user)
    data = form.cleaned_data if form.is_valid() else {}
    customer = data.get("customer")
    start, end = data.get("date_from"), data.get("date_to")
    if not form.is_bound and customer is None:
        # Across customers, by default the last twelve months.
        end = timezone.localdate()
        start = (end.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
        form.initial.update({"date_from": start, "date_to": end})
    if customer:
        queryset = queryset.filter(customer=customer)
    if start:
        queryset = queryset.filter(received_date__gte=start)
    if end:
        queryset = queryset.filter(received_date__lte=end)
    if data.get("kind"):
        queryset = queryset.filter(kind=data["kind"])
    return queryset, customer, start, end


def compute(request, form):
    queryset, customer, start, end = _scope(request, form)
    rows = sensitivity(queryset, across=customer is None)
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
        "months": monthly(queryset, start, end),
        "claims": claims_by_customer_year(queryset),
    }


def charts(stats):
    def pareto_chart(items, title, unit):
        return mark_safe(
            bar_chart([(r.name, v) for r, v, _, _ in items], title=title, unit=unit, cumulative=True)
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
                [(f"{m:%Y-%m}", n) for m, n, _, _ in stats["months"]], title=_("按月异议次数"), unit=_("次")
            )
        ),
        "pareto_count": pareto_chart(stats["pareto_count"], _("缺陷类型帕累托图（次数）"), _("次")),
        "pareto_tonnage": pareto_chart(stats["pareto_tonnage"], _("缺陷类型帕累托图（吨数）"), "t"),
        "pareto_claims": pareto_chart(stats["pareto_claims"], _("缺陷类型帕累托图（索赔金额）"), _("元")),
        "claims": mark_safe(claims_chart),
    }


@replica_reads
@permission_required("quality.view_objection", raise_exception=True)
def stats(request):
    form = StatsForm(request.GET or None, user=request.user)
    stats = compute(request, form) if not form.is_bound or form.is_valid() else None
    if stats and stats["customer"]:  # one customer's sensitivity table is its archive
        log_access(request, "view", stats["customer"], detail=_("质量异议统计"))
    ctx = {
        "form": form,
        "stats": stats,
        "charts": charts(stats) if stats else None,
        "severities": list(Severity),
    }
    return render(request, "quality/stats_objections.html", ctx)


def _sheets(stats):
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


def stats_page_with_errors(request, form):
    ctx = {"form": form, "stats": None, "charts": None, "severities": list(Severity)}
    return render(request, "quality/stats_objections.html", ctx, status=400)


@replica_reads
@permission_required(["quality.view_objection", "quality.export_objection"], raise_exception=True)
def stats_export(request):
    """Every table of the statistics page, one sheet each, for the same customer and range."""
    form = StatsForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return stats_page_with_errors(request, form)
    stats = compute(request, form)
    who = stats["customer"].code if stats["customer"] else "all"
    detail = _("质量异议统计 %(query)s") % {"query": request.GET.urlencode()}
    log_access(request, "export", stats["customer"], detail=detail)
    filename = f"objection-stats-{who}-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(filename, _sheets(stats))
