"""Technical sheets and process cards: HTML preview (GET) and PDF (POST, recorded in the print log).

The preview is the same template the PDF is made from, shown in the browser;
it records nothing. Every PDF generated is recorded: who, which document,
which record, how many pages, when.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archive_site.access_log import log_access
from customers.models import Customer
from printing.documents import (
    demands_for_print,
    parts_for_print,
    print_context,
    process_card,
    render_sheets,
    technical_sheets,
)
from printing.models import PRINT_PERMISSION, PrintLog
from printing.pdf import print_photo
from products.models import PartPhoto

SHEET_TEMPLATE = "printing/technical_sheet.html"
CARD_TEMPLATE = "printing/process_card.html"
BATCH_MAX = 200  # parts in one batch PDF (about 0.1 s each); larger customers print by filter


def _require_print(user):
    if not user.has_perm(PRINT_PERMISSION):
        raise PermissionDenied


def get_part_for_print(user, pk):
    """The part with everything its sheet shows, if `user` may print (else 403) and see it (else 404)."""
    _require_print(user)
    return get_object_or_404(parts_for_print(user), pk=pk)


def get_demand_for_print(user, pk):
    _require_print(user)
    return get_object_or_404(demands_for_print(user), pk=pk)


def _context(request, sheets, **extra):
    return {**print_context(sheets, request.user), **extra}


def _pdf_response(pdf, filename):
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _print(request, template, sheets, *, kind, customer, obj, number, revision, label=None):
    """Render `sheets` to one PDF, record the print, return the download."""
    pdf, pages = render_sheets(template, sheets, request.user)
    PrintLog.record(
        kind=kind,
        customer=customer,
        obj=obj,
        document_number=number,
        revision=revision,
        pages=pages,
        user=request.user,
        label=label,
    )
    log_access(request, "print", customer, detail=f"{PrintLog.Kind(kind).label} {number}")
    return _pdf_response(pdf, f"{PrintLog.Kind(kind).label}-{number}.pdf")


def technical_sheet_preview(request, pk):
    part = get_part_for_print(request.user, pk)
    sheets = technical_sheets([part], for_pdf=False)
    log_access(
        request, "view", part.customer, detail=_("技术单预览 %(number)s") % {"number": sheets[0].number}
    )
    pdf_url = reverse("printing:technical-sheet-pdf", args=[part.pk])
    return render(request, SHEET_TEMPLATE, _context(request, sheets, pdf_url=pdf_url, back=part))


@require_POST
def technical_sheet_pdf(request, pk):
    part = get_part_for_print(request.user, pk)
    sheets = technical_sheets([part], for_pdf=True)
    sheet = sheets[0]
    return _print(
        request,
        SHEET_TEMPLATE,
        sheets,
        kind=PrintLog.Kind.TECHNICAL_SHEET,
        customer=part.customer,
        obj=part,
        number=sheet.number,
        revision=sheet.revision,
    )


def process_card_preview(request, pk):
    demand = get_demand_for_print(request.user, pk)
    pdf_url = reverse("printing:process-card-pdf", args=[demand.pk])
    sheet = process_card(demand)
    log_access(request, "view", demand.customer, detail=_("工艺卡预览 %(number)s") % {"number": sheet.number})
    ctx = _context(request, [sheet], pdf_url=pdf_url, back=demand)
    return render(request, CARD_TEMPLATE, ctx)


@require_POST
def process_card_pdf(request, pk):
    demand = get_demand_for_print(request.user, pk)
    sheet = process_card(demand)
    return _print(
        request,
        CARD_TEMPLATE,
        [sheet],
        kind=PrintLog.Kind.PROCESS_CARD,
        customer=demand.customer,
        obj=demand,
        number=sheet.number,
        revision=sheet.revision,
    )


@require_POST
def customer_sheets_pdf(request, pk):
    """The technical sheets of all the customer's parts in one PDF, each sheet numbered on its own."""
    customer = Customer.objects.get_visible_or_404(request.user, pk, PRINT_PERMISSION)
    parts = parts_for_print(request.user).filter(customer=customer)
    count = parts.count()
    if not count or count > BATCH_MAX:
        if count:
            message = _("该客户有 %(n)s 个零件，一次最多批量打印 %(max)s 个。")
            message %= {"n": count, "max": BATCH_MAX}
        else:
            message = _("该客户还没有零件，没有可打印的技术单。")
        messages.error(request, message)
        return redirect(customer)
    sheets = technical_sheets(parts, for_pdf=True)
    number = f"JSD-{customer.code}-{timezone.localdate():%Y%m%d}"
    return _print(
        request,
        SHEET_TEMPLATE,
        sheets,
        kind=PrintLog.Kind.TECHNICAL_SHEETS,
        customer=customer,
        obj=customer,
        number=number,
        revision=customer.version,
        label=_("%(customer)s：%(n)s 个零件") % {"customer": customer.name, "n": count},
    )


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
