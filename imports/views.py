from pathlib import PurePath

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archive_site.access_log import log_access
from archive_site.db_router import mark_written
from archive_site.excel import xlsx_response
from imports.exports import export_response
from imports.forms import UploadForm
from imports.models import ImportRun
from imports.modules import STATUS_LABELS, all_modules, get_module, may_import, registry
from imports.tasks import apply_import, check_import

PAGE_SIZE = 50


def get_module_for_user(user, key):
    """The module, if it exists (else 404) and `user` may import it (else 403)."""
    module = get_module(key)
    if module is None:
        raise Http404
    if not module.can_import(user):
        raise PermissionDenied
    return module


def get_run_for_user(user, pk):
    """The run, if `user` uploaded it or may see every import (else 404)."""
    return ImportRun.objects.select_related("user").get_visible_or_404(user, pk)


def index(request):
    if not may_import(request.user):
        raise PermissionDenied
    modules = [m for m in all_modules() if m.can_import(request.user)]
    runs = ImportRun.objects.visible_to(request.user).select_related("user")[:10]
    return render(request, "imports/index.html", {"modules": modules, "runs": runs, "titles": _titles()})


def upload(request, module):
    module = get_module_for_user(request.user, module)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = PurePath(upload.name).name
        run = ImportRun(module=module.key, user=request.user, file_name=name, file_size=upload.size)
        run.file.save(name, upload, save=False)
        run.save()
        check_import.enqueue(run.pk)
        return redirect(run)
    resources = [cls(user=request.user) for cls in module.resources]
    return render(request, "imports/upload.html", {"module": module, "form": form, "resources": resources})


def template(request, module):
    module = get_module_for_user(request.user, module)
    return xlsx_response(f"{module.key}-template.xlsx", module.template_sheets(request.user))


def export(request, module):
    """The records the request's filters select (within the user's scope), a sheet per resource."""
    return export_response(request, module)


def run_list(request):
    runs = ImportRun.objects.visible_to(request.user).select_related("user")
    module = request.GET.get("module")
    if module in registry:
        runs = runs.filter(module=module)
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {"page_obj": page, "titles": _titles(), "module": module}
    return render(request, "imports/run_list.html", ctx)


def run_detail(request, pk):
    run = get_run_for_user(request.user, pk)
    if run.status == ImportRun.Status.DONE:
        mark_written(request)  # the worker's rows: read them from the primary until the replica has them
    module = get_module(run.module)
    ctx = {
        "run": run,
        "module": module,
        "labels": STATUS_LABELS,
        "can_confirm": run.status == ImportRun.Status.CHECKED
        and run.user_id == request.user.pk
        and module.can_import(request.user),
    }
    return render(request, "imports/run_detail.html", ctx)


def run_status(request, pk):
    run = get_run_for_user(request.user, pk)
    if run.status == ImportRun.Status.DONE:
        mark_written(request)
    return JsonResponse(
        {
            "status": run.status,
            "status_label": run.get_status_display(),
            "stage": run.stage,
            "processed": run.processed_rows,
            "total": run.total_rows,
            "percent": run.percent,
            "active": run.is_active,
        }
    )


@require_POST
def run_confirm(request, pk):
    """Apply a checked file: queued for the worker, which writes all rows or none."""
    run = get_run_for_user(request.user, pk)
    module = get_module(run.module)
    if run.user_id != request.user.pk or not module.can_import(request.user):
        raise PermissionDenied
    updated = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.CHECKED).update(
        status=ImportRun.Status.APPLYING, stage=_("排队导入"), processed_rows=0
    )
    if not updated:
        messages.error(request, _("这个文件不在“待确认”状态，不能导入。"))
        return redirect(run)
    apply_import.enqueue(run.pk)
    messages.success(request, _("已开始导入“%(name)s”。") % {"name": run.file_name})
    return redirect(run)


def run_file(request, pk):
    run = get_run_for_user(request.user, pk)
    log_access(request, "download", detail=_("导入文件 %(name)s") % {"name": run.file_name})
    return FileResponse(run.file.open("rb"), as_attachment=True, filename=run.file_name)


def _titles():
    return {m.key: m.title for m in all_modules()}
