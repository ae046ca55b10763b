"""The access log: who viewed, exported, printed or downloaded a customer's archive.

Every view that shows, exports, prints or hands out a customer's data calls

    log_access(request, AccessLog.Action.VIEW, customer)

once, after its access check (a refused request is not logged: nothing was
shown). The row is written in the request's transaction (ATOMIC_REQUESTS), so
a request that fails leaves no entry. Administrators read the log on the
access log page (permission `archive_site.view_accesslog`, `views.py`).
"""

from archive_site.models import AccessLog


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
