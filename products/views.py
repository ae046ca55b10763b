"""Parts (paper 3.6): list, export, create with photos, detail, edit, copy, delete; photos.

Supply statistics (3.7) are in `products/statistics.py`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archive_site import bulk
from archive_site.access_log import log_access
from archive_site.db_router import replica_reads
from archive_site.history import describe_events, events_for
from archive_site.pagination import LateRowPaginator
from archive_site.photos import STORAGE_FAILED, PhotoUploadForm, photo_response, save_photos
from customers.models import Customer
from imports.exports import export_response, get_module_for_export
from products.filters import PartFilter
from products.forms import PartForm, PhotoCaptionForm
from products.models import Part, PartPhoto

PAGE_SIZE = 50
HISTORY_SIZE = 30
PART_OBJECTIONS = 30  # objections listed on a part's page; the objection list has them all
DETAIL_RELATED = (
    "customer",
    "car_model",
    "usage_location",
    "demand__delivery_grade",
    "demand__production_grade",
    "created_by",
    "updated_by",
)


def get_part_for_user(user, pk, perm="products.view_part"):
    """The part, if `user` holds `perm` (else 403) and may see its customer (else 404)."""
    return Part.objects.select_related(*DETAIL_RELATED).get_visible_or_404(user, pk, perm)


def _get_photo_for_user(user, pk, perm):
    return PartPhoto.objects.select_related("part__customer").get_visible_or_404(user, pk, perm)


def _filtered_parts(request):
    queryset = Part.objects.listed_for(request.user).for_list().with_utilization()
    return PartFilter(request.GET, queryset=queryset)


@replica_reads
@permission_required("products.view_part", raise_exception=True)
def part_list(request):
    part_filter = _filtered_parts(request)
    queryset = part_filter.qs.with_first_photo()
    paginator = LateRowPaginator(queryset, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "products/part_list.html", {"filter": part_filter, "page_obj": page})


@replica_reads
def part_export(request):
    """The rows the list's current filters and sort select, as the parts module exports them."""
    return export_response(request, "parts", _("零件列表"))


@require_POST
def part_bulk_export(request):
    """The parts ticked on the list (`part`), as the list's export writes them; an id outside the
    user's scope refuses the export (archive_site.bulk). Printing them is the printing app's."""
    get_module_for_export(request.user, "parts")
    parts, back = bulk.ticked(
        request,
        Part.objects.visible_to(request.user),
        perm=None,
        back=reverse("products:part-list"),
        none_ticked=_("请先勾选零件。"),
        name="part",
    )
    if parts is None:
        return back
    return bulk.export_ticked(request, parts, part_export)


def part_detail(request, pk):
    part = get_part_for_user(request.user, pk)
    log_access(request, "view", part.customer, detail=str(part))
    events = events_for(part, limit=HISTORY_SIZE)  # with its photos
    objections = None
    if request.user.has_perm("quality.view_objection"):
        # The objections the customer raised about this part (the quality app's rows, read
        # through the part's reverse relation and their own record scope): one query.
        rows = part.objections.visible_to(request.user).select_related("defect_type", "handler")
        objections = list(rows.order_by("-received_date", "-id")[: PART_OBJECTIONS + 1])
    ctx = {
        "objections": objections[:PART_OBJECTIONS] if objections is not None else None,
        "more_objections": objections is not None and len(objections) > PART_OBJECTIONS,
        "part": part,
        "photos": list(part.photos.all()),
        "photo_form": PhotoUploadForm(),
        "history": describe_events(events),
    }
    return render(request, "products/part_detail.html", ctx)


def _part_form_page(request, part, *, initial=None, source=None):
    """Create (or copy into) a part of `part.customer`, with its first photos: all saved, or nothing."""
    posted = request.method == "POST"
    data, files = (request.POST, request.FILES) if posted else (None, None)
    form = PartForm(data, instance=part, initial=initial, user=request.user)
    can_photo = request.user.has_perm("products.add_partphoto")
    photo_form = PhotoUploadForm(data, files) if can_photo else None
    if posted and form.is_valid() and (photo_form is None or photo_form.is_valid()):
        try:
            with transaction.atomic():  # a refused photo takes the part back
                part = form.save()
                if photo_form is not None:
                    save_photos(PartPhoto, photo_form.cleaned_data["processed"], user=request.user, part=part)
        except OSError:  # the disk or object store refused a photo: nothing is kept
            photo_form.add_error("photos", STORAGE_FAILED)
        else:
            messages.success(request, _("零件“%(part)s”已创建。") % {"part": part})
            return redirect(part)
    customer = part.customer if part.customer_id else None
    ctx = {"form": form, "photo_form": photo_form, "customer": customer, "source": source}
    return render(request, "products/part_form.html", ctx)


@permission_required("products.add_part", raise_exception=True)
def part_create(request):
    """A new part: of the customer whose page it came from (?customer=<id>), or chosen in the form."""
    part = Part()
    if customer_pk := request.GET.get("customer"):
        part.customer = Customer.objects.get_visible_or_404(
            request.user, customer_pk, "customers.view_customer"
        )
    return _part_form_page(request, part)


def part_copy(request, pk):
    """A new part of the same customer, prefilled from this one; the user gives it its own number."""
    source = get_part_for_user(request.user, pk, "products.add_part")
    return _part_form_page(
        request, Part(customer=source.customer), initial=source.copy_values(), source=source
    )


def part_edit(request, pk):
    part = get_part_for_user(request.user, pk, "products.change_part")
    form = PartForm(request.POST or None, instance=part, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("零件“%(part)s”已保存。") % {"part": part})
        return redirect(part)
    return render(request, "products/part_form.html", {"form": form, "part": part, "customer": part.customer})


def part_delete(request, pk):
    """Delete the part and its photos after confirmation, unless another record refers to it."""
    part = get_part_for_user(request.user, pk, "products.delete_part")
    blockers = None
    if request.method == "POST":
        try:
            with transaction.atomic():  # a refused delete keeps the photos too
                for photo in part.photos.all():
                    photo.delete_with_files()
                part.delete()
        except ProtectedError as e:
            blockers = sorted((o._meta.verbose_name, str(o)) for o in e.protected_objects)[:50]
        else:
            messages.success(request, _("零件“%(part)s”已删除。") % {"part": part})
            return redirect(part.customer)
    ctx = {"part": part, "photo_count": part.photos.count(), "blockers": blockers}
    return render(request, "products/part_confirm_delete.html", ctx)


@require_POST
def photo_upload(request, pk):
    part = get_part_for_user(request.user, pk, "products.add_partphoto")
    form = PhotoUploadForm(request.POST, request.FILES, required=True)
    if form.is_valid():
        try:
            saved = save_photos(PartPhoto, form.cleaned_data["processed"], user=request.user, part=part)
        except OSError:  # the disk or object store refused a photo: no row or file is kept
            messages.error(request, STORAGE_FAILED)
        else:
            messages.success(request, _("已上传 %(n)s 张照片。") % {"n": len(saved)})
    else:
        errors = "；".join(str(e) for field_errors in form.errors.values() for e in field_errors)
        messages.error(request, _("照片未上传：%(errors)s") % {"errors": errors})
    return redirect(part)


def photo_file(request, pk, size):
    """A part photo (full size or thumbnail), only to users who may see its part."""
    if size not in ("thumb", "full"):
        raise Http404
    photo = _get_photo_for_user(request.user, pk, "products.view_partphoto")
    if size == "full":  # thumbnails fill lists and pages: logging each would flood the log
        log_access(request, "view", photo.part.customer, detail=f"{photo.part} {photo.original_name}")
    return photo_response(photo, size)


@require_POST
def photo_caption(request, pk):
    photo = _get_photo_for_user(request.user, pk, "products.change_partphoto")
    form = PhotoCaptionForm(request.POST, instance=photo, user=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, _("照片说明已保存。"))
    else:
        errors = "；".join(str(e) for field_errors in form.errors.values() for e in field_errors)
        messages.error(request, _("照片说明未保存：%(errors)s") % {"errors": errors})
    return redirect(photo.part)


@require_POST
def photo_delete(request, pk):
    photo = _get_photo_for_user(request.user, pk, "products.delete_partphoto")
    photo.delete_with_files()
    messages.success(request, _("照片已删除。"))
    return redirect(photo.part)
