"""Small builders for test data. Each takes keyword overrides."""

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from archive_site.models import DictEntry, DictKind
from customers.models import Contact, Customer

_seq = itertools.count(1)

PASSWORD = "Correct-Horse-42"


def make_user(username=None, role=None, **fields):
    user = get_user_model().objects.create_user(
        username=username or f"user{next(_seq)}", password=PASSWORD, **fields
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def entry(kind, code):
    return DictEntry.objects.get(kind=kind, code=code)


def make_customer(**fields):
    n = next(_seq)
    fields.setdefault("code", f"T{n:05d}")
    fields.setdefault("name", f"测试客户{n}有限公司")
    fields.setdefault("category", entry(DictKind.CUSTOMER_CATEGORY, "AUTO"))
    return Customer.objects.create(**fields)


def make_contact(customer, **fields):
    fields.setdefault("name", "联系人")
    return Contact.objects.create(customer=customer, **fields)


def make_objection(customer, defect="SCRATCH", severity=2, **fields):
    """A registered quality objection with its number drawn as the views do."""
    from quality.models import Objection

    fields.setdefault("description", "带钢表面划伤")
    objection = Objection(
        customer=customer, defect_type=entry(DictKind.DEFECT_TYPE, defect), severity=severity, **fields
    )
    objection.assign_number()
    objection.save()
    return objection


def make_demand(customer, elements=(), properties=(), **fields):
    """A demand; `elements`: (code, min %, max %), `properties`: (code, min, max, unit)."""
    from decimal import Decimal

    from customers.models import Demand, DemandElement, DemandProperty

    fields.setdefault("name", "车门外板用 DC04")
    fields.setdefault("thickness", Decimal("0.8"))
    fields.setdefault("width", Decimal("1250"))
    fields.setdefault("production_grade", entry(DictKind.PRODUCTION_GRADE, "DC04"))
    demand = Demand.objects.create(customer=customer, **fields)
    for code, low, high in elements:
        DemandElement.objects.create(
            demand=demand, element=entry(DictKind.ELEMENT, code), min_pct=low, max_pct=high
        )
    for code, low, high, unit in properties:
        DemandProperty.objects.create(
            demand=demand,
            property=entry(DictKind.MECHANICAL_PROPERTY, code),
            min_value=low,
            max_value=high,
            unit=unit,
        )
    return demand


def make_plan(customer, demand=None, parameters=(), approved_by=None, **fields):
    """A plan with its first revision; `parameters`: (line code, parameter code, target, lower, upper, unit).

    Approved by `approved_by` when given, else a draft. Returns the revision.
    """
    from decimal import Decimal

    from quality.models import PlanParameter, PlanRevision, ProcessPlan

    n = next(_seq)
    plan = ProcessPlan.objects.create(
        code=fields.pop("code", f"GK{n:04d}"),
        name=fields.pop("name", "DC04 汽车外板"),
        customer=customer,
        demand=demand,
    )
    fields.setdefault("production_grade", entry(DictKind.PRODUCTION_GRADE, "DC04"))
    fields.setdefault("thickness_min", Decimal("0.6"))
    fields.setdefault("thickness_max", Decimal("1.0"))
    fields.setdefault("width_min", Decimal("1000"))
    fields.setdefault("width_max", Decimal("1600"))
    revision = PlanRevision.objects.create(plan=plan, number=1, **fields)
    for line, param, target, low, high, unit in parameters:
        PlanParameter.objects.create(
            revision=revision,
            line=entry(DictKind.PRODUCTION_LINE, line),
            parameter=entry(DictKind.PROCESS_PARAMETER, param),
            target=Decimal(str(target)),
            lower=None if low is None else Decimal(str(low)),
            upper=None if high is None else Decimal(str(high)),
            unit=unit,
        )
    if approved_by is not None:
        revision.approve(by=approved_by)
    return revision


def make_run(revision, coil, line="CAL", day=1, **values):
    """A run of `revision` on `line`; `values`: parameter code → value."""
    import datetime
    from decimal import Decimal

    from quality.models import PlanRun, RunValue

    run = PlanRun.objects.create(
        revision=revision,
        coil_number=coil,
        produced_on=datetime.date(2025, 3, day),
        line=entry(DictKind.PRODUCTION_LINE, line),
    )
    params = {
        p.parameter.code: p for p in revision.parameters.select_related("parameter").filter(line=run.line)
    }
    RunValue.objects.bulk_create(
        RunValue(run=run, parameter=params[code], value=Decimal(str(v))) for code, v in values.items()
    )
    return run


def make_part(customer, car_model="OLLIN", usage_location="DOOR_OUT", **fields):
    """A part of `customer`; `car_model` and `usage_location` are dictionary codes (or None)."""
    from decimal import Decimal

    from products.models import Part

    n = next(_seq)
    fields.setdefault("number", f"P{n:05d}")
    fields.setdefault("name", "前门外板")
    fields.setdefault("blank_thickness", Decimal("0.8"))
    fields.setdefault("blank_width", Decimal("1250"))
    fields.setdefault("blank_length", Decimal("1600"))
    fields.setdefault("gross_weight", Decimal("12.56"))
    fields.setdefault("material_quota", Decimal("13.1"))
    fields.setdefault("net_weight", Decimal("8.3"))
    return Part.objects.create(
        customer=customer,
        car_model=car_model and entry(DictKind.CAR_MODEL, car_model),
        usage_location=usage_location and entry(DictKind.USAGE_LOCATION, usage_location),
        **fields,
    )


def make_order(customer, demand=None, deliveries=(), **fields):
    """An order of `customer`; `deliveries`: (coil, date, tons) shipped under it."""
    import datetime
    from decimal import Decimal

    from orders.models import Delivery, Order

    n = next(_seq)
    fields.setdefault("number", f"DD{n:06d}")
    fields.setdefault("thickness", Decimal("0.8"))
    fields.setdefault("width", Decimal("1250"))
    fields.setdefault("quantity", Decimal("100"))
    fields.setdefault("order_date", datetime.date(2025, 1, 2))
    order = Order.objects.create(customer=customer, demand=demand, **fields)
    for coil, day, tons in deliveries:
        Delivery.objects.create(order=order, coil_number=coil, date=day, tons=Decimal(str(tons)))
    return order


def make_decision(
    customer, by, coils=("C1",), tonnage="10", disposition="stock", verdict="not_acceptable", **more
):
    """A judgement decision on `customer`'s coils, recorded by `by`."""
    from decimal import Decimal

    from quality.models import Decision

    return Decision.objects.create(
        customer=customer,
        defect_type=DictEntry.objects.get(kind="defect_type", code=more.pop("defect", "SCRATCH")),
        severity=2,
        verdict=verdict,
        answer="…",
        coil_numbers=list(coils),
        tonnage=Decimal(tonnage),
        disposition=disposition,
        created_by=by,
        **more,
    )
