"""Quality objections (paper 3.5): list, export, register, edit, status, defect photos, statistics."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from archive_site import bulk
from archive_site.access_log import log_access
from archive_site.db_router import replica_reads
from archive_site.excel import xlsx_response
from archive_site.forms import StaleEdit
from archive_site.history import describe_events, events_for
from archive_site.pagination import LateRowPaginator
from archive_site.photos import STORAGE_FAILED, PhotoUploadForm, photo_response, save_photos
from imports.exports import export_response, get_module_for_export
from quality.filters.objections import ObjectionFilter
from quality.forms.objections import (
    AssignForm,
    AttachmentForm,
    BulkAssignForm,
    CommentForm,
    ObjectionForm,
    StatsForm,
    TransitionForm,
)
from quality.models import (
    Alert,
    Decision,
    Objection,
    ObjectionAttachment,
    ObjectionClosed,
    ObjectionComment,
    ObjectionPhoto,
    PlanRun,
    RunProperty,
    Severity,
    StaleStatus,
    TransitionRefused,
)
from quality.models.objections import HANDLE_PERMISSION
from quality.statistics import objections as objection_statistics
from quality.statistics import rates

PAGE_SIZE = 50
HISTORY_SIZE = 30
SECTION_SIZE = 30
# A list's rows: their dictionary entries are loaded after the rows in one query
# (`with_dictionaries`). Joined, the three made PostgreSQL plan the page's query for 1.1-1.4 ms
# of its 1.6-2.0; 50 rows are read in 5.9 ms joined, 5.1 loaded after.
LIST_RELATED = ("customer", "handler")


# The records an objection's page shows beside it; its dictionary entries (and those of its
# customer, its demand and its part's demand) are loaded after the row in one query
# (`with_dictionaries`): joined, seven of them made PostgreSQL plan the page's query for 25 ms.
OBJECTION_RELATED = (
    "customer",
    "handler",
    "demand",
    "part__demand",
    "plan_revision__plan",
    "created_by",
    "updated_by",
)


def get_objection_for_user(user, pk, perm="quality.view_objection"):
    """The objection, if `user` holds `perm` (else 403) and may see its customer (else 404),
    with its steps' due dates (`Objection.deadlines()`)."""
    objections = Objection.objects.with_deadlines().select_related(*OBJECTION_RELATED).with_dictionaries()
    return objections.get_visible_or_404(user, pk, perm)


def _loaded_with(objection):
    """The objection and the records fetched with it (`get_objection_for_user`) that its history
    names: its photos and status changes name it, its own changes its customer and dictionary
    entries. (Not its handler: the status changes and assignments name other users too.)"""
    related = ("customer", "defect_type", "production_grade", "responsible_line")
    return [objection, *(getattr(objection, name) for name in related)]


def _get_photo_for_user(user, pk, perm):
    return ObjectionPhoto.objects.select_related("objection__customer").get_visible_or_404(user, pk, perm)


def _refused_if_closed(request, objection):
    """The answer to a change asked of a closed objection (the page, with why), else None."""
    try:
        objection.check_open(fresh=True)
    except ObjectionClosed as e:
        messages.error(request, " ".join(e.messages))
        return redirect(objection)
    return None


def _filtered_objections(request):
    photos = (
        ObjectionPhoto.objects.filter(objection=OuterRef("pk"))
        .order_by()
        .values("objection")
        .annotate(n=Count("id"))
        .values("n")
    )
    queryset = (
        Objection.objects.listed_for(request.user)
        .with_deadlines()
        .select_related(*LIST_RELATED)
        .with_dictionaries()
        .annotate(photo_count=Subquery(photos))
    )
    return ObjectionFilter(request.GET, queryset=queryset, request=request)


@replica_reads
@permission_required("quality.view_objection", raise_exception=True)
def objection_list(request):
    objection_filter = _filtered_objections(request)
    paginator = LateRowPaginator(objection_filter.qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(o, o.next_deadline(today)) for o in page]
    ctx = {"filter": objection_filter, "page_obj": page, "rows": rows, "queues": objection_filter.queues()}
    return render(request, "quality/objection_list.html", ctx)


@replica_reads
def objection_export(request):
    """The rows the list's current filters and sort select, as the objections module exports them:
    a file that imports back."""
    return export_response(request, "objections", _("质量异议列表"))


def objection_detail(request, pk):
    objection = get_objection_for_user(request.user, pk)
    log_access(request, "view", objection.customer, detail=objection.number)
    photos = list(objection.photos.all())
    attachments = []
    if request.user.has_perm("quality.view_objectionattachment"):
        attachments = list(objection.attachments.select_related("created_by"))
    comments = []
    if request.user.has_perm("quality.view_objectioncomment"):
        comments = list(objection.comments.select_related("author"))
    can_comment = request.user.has_perm("quality.add_objectioncomment") and not objection.is_closed
    transitions = objection.transitions.select_related("by")
    assignments = objection.assignments.select_related("previous", "handler", "by")
    user = request.user
    can_assign = user.has_perm("quality.add_objectionassignment") and not objection.is_closed
    # Reopening a closed objection is for those who handle objections (the model checks it too).
    can_move = user.has_perm("quality.change_objection") and bool(objection.allowed_transitions())
    can_move = can_move and (not objection.is_closed or user.has_perm(HANDLE_PERMISSION))
    events = events_for(objection, limit=HISTORY_SIZE)  # with its photos and transitions
    runs = []
    if objection.coil_numbers and request.user.has_perm("quality.view_planrun"):
        runs = (
            PlanRun.objects.visible_to(request.user)
            .filter(coil_number__in=objection.coil_numbers)
            .select_related("revision__plan", "line", "surface_grade")
            .prefetch_related(Prefetch("properties", queryset=RunProperty.objects.select_related("property")))
            .order_by("coil_number", "produced_on")[:50]
        )
    decisions = []
    if request.user.has_perm("quality.view_decision"):
        decisions = (
            Decision.objects.visible_to(request.user)
            .filter(objections=objection)
            .select_related("customer", "created_by")
            .order_by("-created_at")[:SECTION_SIZE]
        )
    alerts = []
    if request.user.has_perm("quality.view_alert"):
        alerts = (
            Alert.objects.visible_to(request.user)
            .filter(objection=objection)
            .select_related("customer")
            .order_by("-created_at")[:SECTION_SIZE]
        )
    ctx = {
        "decisions": decisions,
        "alerts": alerts,
        "objection": objection,
        "photos": photos,
        "attachments": attachments,
        "comments": comments,
        "comment_form": CommentForm() if can_comment else None,
        "transitions": transitions,
        "deadlines": objection.deadlines(),
        "assignments": assignments,
        "assign_form": AssignForm(objection=objection) if can_assign else None,
        "runs": runs,
        "history": describe_events(events, known=_loaded_with(objection)),
        "transition_form": TransitionForm(objection=objection) if can_move else None,
        "photo_form": PhotoUploadForm(),
    }
    return render(request, "quality/objection_detail.html", ctx)


def _initial_from_query(request):
    """Prefill from a link: ?customer=<code>&defect=<code>&severity=<n> (customer page, judgement check)."""
    initial = {}
    if code := request.GET.get("customer"):
        initial["customer"] = code
    if severity := request.GET.get("severity"):
        initial["severity"] = severity
    return initial


@permission_required("quality.add_objection", raise_exception=True)
def objection_create(request):
    """Register an objection and its first photos together: all saved, or nothing."""
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = ObjectionForm(data, initial=_initial_from_query(request), user=request.user)
    photo_form = PhotoUploadForm(data, files)
    can_photo = request.user.has_perm("quality.add_objectionphoto")
    if request.method == "POST" and form.is_valid() and (not can_photo or photo_form.is_valid()):
        try:
            with transaction.atomic():  # a refused photo takes the objection and its number back
                form.instance.assign_number()
                objection = form.save()
                Objection.registered([objection], by=request.user)
                if can_photo:
                    processed = photo_form.cleaned_data["processed"]
                    save_photos(ObjectionPhoto, processed, user=request.user, objection=objection)
        except OSError:  # the disk or object store refused a photo: nothing is kept
            photo_form.add_error("photos", STORAGE_FAILED)
        else:
            messages.success(request, _("质量异议 %(number)s 已登记。") % {"number": objection.number})
            return redirect(objection)
    ctx = {"form": form, "photo_form": photo_form if can_photo else None}
    return render(request, "quality/objection_form.html", ctx)


def objection_edit(request, pk):
    objection = get_objection_for_user(request.user, pk, "quality.change_objection")
    if refused := _refused_if_closed(request, objection):
        return refused
    form = ObjectionForm(request.POST or None, instance=objection, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("质量异议 %(number)s 已保存。") % {"number": objection.number})
        return redirect(objection)
    return render(request, "quality/objection_form.html", {"form": form, "objection": objection})


@require_POST
def objection_transition(request, pk):
    """Move the objection to its next status; refused if someone changed it meanwhile."""
    objection = get_objection_for_user(request.user, pk, "quality.change_objection")
    form = TransitionForm(request.POST, objection=objection)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(objection)
    to = Objection.Status(form.cleaned_data["to_status"])
    try:
        objection.transition(
            to,
            by=request.user,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
            closed_date=form.cleaned_data.get("closed_date"),
        )
    except TransitionRefused as e:
        messages.error(request, " ".join(e.messages))
    except StaleStatus:
        messages.error(
            request,
            _(
                "您打开页面后，他人已修改了这条异议（当前状态：%(status)s）。状态未改变：请查看最新内容后重试。"
            )
            % {"status": Objection.objects.get(pk=objection.pk).get_status_display()},
        )
    else:
        messages.success(
            request,
            _("异议 %(number)s 已改为“%(status)s”。") % {"number": objection.number, "status": to.label},
        )
    return redirect(objection)


@require_POST
def objection_assign(request, pk):
    """Give the objection to another handler, with a note; refused if someone changed it meanwhile."""
    objection = get_objection_for_user(request.user, pk, "quality.add_objectionassignment")
    form = AssignForm(request.POST, objection=objection)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return redirect(objection)
    handler = form.cleaned_data["handler"]
    try:
        data = form.cleaned_data
        objection.assign(handler, by=request.user, note=data["note"], expected_version=data["version"])
    except TransitionRefused as e:
        messages.error(request, " ".join(e.messages))
    except StaleStatus:
        messages.error(request, _("您打开页面后，他人已修改了这条异议。处理人未改变：请查看最新内容后重试。"))
    else:
        done = _("异议 %(number)s 已指派给 %(handler)s。")
        messages.success(request, done % {"number": objection.number, "handler": handler})
    return redirect(objection)


# Work on the objections ticked on the list (archive_site.bulk).


def _bulk_objections(request, perm):
    """(objections, back) ticked on the list, or (None, the answer): `bulk.ticked`."""
    objections = Objection.objects.visible_to(request.user).select_related("customer", "handler")
    return bulk.ticked(
        request,
        objections.order_by("number"),
        perm=perm,
        back=reverse("quality:objection-list"),
        none_ticked=_("请先勾选质量异议。"),
    )


@require_POST
def objection_bulk_assign(request):
    """Give the ticked objections to one handler, after a confirmation: all or none, each with its
    assignment record and notification (`Objection.assign_all`, the rule of the single assignment)."""
    objections, back = _bulk_objections(request, "quality.add_objectionassignment")
    if objections is None:
        return back
    form = BulkAssignForm(request.POST if "confirm" in request.POST else None, objections=objections)
    if form.is_bound and form.is_valid():
        handler, note = form.cleaned_data["handler"], form.cleaned_data["note"]
        versions = bulk.seen_versions(request, objections)
        if None in versions.values():
            raise StaleEdit(back)
        try:
            Objection.assign_all(objections, handler, by=request.user, note=note, versions=versions)
        except TransitionRefused as e:
            form.add_error(None, e)
        except StaleStatus:
            raise StaleEdit(back) from None
        else:
            done = ngettext(
                "%(n)s 条异议已指派给 %(handler)s。", "%(n)s 条异议已指派给 %(handler)s。", len(objections)
            )
            messages.success(request, done % {"n": len(objections), "handler": handler})
            return redirect(back)
    n = len(objections)
    return bulk.confirmation(
        request,
        title=_("指派处理人"),
        intro=_("以下异议将指派给所选的处理人，并通知他；确认前不会修改任何内容。"),
        rows=[(o, o.get_absolute_url(), o.handler or "—", None) for o in objections],
        columns=[_("现在的处理人")],
        submit=ngettext("确认指派 %(n)s 条异议", "确认指派 %(n)s 条异议", n) % {"n": n},
        back=back,
        form=form,
    )


@require_POST
def objection_bulk_export(request):
    """The ticked objections, as the list's export writes them."""
    get_module_for_export(request.user, "objections")
    objections, back = _bulk_objections(request, "quality.view_objection")
    if objections is None:
        return back
    return bulk.export_ticked(request, objections, objection_export)


def photo_upload(request, pk):
    objection = get_objection_for_user(request.user, pk, "quality.add_objectionphoto")
    if refused := _refused_if_closed(request, objection):
        return refused
    form = PhotoUploadForm(request.POST or None, request.FILES or None, required=True)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_photos(
                ObjectionPhoto, form.cleaned_data["processed"], user=request.user, objection=objection
            )
        except ObjectionClosed as e:  # closed since the page was checked
            messages.error(request, " ".join(e.messages))
            return redirect(objection)
        except OSError:  # the disk or object store refused a photo: no row or file is kept
            form.add_error("photos", STORAGE_FAILED)
        else:
            messages.success(request, _("已上传 %(n)s 张照片。") % {"n": len(saved)})
            return redirect(objection)
    return render(request, "quality/objection_photos.html", {"objection": objection, "form": form})


def photo_file(request, pk, size):
    """A defect photo (full size or thumbnail), only to users who may see its objection."""
    if size not in ("full", "thumb"):
        raise Http404
    photo = _get_photo_for_user(request.user, pk, "quality.view_objectionphoto")
    if size == "full":  # thumbnails fill lists and pages: logging each would flood the log
        objection = photo.objection
        log_access(request, "view", objection.customer, detail=f"{objection.number} {photo.original_name}")
    return photo_response(photo, size)


@require_POST
def photo_delete(request, pk):
    photo = _get_photo_for_user(request.user, pk, "quality.delete_objectionphoto")
    try:
        photo.delete_with_files()
    except ObjectionClosed as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("照片已删除。"))
    return redirect(photo.objection)


# Files that are not photos ---------------------------------------------------

FILE_NOT_STORED = _lazy("文件未能保存（存储空间不足或存储不可用），请稍后重试或联系管理员。")


def _get_attachment_for_user(user, pk, perm):
    attachments = ObjectionAttachment.objects.select_related("objection__customer")
    return attachments.get_visible_or_404(user, pk, perm)


def attachment_upload(request, pk):
    """Keep the customer's letter, its 8D form or a test report with the objection."""
    objection = get_objection_for_user(request.user, pk, "quality.add_objectionattachment")
    if refused := _refused_if_closed(request, objection):
        return refused
    attachment = ObjectionAttachment(objection=objection)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = AttachmentForm(data, files, instance=attachment, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except ObjectionClosed as e:  # closed since the form was checked
            messages.error(request, " ".join(e.messages))
            return redirect(objection)
        except OSError:  # the disk or object store refused the file: no row is kept
            form.add_error("file", FILE_NOT_STORED)
        else:
            messages.success(request, _("文件“%(title)s”已上传。") % {"title": attachment.title})
            return redirect(objection)
    return render(request, "quality/objection_attachment_form.html", {"objection": objection, "form": form})


def attachment_file(request, pk):
    """An objection's file, only to users who may see its objection; always downloaded."""
    attachment = _get_attachment_for_user(request.user, pk, "quality.view_objectionattachment")
    objection = attachment.objection
    log_access(request, "download", objection.customer, detail=f"{objection.number} {attachment.title}")
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.filename)


@require_POST
def attachment_delete(request, pk):
    attachment = _get_attachment_for_user(request.user, pk, "quality.delete_objectionattachment")
    try:
        attachment.delete_with_file()
    except ObjectionClosed as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("文件“%(title)s”已删除。") % {"title": attachment.title})
    return redirect(attachment.objection)


# The discussion ----------------------------------------------------------------


@require_POST
def comment_create(request, pk):
    """Add a remark to the objection's discussion; refused on a closed objection."""
    objection = get_objection_for_user(request.user, pk, "quality.add_objectioncomment")
    if refused := _refused_if_closed(request, objection):
        return refused
    comment = ObjectionComment(objection=objection, author=request.user)
    form = CommentForm(request.POST, instance=comment)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(objection)
    try:
        form.save()
    except ObjectionClosed as e:  # closed since the form was checked
        messages.error(request, " ".join(e.messages))
        return redirect(objection)
    messages.success(request, _("评论已发表。"))
    return redirect(f"{objection.get_absolute_url()}#comment-{comment.pk}")


# Statistics ------------------------------------------------------------------


def _statistics(request, form):
    """The statistics of the objections the user may see, for the form's customer, range and kind."""
    data = form.cleaned_data if form.is_valid() else {}
    customer, start, end = data.get("customer"), data.get("date_from"), data.get("date_to")
    if not form.is_bound and customer is None:
        start, end = objection_statistics.default_range(timezone.localdate())
        form.initial.update({"date_from": start, "date_to": end})
    objections = Objection.objects.visible_to(request.user)
    whole = Objection.objects.sees_everything(request.user)  # the sums are kept for the whole archive
    stats = objection_statistics.compute(
        objections, customer=customer, start=start, end=end, kind=data.get("kind"), keep=whole
    )
    return rates.add_rates(stats, request.user, keep=whole)


def _stats_page(request, form, stats, status=200):
    ctx = {
        "form": form,
        "stats": stats,
        "charts": objection_statistics.charts(stats) if stats else None,
        "rate_charts": rates.charts(stats["rates"]) if stats else None,
        "severities": list(Severity),
    }
    return render(request, "quality/stats_objections.html", ctx, status=status)


@replica_reads
@permission_required("quality.view_objection", raise_exception=True)
def objection_stats(request):
    """Sensitivity, trend, Pareto and claims, for one customer or across customers."""
    form = StatsForm(request.GET or None, user=request.user)
    stats = _statistics(request, form) if not form.is_bound or form.is_valid() else None
    if stats and stats["customer"]:  # one customer's sensitivity table is its archive
        log_access(request, "view", stats["customer"], detail=_("质量异议统计"))
    return _stats_page(request, form, stats)


@replica_reads
@permission_required(["quality.view_objection", "quality.export_objection"], raise_exception=True)
def objection_stats_export(request):
    """Every table of the statistics page, one sheet each, for the same customer and range."""
    form = StatsForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return _stats_page(request, form, None, status=400)
    stats = _statistics(request, form)
    who = stats["customer"].code if stats["customer"] else "all"
    detail = _("质量异议统计 %(query)s") % {"query": request.GET.urlencode()}
    log_access(request, "export", stats["customer"], detail=detail)
    filename = f"objection-stats-{who}-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(filename, objection_statistics.sheets(stats) + rates.sheets(stats["rates"]))
