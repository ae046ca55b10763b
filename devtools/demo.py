"""The demo archive of `make run`: a small generated archive and one customer's whole story.

`load(admin, users)` fills an empty archive once: the data generator at a small scale (real
JPEG photos, every module filled), then 北汽福田's story saved through the models as staff
would save it, so its pages show history with who changed what — a demand for a door outer
panel, a plan approved and run on the lines (in and out of limits), a closed and an open
objection with defect photos, parts with photos, orders with delivered coils, the inspector's
decision, and a technical sheet and a process card in the print log. A second call finds the
story's plan and changes nothing.
"""

import datetime
from contextlib import contextmanager
from decimal import Decimal

import pghistory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from archive_site.models import DictEntry, DictKind
from archive_site.photos import process_upload, save_photos
from devtools import generator

# Small enough to load in seconds, large enough that every list pages: 40 customers,
# 1 000 objections with 100 photos, 200 parts, 200 orders with 1 200 coils.
SCALE = 0.002
STORY_CUSTOMER = "C0001"
STORY_PLAN = "GK-2025-018"
STORY_CONTACT = "马工"


def entry(kind, code):
    return DictEntry.objects.get(kind=kind, code=code)


def is_loaded():
    """The story has been told to its end (its last step prints)."""
    from printing.models import PrintLog

    return PrintLog.objects.filter(customer__code=STORY_CUSTOMER).exists()


def is_started():
    """The story's first step (its contact) is in the archive."""
    from customers.models import Contact

    return Contact.objects.filter(customer__code=STORY_CUSTOMER, name=STORY_CONTACT).exists()


def generate(log=None):
    """The generated part, into an archive that holds no records yet; False when it is not empty."""
    from customers.models import Customer

    if Customer.objects.exists():
        return False
    generator.generate(scale=SCALE, photos=True, log=log)
    return True


def photos(count, seed, caption):
    """`count` processed photos, drawn as the generator draws sheet surfaces."""
    return [
        process_upload(SimpleUploadedFile(f"IMG_{seed}{i:02d}.jpg", full, "image/jpeg"), caption)
        for i, (full, _thumb) in enumerate(generator.surface_images(count, seed), start=1)
    ]


def tell_story(customer, users):
    """北汽福田's whole story, each step saved by the demo user whose work it is.

    Each step commits as a request would; the last one prints, so `is_loaded` is true only
    for a story told to its end, and `is_started` tells one broken off half-way.
    """
    from customers.models import Contact, Demand, DemandElement, DemandProperty
    from orders.models import Delivery, Order
    from printing.documents import (
        CARD_TEMPLATE,
        SHEET_TEMPLATE,
        process_card,
        render_sheets,
        technical_sheets,
    )
    from printing.models import PrintLog
    from products.models import Part, PartPhoto
    from quality.models import (
        Decision,
        Objection,
        ObjectionPhoto,
        PlanParameter,
        PlanRevision,
        PlanRun,
        ProcessPlan,
        RunProperty,
        RunValue,
    )

    sales, engineer, quality = users["sales"], users["engineer"], users["quality"]
    today = timezone.localdate()
    # The story is recent whenever the demo is loaded: ordered two months ago, rolled, delivered,
    # objected to, closed; a new objection this week.
    ordered = today - datetime.timedelta(days=60)
    rolled = today - datetime.timedelta(days=50)

    @contextmanager
    def step(user):
        """One change as one request makes it: its own transaction (so the history has its
        time and order) and its history events under one context, by `user`."""
        with transaction.atomic(), pghistory.context(user=user.pk):
            yield

    def save(obj, user):
        obj.stamp(user)
        obj.full_clean()
        obj.save()
        return obj

    with step(sales):
        save(Contact(customer=customer, name=STORY_CONTACT, title="质量工程师", mobile="13810000011"), sales)
    with step(sales):
        customer.address = "北京市昌平区沙河镇沙阳路老牛湾村北"
        customer.phone = "010-80716888"
        customer.industry = "汽车制造"
        customer.main_business = "轻型商用车、中重型卡车；车身外覆盖件自冲压"
        customer.annual_demand = Decimal("36000")
        save(customer, sales)
    with step(sales):
        demand = save(
            Demand(
                customer=customer,
                name="车门外板用 DC06",
                source=Demand.Source.ORDER,
                delivery_grade=entry(DictKind.DELIVERY_GRADE, "DC06"),
                production_grade=entry(DictKind.PRODUCTION_GRADE, "DC06"),
                standard="GB/T 5213-2019",
                thickness=Decimal("0.7"),
                thickness_tol_minus=Decimal("0.03"),
                thickness_tol_plus=Decimal("0.03"),
                width=Decimal("1450"),
                surface_quality=entry(DictKind.SURFACE_QUALITY, "FD"),
                end_use=entry(DictKind.END_USE, "AUTO_EXT"),
                usage_location=entry(DictKind.USAGE_LOCATION, "DOOR_OUT"),
                forming_difficulty=entry(DictKind.FORMING_DIFFICULTY, "HARD"),
                annual_volume=Decimal("12000"),
                special_requirements="外板面不得有辊印、划伤；边部毛刺≤0.05 mm",
            ),
            sales,
        )
        for code, low, high in (("C", None, "0.008"), ("Mn", None, "0.25"), ("Ti", "0.02", "0.10")):
            DemandElement.objects.create(
                demand=demand,
                element=entry(DictKind.ELEMENT, code),
                min_pct=low and Decimal(low),
                max_pct=Decimal(high),
            )
        requirements = (("Rp02", "120", "170", "MPa"), ("Rm", "270", "330", "MPa"), ("r90", "2.1", None, ""))
        for code, low, high, unit in requirements:
            DemandProperty.objects.create(
                demand=demand,
                property=entry(DictKind.MECHANICAL_PROPERTY, code),
                min_value=Decimal(low),
                max_value=high and Decimal(high),
                unit=unit,
            )
    with step(sales):
        # A later correction: the customer widened the blank.
        demand.width = Decimal("1500")
        save(demand, sales)

    with step(engineer):
        plan = save(
            ProcessPlan(code=STORY_PLAN, name="DC06 车门外板", customer=customer, demand=demand), engineer
        )
        revision = save(
            PlanRevision(
                plan=plan,
                number=1,
                production_grade=demand.production_grade,
                thickness_min=Decimal("0.6"),
                thickness_max=Decimal("0.8"),
                width_min=Decimal("1400"),
                width_max=Decimal("1600"),
                surface_quality=demand.surface_quality,
                end_use=demand.end_use,
                requirements="表面质量 FD 级；Rp0.2 120–170 MPa，r90 ≥ 2.1",
            ),
            engineer,
        )
        targets = (
            ("CAL", "SOAK_T", "830", "815", "845", "℃"),
            ("CAL", "SLOW_T", "660", "645", "675", "℃"),
            ("CAL", "SPM_EL", "1.0", "0.8", "1.2", "%"),
            ("PLTCM", "RED", "78", "74", "82", "%"),
        )
        parameters = {}
        for line, code, target, low, high, unit in targets:
            parameters[code] = PlanParameter.objects.create(
                revision=revision,
                line=entry(DictKind.PRODUCTION_LINE, line),
                parameter=entry(DictKind.PROCESS_PARAMETER, code),
                target=Decimal(target),
                lower=Decimal(low),
                upper=Decimal(high),
                unit=unit,
            )
    with step(engineer):
        revision.approve(by=engineer)
    with step(engineer):  # the line computer posts the runs in one request
        cal = entry(DictKind.PRODUCTION_LINE, "CAL")
        fd, fc = entry(DictKind.SURFACE_QUALITY, "FD"), entry(DictKind.SURFACE_QUALITY, "FC")
        # (coil, soak, slow cooling, temper elongation, Rp0.2, r90, surface, result): the last two
        # ran hot and over-elongated, came out too hard and were downgraded.
        runs = [
            ("828", "661", "1.02", "146", "2.32", fd, "qualified"),
            ("833", "658", "0.96", "142", "2.35", fd, "qualified"),
            ("831", "663", "1.05", "150", "2.28", fd, "qualified"),
            ("826", "657", "0.98", "139", "2.41", fd, "qualified"),
            ("835", "665", "1.10", "155", "2.24", fd, "qualified"),
            ("829", "660", "1.01", "144", "2.30", fd, "qualified"),
            ("852", "679", "1.34", "176", "1.98", fc, "stock"),
            ("848", "672", "1.28", "171", "2.05", fc, "agreement"),
        ]
        coils = [f"H{rolled:%y%m%d}{i:02d}" for i in range(1, len(runs) + 1)]
        for coil, (soak, slow, elong, rp, r90, surface, result) in zip(coils, runs, strict=True):
            run = save(
                PlanRun(
                    revision=revision,
                    coil_number=coil,
                    produced_on=rolled,
                    line=cal,
                    surface_grade=surface,
                    result=result,
                ),
                engineer,
            )
            RunValue.objects.bulk_create(
                RunValue(run=run, parameter=parameters[code], value=Decimal(value))
                for code, value in (("SOAK_T", soak), ("SLOW_T", slow), ("SPM_EL", elong))
            )
            RunProperty.objects.bulk_create(
                RunProperty(run=run, property=entry(DictKind.MECHANICAL_PROPERTY, code), value=Decimal(v))
                for code, v in (("Rp02", rp), ("r90", r90))
            )
    parts = []
    for number, name, location, length, gross, net in (
        ("5401-00123", "前门外板", "DOOR_OUT", "1350", "10.760", "6.920"),
        ("5401-00456", "侧围外板", "SIDE", "2450", "19.530", "11.850"),
    ):
        with step(engineer):
            part = save(
                Part(
                    customer=customer,
                    car_model=entry(DictKind.CAR_MODEL, "OLLIN"),
                    name=name,
                    number=number,
                    usage_location=entry(DictKind.USAGE_LOCATION, location),
                    demand=demand,
                    blank_thickness=Decimal("0.7"),
                    blank_width=Decimal("1450"),
                    blank_length=Decimal(length),
                    gross_weight=Decimal(gross),
                    material_quota=(Decimal(gross) * Decimal("1.02")).quantize(Decimal("0.001")),
                    net_weight=Decimal(net),
                ),
                engineer,
            )
            save_photos(PartPhoto, photos(2, 900 + len(parts), f"{name} 冲压件"), user=engineer, part=part)
            parts.append(part)

    with step(sales):
        order = save(
            Order(
                number=f"DD{ordered.year}900318",
                customer=customer,
                demand=demand,
                production_grade=demand.production_grade,
                thickness=demand.thickness,
                width=demand.width,
                quantity=Decimal("200"),
                order_date=ordered,
                requested_date=ordered + datetime.timedelta(days=45),
                status=Order.Status.COMPLETED,
            ),
            sales,
        )
        for coil in coils:
            Delivery.objects.create(
                order=order,
                coil_number=coil,
                date=rolled + datetime.timedelta(days=6),
                tons=Decimal("24.6"),
            )

    with step(quality):
        closed = Objection(
            customer=customer,
            received_date=today - datetime.timedelta(days=35),
            handler=quality,
            demand=demand,
            part=parts[0],
            plan_revision=revision,
            coil_numbers=coils[-2:],
            production_grade=demand.production_grade,
            thickness=demand.thickness,
            width=demand.width,
            tonnage=Decimal("49.2"),
            defect_type=entry(DictKind.DEFECT_TYPE, "SCRATCH"),
            severity=2,
            description="客户冲压前门外板后发现划伤，位于距边 30 mm 处，长约 120 mm",
        )
        closed.assign_number()
        save(closed, quality)
        save_photos(ObjectionPhoto, photos(2, 910, "划伤 冲压后"), user=quality, objection=closed)
    with step(quality):
        closed.transition(Objection.Status.INVESTIGATING, by=quality, note="已封锁在途和库存钢卷")
    with step(quality):
        closed.refresh_from_db()
        closed.cause = "平整机工作辊表面粘附异物造成划伤"
        closed.solution = "更换平整机工作辊并清理辊面"
        closed.preventive = "修订换辊周期并纳入点检标准"
        save(closed, quality)
    with step(quality):
        closed.transition(Objection.Status.MEASURES_TAKEN, by=quality)
    with step(quality):
        closed.close(
            by=quality, note="客户确认后续来料无划伤", closed_date=today - datetime.timedelta(days=10)
        )
    with step(quality):
        opened = Objection(
            customer=customer,
            received_date=today - datetime.timedelta(days=5),
            handler=quality,
            demand=demand,
            part=parts[1],
            coil_numbers=[f"H{today - datetime.timedelta(days=12):%y%m%d}02"],
            production_grade=demand.production_grade,
            thickness=demand.thickness,
            width=demand.width,
            tonnage=Decimal("23.8"),
            defect_type=entry(DictKind.DEFECT_TYPE, "ROLL_MARK"),
            severity=3,
            description="开卷后上表面出现周期性辊印，侧围外板涂装后可见",
        )
        opened.assign_number()
        save(opened, quality)
        save_photos(ObjectionPhoto, photos(3, 920, "辊印 开卷后"), user=quality, objection=opened)
    with step(quality):
        opened.transition(Objection.Status.INVESTIGATING, by=quality)
    with step(quality):
        decision = save(
            Decision(
                customer=customer,
                defect_type=closed.defect_type,
                severity=2,
                production_grade=demand.production_grade,
                thickness=demand.thickness,
                width=demand.width,
                demand=demand,
                part=parts[0],
                verdict="not_acceptable",
                answer=f"该客户曾就同一零件 前门外板 提出划伤（一般）异议 {closed.number}，不得判定为合格。",
                coil_numbers=[f"H{today - datetime.timedelta(days=3):%y%m%d}05"],
                tonnage=Decimal("25.1"),
                disposition="stock",
                note="边部 30 mm 处轻微划伤",
            ),
            quality,
        )
        decision.objections.add(closed)

    printed = [
        (SHEET_TEMPLATE, technical_sheets([parts[0]], for_pdf=True), PrintLog.Kind.TECHNICAL_SHEET, parts[0]),
        (CARD_TEMPLATE, [process_card(demand)], PrintLog.Kind.PROCESS_CARD, demand),
    ]
    for template, sheets, kind, obj in printed:
        with step(engineer):
            _pdf, pages = render_sheets(template, sheets, engineer)
            PrintLog.record(
                kind=kind,
                customer=customer,
                obj=obj,
                document_number=sheets[0].number,
                revision=sheets[0].revision,
                pages=sum(pages),
                user=engineer,
            )
