"""The archive's health: completeness report and rules, verification, maintenance figures,
and the administrators' merge of a duplicate customer."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from archive_site.access_log import log_access
from archive_site.db_router import replica_reads
from archive_site.excel import Column, xlsx_response
from archive_site.pagination import LateRowPaginator
from customers import completeness
from customers.filters import CompletenessFilter
from customers.forms import CustomerField
from customers.merge import MergeRefused, blocking_clashes, merge_customers, records_of
from customers.models import Customer, verification_due_since

PAGE_SIZE = 50
RELATED = ("category", "sales_owner", "verified_by")


def _report(request, now):
    customers = Customer.objects.visible_to(request.user).select_related(*RELATED)
    queryset = completeness.with_rules(customers, now).order_by("completeness", "code")
    return CompletenessFilter(request.GET, queryset=queryset)


@replica_reads
@permission_required("customers.view_customer", raise_exception=True)
def completeness_report(request):
    """The customers the user may see, least complete first, with what each is missing."""
    now = timezone.now()
    report = _report(request, now)
    page = LateRowPaginator(report.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {
        "filter": report,
        "page_obj": page,
        "rows": [(c, completeness.missing_rules(c)) for c in page],
        "due_since": verification_due_since(now),
    }
    return render(request, "customers/completeness_report.html", ctx)


@replica_reads
@permission_required(["customers.view_customer", "customers.export_customer"], raise_exception=True)
def completeness_export(request):
    """The report's rows for its filters, every page, with each rule met or missing."""
    now = timezone.now()
    rows = _report(request, now).qs
    due = verification_due_since(now)
    yes, no = _("是"), _("否")
    columns = [
        Column(gettext_lazy("客户代码"), lambda c: c.code, 12),
        Column(gettext_lazy("客户名称"), lambda c: c.name, 36),
        Column(gettext_lazy("客户类别"), lambda c: str(c.category), 12),
        Column(gettext_lazy("负责销售"), lambda c: str(c.sales_owner or ""), 12),
        Column(gettext_lazy("完整度(%)"), lambda c: c.completeness, 10),
        Column(
            gettext_lazy("缺少"), lambda c: "、".join(str(r.label) for r in completeness.missing_rules(c)), 40
        ),
        Column(
            gettext_lazy("最近确认时间"),
            lambda c: timezone.localtime(c.verified_at).strftime("%Y-%m-%d %H:%M") if c.verified_at else "",
            16,
        ),
        Column(gettext_lazy("确认人"), lambda c: str(c.verified_by or ""), 10),
        Column(
            gettext_lazy("确认逾期"), lambda c: yes if not c.verified_at or c.verified_at < due else no, 10
        ),
        *[
            Column(rule.label, lambda c, key=rule.key: _met(getattr(c, f"rule_{key}"), yes, no), 12)
            for rule in completeness.RULES
        ],
    ]
    log_access(request, "export", detail=_("档案完整度报告 %(query)s") % {"query": request.GET.urlencode()})
    filename = f"completeness-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(filename, [(_("档案完整度"), columns, rows.iterator(chunk_size=2000))])


def _met(value, yes, no):
    return "" if value is None else yes if value else no


@permission_required("customers.view_customer", raise_exception=True)
def completeness_rules(request):
    """The rules the score is made of: what each asks, for which customers, and its weight."""
    ctx = {"rules": completeness.RULES, "automotive": completeness.AUTOMOTIVE}
    return render(request, "customers/completeness_rules.html", ctx)


@replica_reads
@permission_required("customers.view_customer", raise_exception=True)
def maintenance(request):
    """Per sales owner: customers owned, average completeness, overdue verifications, recent changes."""
    figures = completeness.maintenance_figures(Customer.objects.visible_to(request.user))
    ctx = {"figures": figures, "days": completeness.CHANGED_WITHIN_DAYS}
    return render(request, "customers/maintenance.html", ctx)


@require_POST
def customer_verify(request, pk):
    """The sales owner confirms the customer's data is current."""
    customer = Customer.objects.get_visible_or_404(request.user, pk, "customers.verify_customer")
    customer.verify(by=request.user)
    messages.success(request, _("已确认客户“%(name)s”的资料为最新。") % {"name": customer.name})
    return redirect(customer.get_absolute_url() + "#verification")


class MergeForm(forms.Form):
    duplicate = CustomerField(label=gettext_lazy("重复的客户（将并入本客户并删除）"))

    def __init__(self, *args, kept, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept = kept
        self.fields["duplicate"].queryset = Customer.objects.visible_to(user).exclude(pk=kept.pk)

    def clean_duplicate(self):
        duplicate = self.cleaned_data["duplicate"]
        refused = [str(c) for c in blocking_clashes(self.kept, duplicate)]
        if refused:
            raise forms.ValidationError(
                _("两个客户有不能合并到一起的记录，请先修改其中一个：%(clashes)s")
                % {"clashes": "；".join(refused)}
            )
        return duplicate


def customer_merge(request, pk):
    """Merge a duplicate into this customer: every record moves here, the duplicate's code stays
    an alias. GET shows what would move; POST merges."""
    kept = Customer.objects.get_visible_or_404(request.user, pk, "customers.merge_customer")
    data = request.POST if request.method == "POST" else (request.GET if "duplicate" in request.GET else None)
    form = MergeForm(data, kept=kept, user=request.user)
    duplicate = form.cleaned_data["duplicate"] if form.is_valid() else None
    if request.method == "POST" and duplicate is not None:
        try:
            alias = merge_customers(kept, duplicate, by=request.user)
        except MergeRefused as e:
            form.add_error("duplicate", "；".join(str(m) for m in e.messages))
        else:
            moved = "、".join(f"{kind} {n}" for kind, n in alias.moved.items()) or _("无")
            messages.success(
                request,
                _("客户“%(dup)s”（%(code)s）已并入本客户，转移了：%(moved)s。原客户代码仍可在导入中使用。")
                % {"dup": alias.name, "code": alias.code, "moved": moved},
            )
            return redirect(kept)
    ctx = {
        "customer": kept,
        "form": form,
        "duplicate": duplicate,
        "records": records_of(duplicate) if duplicate is not None else None,
    }
    return render(request, "customers/customer_merge.html", ctx)
