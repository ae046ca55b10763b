"""The decisions list's filter: customer, defect, disposition, measure, answer, dates, coil."""

import django_filters
from django.utils.translation import gettext_lazy as _

from archive_site.filters import DictionaryFilter, OfCustomerFilter
from archive_site.models import DictKind
from archive_site.pagination import StableOrderingFilter
from quality.models import Decision, Disposition, Verdict


class DecisionFilter(django_filters.FilterSet):
    customer = OfCustomerFilter()
    defect_type = DictionaryFilter(DictKind.DEFECT_TYPE, label=_("缺陷类型"))
    disposition = django_filters.ChoiceFilter(choices=Disposition.choices, label=_("判定"))
    measure = django_filters.ChoiceFilter(choices=Decision.Measure.choices, label=_("现场措施"))
    verdict = django_filters.ChoiceFilter(choices=Verdict.choices, label=_("判定辅助答复"))
    decided = django_filters.DateFromToRangeFilter(
        field_name="created_at__date",
        label=_("判定日期"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    coil = django_filters.CharFilter(method="by_coil", label=_("卷号"))
    o = StableOrderingFilter(fields=[("created_at", "decided"), "tonnage", "disposition"], label=_("排序"))

    class Meta:
        model = Decision
        fields = []

    def by_coil(self, queryset, name, value):
        return queryset.filter(coil_numbers__contains=[value.strip().upper()])
