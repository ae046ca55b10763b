"""异议处理统计: on-time rates of the objection steps and lead times to closure (`statistics.work`)."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from archive_site.access_log import log_access
from archive_site.db_router import replica_reads
from archive_site.excel import xlsx_response
from quality.forms.objections import StatsForm
from quality.models import Objection
from quality.statistics import objections as objection_statistics
from quality.statistics import work


def _statistics(request, form):
    """The figures over the objections the user may see, for the form's customer, range and kind;
    without a query, the last twelve months."""
    data = form.cleaned_data if form.is_valid() else {}
    customer, start, end = data.get("customer"), data.get("date_from"), data.get("date_to")
    today = timezone.localdate()
    if not form.is_bound:
        start, end = objection_statistics.default_range(today)
        form.initial.update({"date_from": start, "date_to": end})
    objections = objection_statistics.narrow(
        Objection.objects.visible_to(request.user),
        customer=customer,
        start=start,
        end=end,
        kind=data.get("kind"),
    )
    keep = Objection.objects.sees_everything(request.user)  # kept for the whole archive only
    stats = work.compute(objections, today, start=start, end=end, keep=keep)
    stats["customer"] = customer
    return stats


def _page(request, form, stats, status=200):
    ctx = {"form": form, "stats": stats, "charts": work.charts(stats) if stats else None}
    return render(request, "quality/stats_work.html", ctx, status=status)


@replica_reads
@permission_required("quality.view_objection", raise_exception=True)
def work_stats(request):
    """On-time rate per step and lead time to closure by month, line and grade."""
    form = StatsForm(request.GET or None, user=request.user)
    stats = _statistics(request, form) if not form.is_bound or form.is_valid() else None
    if stats and stats["customer"]:
        log_access(request, "view", stats["customer"], detail=_("异议处理统计"))
    return _page(request, form, stats)


@replica_reads
@permission_required(["quality.view_objection", "quality.export_objection"], raise_exception=True)
def work_stats_export(request):
    """The page's tables, one sheet each, for the same customer, range and kind."""
    form = StatsForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return _page(request, form, None, status=400)
    stats = _statistics(request, form)
    who = stats["customer"].code if stats["customer"] else "all"
    detail = _("异议处理统计 %(query)s") % {"query": request.GET.urlencode()}
    log_access(request, "export", stats["customer"], detail=detail)
    filename = f"objection-work-{who}-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(filename, work.sheets(stats))
