from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive_site.filters import ModelChoiceFilter
from archive_site.models import AccessLog
from archive_site.search import SubstringFilter
from archive_site.validators import validate_plausible_date


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class AccessLogFilter(django_filters.FilterSet):
    user = ModelChoiceFilter(queryset=get_user_model().objects.order_by("username"), label=_("用户"))
    customer_name = SubstringFilter(label=_("客户"))
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("客户ID"))
    action = django_filters.ChoiceFilter(choices=AccessLog.Action.choices, label=_("操作"))
    date_from = django_filters.DateFilter(
        method="filter_from",
        label=_("从"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_plausible_date],
    )
    date_to = django_filters.DateFilter(
        method="filter_to",
        label=_("到"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_plausible_date],
    )

    class Meta:
        model = AccessLog
        fields = ["user", "customer_name", "customer", "action", "date_from", "date_to"]

    # Whole local days as a range of `at`, so the (…, at) indexes serve it.
    def filter_from(self, queryset, name, value):
        return queryset.filter(at__gte=_start_of(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(at__lt=_start_of(value + timedelta(days=1)))
