"""The objection list's filter: text, customer, defect, severity, status (or open only), received
and closing dates, coil; the handler, the next due date, and the work queues (mine, overdue,
due this week)."""

from urllib.parse import urlencode

import django_filters
from django import forms
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from archive_site.bulk import SelectedFilter
from archive_site.filters import DictionaryFilter, ModelChoiceFilter, OfCustomerFilter
from archive_site.models import DictKind
from archive_site.pagination import StableOrderingFilter
from quality.models import DeadlineRule, Objection, Severity

QUEUES = [
    ("mine", _("我的异议")),
    ("overdue", _("已逾期")),
    ("week", _("本周到期")),
]


class NextDueOrdering(StableOrderingFilter):
    """The list's sort. By the next due date, that date comes from the deadline rules read once
    (`ObjectionQuerySet.with_next_due`), not from subqueries per row over every row sorted."""

    def filter(self, qs, value):
        if value and any(v.lstrip("-") == "next_due" for v in value):
            qs = qs.with_next_due(self.parent.rules)
        return super().filter(qs, value)


class ObjectionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("查找"), help_text=_("缺陷描述、原因分析、解决措施或预防措施中的文字")
    )
    id = SelectedFilter()
    customer = OfCustomerFilter()
    defect_type = DictionaryFilter(DictKind.DEFECT_TYPE, label=_("缺陷类型"))
    # A ChoiceFilter: its select offers "any" first. (A TypedChoiceFilter has no empty choice:
    # its select would show 轻微 chosen, and every search through the form keep only those.)
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("严重程度"))
    status = django_filters.ChoiceFilter(choices=Objection.Status.choices, label=_("状态"))
    open = django_filters.BooleanFilter(method="only_open", label=_("只看未关闭"), widget=forms.CheckboxInput)
    kind = django_filters.ChoiceFilter(choices=Objection.Kind.choices, label=_("类别"))
    received = django_filters.DateFromToRangeFilter(
        field_name="received_date",
        label=_("受理日期"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    closed = django_filters.DateFromToRangeFilter(
        field_name="closed_date",
        label=_("关闭日期"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    production_grade = DictionaryFilter(DictKind.PRODUCTION_GRADE, label=_("生产牌号"))
    responsible_line = DictionaryFilter(DictKind.PRODUCTION_LINE, label=_("责任产线"))
    coil = django_filters.CharFilter(method="by_coil", label=_("卷号"))
    handler = ModelChoiceFilter(queryset=lambda _r: Objection.handlers(), label=_("处理人"))
    queue = django_filters.ChoiceFilter(choices=QUEUES, method="by_queue", label=_("工作队列"))
    due = django_filters.DateFromToRangeFilter(
        method="by_due",
        label=_("下一期限"),
        help_text=_("尚未完成的最近一步的到期日"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    o = NextDueOrdering(
        fields=["number", "received_date", "severity", "tonnage", "claim_amount", "status", "next_due"],
        label=_("排序"),
    )

    class Meta:
        model = Objection
        fields = []

    def search(self, queryset, name, value):
        return queryset.search(value)

    def only_open(self, queryset, name, value):
        return queryset.open() if value else queryset

    def by_coil(self, queryset, name, value):
        return queryset.filter(coil_numbers__contains=[value.strip().upper()])

    def by_queue(self, queryset, name, value):
        """The preset lists of daily work: my open objections, the overdue, those due this week."""
        today = timezone.localdate()
        if value == "mine":
            user = getattr(self.request, "user", None)
            if user is None or not user.is_authenticated:
                return queryset.none()
            return queryset.handled_by(user)
        if value == "overdue":
            return queryset.overdue(today, self.rules)
        return queryset.due_this_week(today, self.rules)

    def by_due(self, queryset, name, value):
        return queryset.due_between(value.start, value.stop, self.rules)

    @cached_property
    def rules(self):
        """The deadline rules, read once for the queue, the due-date filter and the sort."""
        return list(DeadlineRule.objects.all())

    def queues(self):
        """The work queues as links, each marked if it is the list shown."""
        current = self.data.get("queue", "")
        return [(label, "?" + urlencode({"queue": key}), key == current) for key, label in QUEUES]
