"""Technical sheets, process cards and 8D reports of quality objections: HTML preview (GET),
PDF (POST, recorded in the print log), and batches of technical sheets printed in the background.

The preview is the same template the PDF is made from, shown in the browser;
it records nothing. Every PDF generated is recorded: who, which document,
which record, how many pages, when. A single sheet is printed within the
request (its layout is kept, so printing it again is quick); a batch is a job
for the worker, whose page shows its progress and then the download.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archive_site import bulk
from archive_site.access_log import log_access
from customers.models import Customer
from printing.documents import (
    CARD_TEMPLATE,
    EIGHT_D_TEMPLATE,
    SHEET_TEMPLATE,
    batch_number,
    card_number,
    demands_for_print,
    eight_d_number,
    eight_d_report,
    objections_for_print,
    parts_for_print,
    print_context,
    print_technical_sheets,
    process_card,
    render_sheets,
    sheet_number,
    technical_sheets,
)
from printing.models import PRINT_PERMISSION, PrintJob, PrintLog
from printing.pdf import print_photo
from printing.tasks import print_batch
from products.models import Part, PartPhoto

BATCH_MAX = 200  # parts in one batch PDF; larger customers print by a selection on the part list


def _require_print(user):
    if not user.has_perm(PRINT_PERMISSION):
        raise PermissionDenied


def get_part_for_print(user, pk):
    """The part with everything its sheet shows, if `user` may print (else 403) and see it (else 404)."""
    _require_print(user)
    return get_object_or_404(parts_for_print(user), pk=pk)


def get_part_to_print(user, pk):
    """The part alone (with its customer), if `user` may print (else 403) and see it (else 404):
    its sheet is read only when no kept one has its content."""
    _require_print(user)
    return get_object_or_404(Part.objects.visible_to(user).select_related("customer"), pk=pk)


def get_demand_for_print(user, pk):
    _require_print(user)
    return get_object_or_404(demands_for_print(user), pk=pk)


def get_objection_for_print(user, pk):
    """The objection with everything its 8D report shows, if `user` may print (else 403) and see
    it (else 404)."""
    return objections_for_print().get_visible_or_404(user, pk, PRINT_PERMISSION)


def get_job_for_user(user, pk):
    """A batch of `user`'s own (it carries their name on every page), else 404."""
    _require_print(user)
    return get_object_or_404(PrintJob.objects.filter(user=user), pk=pk)


def _context(request, sheets, **extra):
    return {**print_context(sheets, request.user), **extra}


def _pdf_response(pdf, filename):
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _print(request, printed, *, kind, customer, obj, number, revision):
    """Record the print of `printed` (PDF bytes, pages of each document), return the download."""
    pdf, pages = printed
    PrintLog.record(
        kind=kind,
        customer=customer,
        obj=obj,
        document_number=number,
        revision=revision,
        pages=sum(pages),
        user=request.user,
    )
    log_access(request, "print", customer, detail=f"{PrintLog.Kind(kind).label} {number}")
    return _pdf_response(pdf, f"{PrintLog.Kind(kind).label}-{number}.pdf")


@dataclass(frozen=True)
class Printable:
    """A kind of print document: how its record is found and made into a sheet, how a copy is
    printed, and what the preview is logged as. One preview view and one PDF view serve them all."""

    kind: str  # PrintLog.Kind
    template: str
    read: Callable  # (user, pk): the record with everything its sheet shows, 403 or 404
    sheet: Callable  # (record, for_pdf): its Sheet
    number: Callable  # (record): its document number
    preview_detail: str  # the access log's line for a preview, with %(number)s
    # (user, pk): the record as the PDF view needs it, and (record, user): the printed copy
    # (PDF, pages); by default the record read whole and its sheet printed from kept documents.
    read_to_print: Callable | None = None
    print_copy: Callable | None = None

    def printed(self, record, user):
        if self.print_copy is not None:
            return self.print_copy(record, user)
        return render_sheets(self.template, [self.sheet(record, True)], user)


PRINTABLES = {
    "technical-sheet": Printable(
        kind=PrintLog.Kind.TECHNICAL_SHEET,
        template=SHEET_TEMPLATE,
        read=get_part_for_print,
        sheet=lambda part, for_pdf: technical_sheets([part], for_pdf=for_pdf)[0],
        number=sheet_number,
        preview_detail=gettext_lazy("技术单预览 %(number)s"),
        # Printed again, a kept sheet is found by the rows it prints: the part alone is read here.
        read_to_print=get_part_to_print,
        print_copy=lambda part, user: print_technical_sheets([part], user),
    ),
    "process-card": Printable(
        kind=PrintLog.Kind.PROCESS_CARD,
        template=CARD_TEMPLATE,
        read=get_demand_for_print,
        sheet=lambda demand, _for_pdf: process_card(demand),
        number=card_number,
        preview_detail=gettext_lazy("工艺卡预览 %(number)s"),
    ),
    "eight-d": Printable(
        kind=PrintLog.Kind.EIGHT_D,
        template=EIGHT_D_TEMPLATE,
        read=get_objection_for_print,
        sheet=lambda objection, for_pdf: eight_d_report(objection, for_pdf=for_pdf),
        number=eight_d_number,
        preview_detail=gettext_lazy("8D报告预览 %(number)s"),
    ),
}


def preview(request, pk, document):
    """The HTML preview of a print document (`document`: a key of PRINTABLES, the name of the
    preview's URL; the PDF's is "<document>-pdf"), with the button that prints it; recorded in
    the access log, not in the print log."""
    printable = PRINTABLES[document]
    record = printable.read(request.user, pk)
    sheet = printable.sheet(record, False)
    log_access(request, "view", record.customer, detail=printable.preview_detail % {"number": sheet.number})
    pdf_url = reverse(f"printing:{document}-pdf", args=[record.pk])
    return render(request, printable.template, _context(request, [sheet], pdf_url=pdf_url, back=record))


@require_POST
def pdf(request, pk, document):
    """A printed copy of a print document: the PDF, stamped with who printed it and when, recorded
    in the print log and the access log."""
    printable = PRINTABLES[document]
    record = (printable.read_to_print or printable.read)(request.user, pk)
    return _print(
        request,
        printable.printed(record, request.user),
        kind=printable.kind,
        customer=record.customer,
        obj=record,
        number=printable.number(record),
        revision=record.version,
    )


def _start_batch(request, parts, *, customer=None, label, back):
    """Queue a batch of `parts` (a queryset the user may see) for the worker; to its page."""
    part_ids = list(
        parts.order_by("customer__code", "number", "pk").values_list("pk", flat=True)[: BATCH_MAX + 1]
    )
    if not part_ids or len(part_ids) > BATCH_MAX:
        if part_ids:
            message = _("一次最多批量打印 %(max)s 个零件的技术单，请缩小范围。") % {"max": BATCH_MAX}
        elif customer is not None:
            message = _("该客户还没有零件，没有可打印的技术单。")
        else:
            message = _("请先勾选要打印技术单的零件。")
        messages.error(request, message)
        return redirect(back)
    job = PrintJob.objects.create(
        user=request.user,
        customer=customer,
        label=label(len(part_ids)),
        part_ids=part_ids,
        language=get_language(),
        total=len(part_ids),
        stage=_("排队中"),
    )
    print_batch.enqueue(job.pk)
    customers = Customer.objects.filter(parts__in=part_ids).distinct().only("pk", "name", "code")
    for each in customers:
        number = batch_number(each)
        log_access(request, "print", each, detail=f"{PrintLog.Kind.TECHNICAL_SHEETS.label} {number}")
    return redirect(job)


@require_POST
def customer_sheets(request, pk):
    """The technical sheets of all the customer's parts, as a batch."""
    customer = Customer.objects.get_visible_or_404(request.user, pk, PRINT_PERMISSION)
    parts = Part.objects.visible_to(request.user).filter(customer=customer)
    return _start_batch(
        request,
        parts,
        customer=customer,
        label=lambda n: _("%(customer)s：%(n)s 个零件") % {"customer": customer.name, "n": n},
        back=customer,
    )


@require_POST
def selected_sheets(request):
    """The technical sheets of the parts ticked on the part list, as a batch; a part outside the
    user's scope refuses the whole selection, naming it (archive_site.bulk)."""
    _require_print(request.user)
    back = bulk.back_to(request, reverse("products:part-list"))
    try:
        ticked = bulk.selected(request, Part.objects.visible_to(request.user), name="part")
    except bulk.OutOfScope as error:
        return bulk.refused(request, error, back)
    parts = Part.objects.visible_to(request.user).filter(pk__in=[p.pk for p in ticked])
    return _start_batch(request, parts, label=lambda n: _("零件列表所选：%(n)s 个零件") % {"n": n}, back=back)


def batch_list(request):
    _require_print(request.user)
    jobs = PrintJob.objects.filter(user=request.user).select_related("customer")[:50]
    return render(request, "printing/batch_list.html", {"jobs": jobs})


def batch_detail(request, pk):
    job = get_job_for_user(request.user, pk)
    return render(request, "printing/batch_detail.html", {"job": job})


def batch_status(request, pk):
    job = get_job_for_user(request.user, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "stage": job.stage,
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "active": job.is_active,
        }
    )


def batch_pdf(request, pk):
    job = get_job_for_user(request.user, pk)
    if job.status != PrintJob.Status.DONE or not job.file:
        raise PermissionDenied
    log_access(request, "download", job.customer, detail=_("批量打印技术单 %(label)s") % {"label": job.label})
    response = FileResponse(job.file.open("rb"), content_type="application/pdf")
    filename = f"{_('技术单')}-{job.created_at:%Y%m%d}-{job.pk}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def part_photo(request, pk):
    """A part photo's print copy, for the preview (the PDF reads it from storage itself)."""
    _require_print(request.user)
    photo = get_object_or_404(
        PartPhoto.objects.visible_to(request.user).select_related("part__customer"), pk=pk
    )
    log_access(request, "view", photo.part.customer, detail=_("打印用照片 %(part)s") % {"part": photo.part})
    name = print_photo(photo.image, photo.width, photo.height)
    response = FileResponse(photo.image.storage.open(name, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response
