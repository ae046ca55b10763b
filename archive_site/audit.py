"""The access log: who viewed, exported, printed or downloaded a customer's archive.

Every view that shows, exports, prints or hands out a customer's data calls

    log_access(request, AccessLog.Action.VIEW, customer)

once, after its access check (a refused request is not logged: nothing was
shown). The row is written in the request's transaction (ATOMIC_REQUESTS), so
a request that fails leaves no entry. Administrators read the log on the
access log page (permission `archive_site.view_accesslog`).
"""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive_site.models import AccessLog

PAGE_SIZE = 50


def client_ip(request):
    """The address the request came from, as the login throttling (axes) sees it."""
    return request.META.get("REMOTE_ADDR") or None


def log_access(request, action, customer=None, detail=""):
    """Record that `request.user` did `action` (view/export/print/download) on `customer`'s data.

    `customer` is the Customer concerned, or None for an access spanning
    customers (a list export: put what was exported in `detail`).
    """
    return AccessLog.objects.create(
        user=request.user,
        action=AccessLog.Action(action),
        customer_id=customer.pk if customer is not None else None,
        customer_name=customer.name[:200] if customer is not None else "",
        path=request.get_full_path()[:500],
        ip=client_ip(request),
        detail=str(detail)[:300],
    )


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class AccessLogFilter(django_filters.FilterSet):
    user = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.order_by("username"), label=_("用户")
    )
    customer_name = django_filters.CharFilter(lookup_expr="icontains", label=_("客户"))
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("客户ID"))
    action = django_filters.ChoiceFilter(choices=AccessLog.Action.choices, label=_("操作"))
    date_from = django_filters.DateFilter(
        method="filter_from", label=_("从"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        method="filter_to", label=_("到"), widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AccessLog
        fields = ["user", "customer_name", "customer", "action", "date_from", "date_to"]

    # Whole local days as a range of `at`, so the (…, at) indexes serve it.
    def filter_from(self, queryset, name, value):
        return queryset.filter(at__gte=_start_of(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(at__lt=_start_of(value + timedelta(days=1)))


@permission_required("archive_site.view_accesslog", raise_exception=True)
def access_log_list(request):
    log_filter = AccessLogFilter(request.GET, queryset=AccessLog.objects.select_related("user"))
    page = Paginator(log_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "archive_site/access_log_list.html", {"filter": log_filter, "page_obj": page})
