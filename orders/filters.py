import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from archive_site.filters import DictionaryFilter, OfCustomerFilter
from archive_site.models import DictKind
from archive_site.pagination import StableOrderingFilter
from archive_site.search import SubstringFilter
from orders.models import Delivery, Order

DATE = forms.DateInput(attrs={"type": "date"})


class OrderFilter(django_filters.FilterSet):
    q = SubstringFilter(field_name="number", label=_("订单号"))
    customer = OfCustomerFilter()
    customer_id = django_filters.NumberFilter(field_name="customer", widget=forms.HiddenInput)
    demand = django_filters.NumberFilter(field_name="demand", widget=forms.HiddenInput)
    status = django_filters.ChoiceFilter(choices=Order.Status.choices, label=_("状态"))
    production_grade = DictionaryFilter(DictKind.PRODUCTION_GRADE, label=_("生产牌号"))
    ordered_after = django_filters.DateFilter(
        field_name="order_date", lookup_expr="gte", label=_("订货日期从"), widget=DATE
    )
    ordered_before = django_filters.DateFilter(
        field_name="order_date", lookup_expr="lte", label=_("订货日期至"), widget=DATE
    )
    o = StableOrderingFilter(
        fields=[
            "number",
            ("customer__code", "customer"),
            "quantity",
            "order_date",
            "requested_date",
            "status",
        ],
        label=_("排序"),
    )

    class Meta:
        model = Order
        fields = []


class DeliveryFilter(django_filters.FilterSet):
    coil = django_filters.CharFilter(field_name="coil_number", lookup_expr="istartswith", label=_("卷号"))
    order = SubstringFilter(field_name="order__number", label=_("订单号"))
    customer = OfCustomerFilter()
    delivered_after = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("交货日期从"), widget=DATE
    )
    delivered_before = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("交货日期至"), widget=DATE
    )
    o = StableOrderingFilter(
        fields=["date", "coil_number", "tons", ("order__number", "order")],
        label=_("排序"),
    )

    class Meta:
        model = Delivery
        fields = []
