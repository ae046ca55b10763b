"""Excel exports of a module's records: what the module's resources write, so the file imports back.

The import pages' export and every list's export button go through `export_response`:
the rows the request's filters select, within the user's scope, a sheet per resource
the user may export (contacts only with "export contacts"), logged in the access log.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from archive_site.access_log import log_access
from archive_site.excel import xlsx_response
from imports.modules import get_module


def get_module_for_export(user, key):
    """The module called `key` (else 404), if `user` may export it (else 403)."""
    module = get_module(key)
    if module is None:
        raise Http404
    if not module.can_export(user):
        raise PermissionDenied
    return module


def export_response(request, key, label=None, resources=None):
    """The .xlsx of module `key` for the request's filters; `label` names the export in the log.

    `resources`: only these sheets of the module (e.g. a list of customers without their contacts).
    """
    module = get_module_for_export(request.user, key)
    sheets = module.export_sheets(request, resources)
    titles = "、".join(title for title, _columns, _rows in sheets)  # e.g. whether contacts went out
    label = label or module.title
    log_access(request, "export", detail=f"{label}（{titles}） {request.GET.urlencode()}")
    return xlsx_response(f"{module.key}-{timezone.localdate():%Y%m%d}.xlsx", sheets)
