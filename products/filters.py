import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from archive_site.bulk import SelectedFilter
from archive_site.filters import DictionaryFilter, OfCustomerFilter
from archive_site.models import DictKind
from archive_site.pagination import StableOrderingFilter
from products.models import Part


class PartFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("零件名称/编号"))
    customer = OfCustomerFilter()
    customer_id = django_filters.NumberFilter(field_name="customer", widget=forms.HiddenInput)
    id = SelectedFilter()
    car_model = DictionaryFilter(DictKind.CAR_MODEL, label=_("车型"))
    delivery_grade = DictionaryFilter(
        DictKind.DELIVERY_GRADE, field_name="demand__delivery_grade", label=_("交货牌号")
    )
    production_grade = DictionaryFilter(
        DictKind.PRODUCTION_GRADE,
        field_name="demand__production_grade",
        label=_("生产牌号"),
    )
    usage_location = DictionaryFilter(DictKind.USAGE_LOCATION, label=_("使用部位"))
    o = StableOrderingFilter(
        fields=[
            ("customer__code", "customer"),
            ("car_model__name", "car_model"),
            "name",
            "number",
            "blank_thickness",
            "gross_weight",
            "material_quota",
            "net_weight",
            ("utilization_ratio", "utilization"),
            "updated_at",
        ],
        label=_("排序"),
    )

    class Meta:
        model = Part
        fields = []

    def search(self, queryset, name, value):
        return queryset.search(value)
