"""What goes on the technical sheet 技术单, the process card 工艺卡 (paper 3.8) and the 8D
report of a quality objection, and how a copy of them is printed.

Each builder reads its records in a fixed number of queries, whatever the
number of parts, rows, objections and parameters, so a batch of fifty sheets
costs the same handful of queries as one.

A copy is printed from kept documents (printing.kept: each sheet laid out
once per content, found again by its HTML) with a stamp of who printed it
and when over every page (printing.stamp).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, Prefetch, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from customers.models import Demand, DemandElement, DemandProperty
from printing import kept
from printing.models import PrintLog
from printing.pdf import media_url, print_photo
from printing.stamp import printed_copy, stamp_pdf
from products.models import Part, PartPhoto
from quality.models import Objection, ObjectionPhoto, ObjectionTransition, PlanParameter, PlanRevision

SHEET_TEMPLATE = "printing/technical_sheet.html"
CARD_TEMPLATE = "printing/process_card.html"
EIGHT_D_TEMPLATE = "printing/eight_d_report.html"
OBJECTION_ROWS = 60  # objections listed on one sheet; the sheet says how many there are in all

# The dictionary entries of the printed records (demand, customer, part) are loaded after the
# rows in one query (`with_dictionaries`): joined, a demand's 15 made its query costlier to plan
# than to run.
CUSTOMER_RELATED = ["customer__sales_owner"]


@dataclass
class PrintPhoto:
    src: str
    caption: str
    storage_name: str = ""


@dataclass
class Sheet:
    """One document's content: its kind, number, revision, and the records it shows."""

    kind: str
    title: str
    number: str
    revision: int
    customer: object
    obj: object
    demand: object = None
    part: object = None
    elements: list = field(default_factory=list)
    properties: list = field(default_factory=list)
    photos: list = field(default_factory=list)
    objections: list = field(default_factory=list)
    objection_count: int = 0
    plan_revisions: list = field(default_factory=list)
    transitions: list = field(default_factory=list)
    closed_by: object = None

    @property
    def media_names(self):
        return [p.storage_name for p in self.photos if p.storage_name]


def sheet_number(part):
    return f"JSD-{part.customer.code}-{part.number}"


def batch_number(customer):
    """The document number of a batch of a customer's sheets printed today."""
    return f"JSD-{customer.code}-{timezone.localdate():%Y%m%d}"


def card_number(demand):
    return f"GYK-{demand.customer.code}-{demand.pk:05d}"


def _demand_rows(prefix=""):
    return [
        Prefetch(f"{prefix}elements", queryset=DemandElement.objects.select_related("element")),
        Prefetch(f"{prefix}properties", queryset=DemandProperty.objects.select_related("property")),
    ]


def demands_for_print(user):
    return (
        Demand.objects.visible_to(user)
        .select_related(*CUSTOMER_RELATED)
        .with_dictionaries()
        .prefetch_related(*_demand_rows(), "customer__contacts")
    )


def parts_for_print(user):
    return (
        Part.objects.visible_to(user)
        .select_related(*CUSTOMER_RELATED, "demand")
        .with_dictionaries()
        .prefetch_related(
            Prefetch("photos", queryset=PartPhoto.objects.order_by("id")),
            "customer__contacts",
            *_demand_rows("demand__"),
        )
    )


def process_card(demand):
    """The process card of a demand: its requirements with the approved plans' set values and
    limits per line, properties, chemistry."""
    return Sheet(
        kind=PrintLog.Kind.PROCESS_CARD,
        title=PrintLog.Kind.PROCESS_CARD.label,
        number=card_number(demand),
        revision=demand.version,
        customer=demand.customer,
        obj=demand,
        demand=demand,
        elements=list(demand.elements.all()),
        properties=list(demand.properties.all()),
        plan_revisions=approved_revisions([demand.pk]).get(demand.pk, []),
    )


def approved_revisions(demand_ids):
    """{demand id: [approved revisions of the plans written for it, by plan code]}, one query each
    for the revisions and their parameters."""
    by_demand = {}
    if not demand_ids:
        return by_demand
    revisions = (
        PlanRevision.objects.filter(plan__demand__in=demand_ids, status=PlanRevision.Status.APPROVED)
        .select_related("plan", "production_grade", "approved_by")
        .prefetch_related(
            Prefetch("parameters", queryset=PlanParameter.objects.select_related("line", "parameter"))
        )
        .order_by("plan__code")
    )
    for revision in revisions:
        by_demand.setdefault(revision.plan.demand_id, []).append(revision)
    return by_demand


def technical_sheets(parts, *, for_pdf):
    """The technical sheets of `parts` (from `parts_for_print`), in order.

    Objections: the customer's, this part's production grade first, newest
    first, at most OBJECTION_ROWS. Key points: the parameters of the approved
    revisions of the plans written for the part's demand.
    """
    parts = list(parts)
    revisions_by_demand = approved_revisions({p.demand_id for p in parts if p.demand_id})
    objections = _objections(parts)
    sheets = []
    for part in parts:
        demand = part.demand
        grade = demand.production_grade_id if demand else None
        listed, count = objections[(part.customer_id, grade)]
        sheets.append(
            Sheet(
                kind=PrintLog.Kind.TECHNICAL_SHEET,
                title=PrintLog.Kind.TECHNICAL_SHEET.label,
                number=sheet_number(part),
                revision=part.version,
                customer=part.customer,
                obj=part,
                demand=demand,
                part=part,
                elements=list(demand.elements.all()) if demand else [],
                properties=list(demand.properties.all()) if demand else [],
                photos=[_photo(p, for_pdf) for p in part.photos.all()],
                objections=listed,
                objection_count=count,
                plan_revisions=revisions_by_demand.get(part.demand_id, []),
            )
        )
    return sheets


def _objections(parts):
    """{(customer id, grade id): (objections to list, count in all)}: one query per pair (and a
    count when the list is full), the part's grade first, newest first."""
    answer = {}
    pairs = {(p.customer_id, p.demand.production_grade_id if p.demand else None) for p in parts}
    for customer_id, grade in pairs:
        of_customer = Objection.objects.filter(customer_id=customer_id)
        first = Case(When(production_grade=grade, then=Value(0)), default=Value(1)) if grade else Value(0)
        rows = of_customer.select_related("defect_type", "production_grade", "part__car_model").order_by(
            first, "-received_date", "-id"
        )
        listed = list(rows[:OBJECTION_ROWS])
        for o in listed:
            o.same_grade = grade is not None and o.production_grade_id == grade
        count = len(listed) if len(listed) < OBJECTION_ROWS else of_customer.count()
        answer[(customer_id, grade)] = (listed, count)
    return answer


def _photo(photo, for_pdf, preview_src=None):
    """A photo as a print document shows it: its print copy in the PDF; in the preview, the print
    copy's URL (`printing:photo`, a part photo) or `preview_src`."""
    if for_pdf:
        name = print_photo(photo.image, photo.width, photo.height)
        return PrintPhoto(src=media_url(name), caption=photo.caption, storage_name=name)
    src = preview_src or reverse("printing:photo", args=[photo.pk])
    return PrintPhoto(src=src, caption=photo.caption)


def eight_d_number(objection):
    return f"8D-{objection.number}"


def objections_for_print():
    """Objections with everything their 8D report prints: one query, and one each for the status
    log and the photos (scope them with `visible_to` or `get_visible_or_404`)."""
    return Objection.objects.select_related(
        "customer__sales_owner",
        "handler",
        "created_by",
        "defect_type",
        "production_grade",
        "responsible_line",
        "part__car_model",
        "demand",
        "plan_revision__plan",
    ).prefetch_related(
        Prefetch("transitions", queryset=ObjectionTransition.objects.select_related("by")),
        Prefetch("photos", queryset=ObjectionPhoto.objects.order_by("id")),
    )


def eight_d_report(objection, *, for_pdf):
    """The 8D report of an objection (from `objections_for_print`): its own fields by discipline,
    its status log, who closed it (the last change to 已关闭) and its defect photos."""
    transitions = list(objection.transitions.all())
    closings = [t for t in transitions if t.to_status == Objection.Status.CLOSED]
    closed_by = closings[-1].by if objection.is_closed and closings else None
    return Sheet(
        kind=PrintLog.Kind.EIGHT_D,
        title=PrintLog.Kind.EIGHT_D.label,
        number=eight_d_number(objection),
        revision=objection.version,
        customer=objection.customer,
        obj=objection,
        demand=objection.demand,
        part=objection.part,
        # The preview shows a defect photo from the objection's own photo page (scope-checked there).
        photos=[_photo(p, for_pdf, p.get_absolute_url()) for p in objection.photos.all()],
        transitions=transitions,
        closed_by=closed_by,
    )


def print_context(sheets, user):
    return {
        "sheets": sheets,
        "printed_by": user,
        "printed_at": timezone.localtime(),
        "mill_name": settings.MILL_NAME,
    }


def sheet_html(template, sheet):
    """The HTML a sheet's PDF is laid out from: its content only, nothing of who prints it or when."""
    context = {"sheets": [sheet], "mill_name": settings.MILL_NAME, "for_pdf": True}
    return render_to_string(template, context)


def render_sheets(template, sheets, user, *, processes=1, progress=None):
    """One printed copy of `sheets` by `user`, now: each sheet its own document (its own
    “第 i 页 共 n 页”), kept ones reused, the others laid out on up to `processes` processes.

    Returns (PDF bytes, pages of each sheet).
    """
    style = kept.style_digest()
    items = [(sheet_html(template, sheet), sheet.media_names) for sheet in sheets]
    bodies = kept.kept_pdfs(items, style=style, processes=processes, progress=progress)
    title = sheets[0].title if len(sheets) > 1 else f"{sheets[0].title} {sheets[0].number}"
    pdf, pages = printed_copy(bodies, stamp_pdf(user, style=style), title=str(title))
    return pdf, pages
