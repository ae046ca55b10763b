"""The inspectors' decisions (判定记录): record one from the judgement answer, list, export, statistics."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archive_site.access_log import log_access
from archive_site.db_router import replica_reads
from archive_site.excel import xlsx_response
from archive_site.pagination import LateRowPaginator
from imports.exports import export_response
from quality.filters.decisions import DecisionFilter
from quality.forms.decisions import DecisionForm, DecisionStatsForm
from quality.forms.objections import JudgementForm
from quality.models import Decision, Objection
from quality.statistics import decisions as decision_statistics
from quality.views.judgement import answer_for

PAGE_SIZE = 50
LIST_RELATED = ("customer", "created_by", "part")  # and the dictionary entries, after (`with_dictionaries`)


def get_decision_for_user(user, pk, perm="quality.view_decision"):
    """The decision, if `user` holds `perm` (else 403) and may see its customer (else 404); its
    dictionary entries (and those of the records fetched with it) loaded after the row in one
    query (`with_dictionaries`), as the objection's page does, rather than joined one by one."""
    decisions = Decision.objects.select_related(
        "customer", "created_by", "updated_by", "part__demand", "demand"
    ).with_dictionaries()
    return decisions.get_visible_or_404(user, pk, perm)


@replica_reads
@permission_required("quality.view_decision", raise_exception=True)
def decision_list(request):
    queryset = Decision.objects.listed_for(request.user).select_related(*LIST_RELATED).with_dictionaries()
    decision_filter = DecisionFilter(request.GET, queryset=queryset)
    page = LateRowPaginator(decision_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "quality/decision_list.html", {"filter": decision_filter, "page_obj": page})


@replica_reads
def decision_export(request):
    """The decisions the list's filters select, as the decisions module exports them."""
    return export_response(request, "decisions", _("判定记录列表"))


@permission_required("quality.add_decision", raise_exception=True)
def decision_create(request):
    """Record the decision on the answer to the question in the URL (the judgement page's link).

    The answer is worked out again when the decision is saved: the record keeps the answer
    the check gave at that moment, and the objections behind it.
    """
    question = JudgementForm(request.GET, user=request.user)
    if not question.is_valid():
        messages.error(request, _("请先在判定辅助页面上完成判定，再记录判定。"))
        return redirect(f"{_judgement_url()}?{request.GET.urlencode()}")
    answer = answer_for(request.user, question.question())
    form = DecisionForm(request.POST or None, instance=Decision.from_answer(answer), user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            decision = form.save()
            decision.keep_grounds(answer)
        messages.success(
            request,
            _("已记录：%(coils)s 判定为“%(disposition)s”。")
            % {"coils": " ".join(decision.coil_numbers), "disposition": decision.get_disposition_display()},
        )
        return redirect(decision)
    back = f"{_judgement_url()}?{urlencode(answer.question.as_query())}"
    return render(request, "quality/decision_form.html", {"form": form, "answer": answer, "back": back})


def _judgement_url():
    return reverse("quality:judgement")


def decision_detail(request, pk):
    decision = get_decision_for_user(request.user, pk)
    log_access(request, "view", decision.customer, detail=str(decision))
    objections = (
        Objection.objects.visible_to(request.user)
        .filter(decisions=decision)
        .select_related("part", "production_grade")
        .order_by("-received_date", "-id")
    )
    return render(request, "quality/decision_detail.html", {"decision": decision, "objections": objections})


# Statistics ------------------------------------------------------------------


def _statistics(request, form):
    data = form.cleaned_data if form.is_valid() else {}
    return decision_statistics.compute(
        Decision.objects.visible_to(request.user),
        customer=data.get("customer"),
        start=data.get("date_from"),
        end=data.get("date_to"),
    )


@replica_reads
@permission_required("quality.view_decision", raise_exception=True)
def decision_stats(request):
    """Coils and tons downgraded by customer, defect and month: the repeat objections prevented."""
    form = DecisionStatsForm(request.GET or None, user=request.user)
    stats = _statistics(request, form) if not form.is_bound or form.is_valid() else None
    ctx = {"form": form, "stats": stats, "charts": decision_statistics.charts(stats) if stats else None}
    return render(request, "quality/decision_stats.html", ctx, status=200 if stats else 400)


@replica_reads
@permission_required(["quality.view_decision", "quality.export_decision"], raise_exception=True)
def decision_stats_export(request):
    form = DecisionStatsForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return render(request, "quality/decision_stats.html", {"form": form, "stats": None}, status=400)
    stats = _statistics(request, form)
    log_access(request, "export", stats.customer, detail=_("判定统计 %(q)s") % {"q": request.GET.urlencode()})
    return xlsx_response(
        f"decision-stats-{timezone.localdate():%Y%m%d}.xlsx", decision_statistics.sheets(stats)
    )
