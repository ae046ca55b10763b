"""The plan list's filter: code or name, customer, the production grade of the current revision,
plans awaiting approval, plans whose recent runs went out of limits."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from archive_site.filters import DictionaryFilter, OfCustomerFilter
from archive_site.models import DictKind
from archive_site.pagination import StableOrderingFilter
from quality.models import PlanRevision, ProcessPlan


class PlanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("编号或名称"))
    customer = OfCustomerFilter()
    production_grade = DictionaryFilter(
        DictKind.PRODUCTION_GRADE,
        method="filter_grade",
        label=_("生产牌号"),
    )
    draft = django_filters.BooleanFilter(
        method="only_awaiting_approval", label=_("只看有待批准草稿的方案"), widget=forms.CheckboxInput
    )
    out_since = django_filters.DateFilter(
        method="only_out_of_limits",
        label=_("此日起有超限实绩"),
        help_text=_("这天以来生产的钢卷有实际值超出上下限的方案"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    o = StableOrderingFilter(fields=["code", "name", "updated_at"], label=_("排序"))

    class Meta:
        model = ProcessPlan
        fields = []

    def search(self, queryset, name, value):
        return queryset.search(value)

    def only_awaiting_approval(self, queryset, name, value):
        return queryset.awaiting_approval() if value else queryset

    def only_out_of_limits(self, queryset, name, value):
        return queryset.out_of_limits_since(value)

    def filter_grade(self, queryset, name, value):
        current = PlanRevision.objects.current().filter(production_grade=value).values("plan")
        return queryset.filter(pk__in=current)
