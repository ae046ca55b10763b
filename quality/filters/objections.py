"""The objection list's filter: text, customer, defect, severity, status, dates, coil."""

import django_filters
from django.utils.translation import gettext_lazy as _

from archive_site.models import DictEntry, DictKind
from customers.models import Customer
from quality.models import Objection, Severity


class ObjectionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("查找"), help_text=_("缺陷描述或原因分析中的文字"))
    customer = django_filters.CharFilter(method="by_customer", label=_("客户"))
    defect_type = django_filters.ModelChoiceFilter(
        queryset=DictEntry.objects.of(DictKind.DEFECT_TYPE), label=_("缺陷类型")
    )
    severity = django_filters.TypedChoiceFilter(choices=Severity.choices, coerce=int, label=_("严重程度"))
    status = django_filters.ChoiceFilter(choices=Objection.Status.choices, label=_("状态"))
    kind = django_filters.ChoiceFilter(choices=Objection.Kind.choices, label=_("类别"))
    received = django_filters.DateFromToRangeFilter(
        field_name="received_date",
        label=_("受理日期"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    production_grade = django_filters.ModelChoiceFilter(
        queryset=DictEntry.objects.of(DictKind.PRODUCTION_GRADE), label=_("生产牌号")
    )
    responsible_line = django_filters.ModelChoiceFilter(
        queryset=DictEntry.objects.of(DictKind.PRODUCTION_LINE), label=_("责任产线")
    )
    coil = django_filters.CharFilter(method="by_coil", label=_("卷号"))
    o = django_filters.OrderingFilter(
        fields=["number", "received_date", "severity", "tonnage", "claim_amount", "status"],
        label=_("排序"),
    )

    class Meta:
        model = Objection
        fields = []

    def search(self, queryset, name, value):
        return queryset.search(value)

    def by_customer(self, queryset, name, value):
        """A customer code, or part of its name: one subquery, whatever the number of matches."""
        value = value.strip()
        matching = Customer.objects.filter(code=value).values("pk")
        if not Customer.objects.filter(code=value).exists():
            matching = Customer.objects.search(value).values("pk")
        return queryset.filter(customer__in=matching)

    def by_coil(self, queryset, name, value):
        return queryset.filter(coil_numbers__contains=[value.strip().upper()])
