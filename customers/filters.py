import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from archive_site.bulk import SelectedFilter
from archive_site.filters import DictionaryFilter, ModelChoiceFilter, OfCustomerFilter
from archive_site.models import DictKind
from archive_site.pagination import StableOrderingFilter
from archive_site.search import SubstringFilter
from customers.models import Customer, Demand, verification_overdue_q


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("查找"))
    id = SelectedFilter()
    category = DictionaryFilter(DictKind.CUSTOMER_CATEGORY, label=_("客户类别"))
    region = SubstringFilter(label=_("地区"))
    status = django_filters.ChoiceFilter(choices=Customer.Status.choices, label=_("状态"))
    sales_owner = ModelChoiceFilter(queryset=lambda _request: Customer.sales_owners(), label=_("负责销售"))
    followed = django_filters.BooleanFilter(
        method="only_followed", label=_("我关注的客户"), widget=forms.CheckboxInput
    )
    o = StableOrderingFilter(
        fields=["code", "name", "region", "status", "updated_at", "annual_demand"],
        label=_("排序"),
    )

    class Meta:
        model = Customer
        fields = ["q", "category", "region", "status", "sales_owner"]

    def search(self, queryset, name, value):
        return queryset.search(value)

    def only_followed(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return queryset
        return queryset.followed_by(user)


# Demands ---------------------------------------------------------------------


class DemandFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("查找"), help_text=_("需求编号、名称或特殊要求中的文字")
    )
    customer = OfCustomerFilter()
    name = SubstringFilter(label=_("需求名称"))
    production_grade = DictionaryFilter(DictKind.PRODUCTION_GRADE, label=_("生产牌号"))
    delivery_grade = DictionaryFilter(DictKind.DELIVERY_GRADE, label=_("交货牌号"))
    surface_quality = DictionaryFilter(DictKind.SURFACE_QUALITY, label=_("表面质量"))
    end_use = DictionaryFilter(DictKind.END_USE, label=_("最终用途"))
    thickness_min = django_filters.NumberFilter(
        field_name="thickness", lookup_expr="gte", label=_("厚度 ≥ (mm)")
    )
    thickness_max = django_filters.NumberFilter(
        field_name="thickness", lookup_expr="lte", label=_("厚度 ≤ (mm)")
    )
    width_min = django_filters.NumberFilter(field_name="width", lookup_expr="gte", label=_("宽度 ≥ (mm)"))
    width_max = django_filters.NumberFilter(field_name="width", lookup_expr="lte", label=_("宽度 ≤ (mm)"))
    created = django_filters.DateFromToRangeFilter(
        field_name="created_at",
        label=_("登记日期"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    o = StableOrderingFilter(
        fields=[
            "code",
            ("customer__name", "customer"),
            "name",
            "thickness",
            "width",
            "annual_volume",
            "updated_at",
        ],
        label=_("排序"),
    )

    class Meta:
        model = Demand
        fields = []

    def search(self, queryset, name, value):
        return queryset.search(value)


# Archive health ---------------------------------------------------------------


class CompletenessFilter(django_filters.FilterSet):
    """The completeness report's filters; the queryset carries `completeness` (customers.completeness)."""

    q = django_filters.CharFilter(method="search", label=_("查找"))
    sales_owner = ModelChoiceFilter(queryset=lambda _request: Customer.sales_owners(), label=_("负责销售"))
    category = DictionaryFilter(DictKind.CUSTOMER_CATEGORY, label=_("客户类别"))
    below = django_filters.NumberFilter(
        field_name="completeness", lookup_expr="lt", label=_("完整度低于 (%)")
    )
    overdue = django_filters.BooleanFilter(
        method="only_overdue", label=_("只看确认逾期的客户"), widget=forms.CheckboxInput
    )
    o = StableOrderingFilter(
        fields=["completeness", "code", "name", "verified_at"],
        label=_("排序"),
    )

    class Meta:
        model = Customer
        fields = []

    def search(self, queryset, name, value):
        return queryset.search(value)

    def only_overdue(self, queryset, name, value):
        return queryset.filter(verification_overdue_q()) if value else queryset
