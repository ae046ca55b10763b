"""What goes on the technical sheet 技术单, the process card 工艺卡 (paper 3.8) and the 8D
report of a quality objection, and how a copy of them is printed.

Each builder reads its records in a fixed number of queries, whatever the
number of parts, rows, objections and parameters, so a batch of fifty sheets
costs the same handful of queries as one.

A copy is printed from kept documents (printing.kept: each sheet laid out
once per content, found again by its HTML, or — the technical sheet — by the
rows it prints, without reading them into a sheet) with a stamp of who
printed it and when over every page (printing.stamp).
"""

import sys
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Case, Prefetch, Q, Subquery, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from archive_site.lib import numbers
from archive_site.models import DictEntry
from archive_site.templatetags import archive as archive_tags
from customers.models import Contact, Customer, Demand, DemandElement, DemandProperty
from printing import kept, pdf
from printing.models import PrintLog
from printing.pdf import media_url, print_photo
from printing.stamp import printed_copy, stamp_pdf
from printing.templatetags import printing as printing_tags
from products.models import Part, PartPhoto
from quality.models import (
    Objection,
    ObjectionPhoto,
    ObjectionTransition,
    PlanParameter,
    PlanRevision,
    ProcessPlan,
)

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
        rows = listed_objections(customer_id, grade).select_related(
            "defect_type", "production_grade", "part__car_model"
        )
        listed = list(rows[:OBJECTION_ROWS])
        for o in listed:
            o.same_grade = grade is not None and o.production_grade_id == grade
        count = len(listed) if len(listed) < OBJECTION_ROWS else _count(customer_id)
        answer[(customer_id, grade)] = (listed, count)
    return answer


def _count(customer_id):
    return Objection.objects.filter(customer_id=customer_id).count()


def listed_objections(customer_id, grade):
    """A customer's objections in the order a technical sheet lists them: those of production
    grade `grade` (an id or an expression) first, newest first."""
    first = Case(When(production_grade=grade, then=Value(0)), default=Value(1)) if grade else Value(0)
    return Objection.objects.filter(customer_id=customer_id).order_by(first, "-received_date", "-id")


# What turns a technical sheet's rows into its HTML, besides the models' own modules.
SHEET_CODE = [sys.modules[__name__], pdf, printing_tags, archive_tags, numbers]


def technical_sheet_rows(part):
    """Every row the technical sheet of `part` prints (see `technical_sheets` and its template), as
    querysets: the part, its photos, customer, contacts and demand with its rows, the approved
    revisions of the demand's plans with their parameters and approvers, the objections listed
    and the parts they name, the ids of all the customer's objections (their count is
    printed), and the base dictionaries (every entry: they are small and seldom change)."""
    demand = Demand.objects.filter(pk=part.demand_id)
    grade = Subquery(demand.values("production_grade")[:1]) if part.demand_id else None
    listed = listed_objections(part.customer_id, grade)[:OBJECTION_ROWS]
    approved = PlanRevision.objects.filter(plan__demand=part.demand_id, status=PlanRevision.Status.APPROVED)
    sales_owner = Customer.objects.filter(pk=part.customer_id).values("sales_owner")
    return [
        Part.objects.filter(pk=part.pk),
        PartPhoto.objects.filter(part=part.pk),
        Customer.objects.filter(pk=part.customer_id),
        Contact.objects.filter(customer=part.customer_id),
        demand,
        DemandElement.objects.filter(demand=part.demand_id),
        DemandProperty.objects.filter(demand=part.demand_id),
        ProcessPlan.objects.filter(demand=part.demand_id),
        approved,
        PlanParameter.objects.filter(revision__in=approved.values("pk")),
        listed,
        Objection.objects.filter(customer_id=part.customer_id).values("pk"),
        Part.objects.filter(pk__in=listed.values("part")),
        get_user_model()
        .objects.filter(Q(pk__in=sales_owner) | Q(pk__in=approved.values("approved_by")))
        .values("pk", "username", "name"),
        DictEntry.objects.all(),
    ]


def technical_sheet_key(part):
    """The key of `part`'s kept technical sheet, from the rows it prints (one query)."""
    return kept.content_key(SHEET_TEMPLATE, technical_sheet_rows(part), SHEET_CODE)


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


def print_technical_sheets(parts, user, *, processes=1, progress=None):
    """One printed copy of the technical sheets of `parts` (in order; each with its customer_id,
    demand_id and pk) by `user`, now.

    A sheet kept under its content key is used as it is, its records unread;
    the others are read (`parts_for_print`), laid out on up to `processes`
    processes and kept. A sheet whose rows changed while they were read is
    printed but not kept (its key would not say what it shows).

    Returns (PDF bytes, pages of each sheet).
    """
    parts = list(parts)
    keys = [technical_sheet_key(part) for part in parts]
    bodies = [kept.find(key) for key in keys]
    missing = {part.pk: i for i, (part, body) in enumerate(zip(parts, bodies, strict=True)) if body is None}
    jobs = {}
    if missing:
        read = {p.pk: p for p in parts_for_print(user).filter(pk__in=missing)}
        sheets = technical_sheets([read[pk] for pk in missing if pk in read], for_pdf=True)
        for sheet in sheets:
            i = missing[sheet.part.pk]
            key = keys[i] if technical_sheet_key(sheet.part) == keys[i] else None
            jobs[i] = (key, sheet_html(SHEET_TEMPLATE, sheet), sheet.media_names)
    bodies = kept.lay_out(bodies, jobs, processes=processes, progress=progress)
    label = PrintLog.Kind.TECHNICAL_SHEET.label
    title = label if len(parts) > 1 else f"{label} {sheet_number(parts[0])}"
    return printed_copy(bodies, stamp_pdf(user), title=str(title))
