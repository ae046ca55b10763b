"""The plan list's filter: code or name, customer, the production grade of the current revision."""

import django_filters
from django.utils.translation import gettext_lazy as _

from archive_site.models import DictEntry, DictKind
from customers.models import Customer
from quality.models import PlanRevision, ProcessPlan


class PlanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("编号或名称"))
    customer = django_filters.CharFilter(method="search_customer", label=_("客户"))
    production_grade = django_filters.ModelChoiceFilter(
        queryset=DictEntry.objects.of(DictKind.PRODUCTION_GRADE),
        method="filter_grade",
        label=_("生产牌号"),
    )
    o = django_filters.OrderingFilter(fields=["code", "name", "updated_at"], label=_("排序"))

    class Meta:
        model = ProcessPlan
        fields = []

    def search(self, queryset, name, value):
        return queryset.search(value)

    def search_customer(self, queryset, name, value):
        return queryset.filter(customer__in=Customer.objects.search(value).values("pk"))

    def filter_grade(self, queryset, name, value):
        current = PlanRevision.objects.current().filter(production_grade=value).values("plan")
        return queryset.filter(pk__in=current)
