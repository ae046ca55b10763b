"""The access log page: administrators read who accessed which customer's archive."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import render

from archive_site.access_log.filters import AccessLogFilter
from archive_site.models import AccessLog

PAGE_SIZE = 50


@permission_required("archive_site.view_accesslog", raise_exception=True)
def access_log_list(request):
    log_filter = AccessLogFilter(request.GET, queryset=AccessLog.objects.select_related("user"))
    page = Paginator(log_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "archive_site/access_log_list.html", {"filter": log_filter, "page_obj": page})
