"""Each rule of plans, runs and objections is written once, on the model: the form and the
import give the same message for the same bad value, and a revision copied into a new draft
keeps every field, whoever copies it."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from archive_site.models import DictKind
from quality.forms.objections import ObjectionForm, TransitionForm
from quality.forms.plans import ParameterForm, RevisionForm, RunForm
from quality.models import Objection, PlanParameter, PlanRevision, PlanRun, ProcessPlan, TransitionRefused
from tests.factories import entry, make_demand, make_objection, make_plan
from tests.imports.helpers import run, xlsx
from tests.imports.test_plans import PLAN_HEADERS
from tests.quality.test_plan_workflow import PARAMS

pytestmark = pytest.mark.django_db


def imported(user, module, sheet, headers, row):
    """{column: [messages]} of one data row imported as `module`'s `sheet`."""
    result = run(user, xlsx({sheet: [headers, row]}), "rules.xlsx", module)
    found = {}
    for error in result.errors:
        found.setdefault(error.column, []).append(error.message)
    return found


def form_errors(form):
    """{field (None for the whole form): [messages]} of a form that must not validate."""
    assert not form.is_valid()
    return {None if name == "__all__" else name: list(messages) for name, messages in form.errors.items()}


# Plans -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "thickness, width, field, column",
    [
        (("1.2", "1.0"), ("1000", "1600"), "thickness_max", "厚度上限(mm)"),
        (("0.6", "1.0"), ("1700", "1600"), "width_max", "宽度上限(mm)"),
        (("0.6", "1.0"), ("0", "1600"), "width_min", "宽度下限(mm)"),
        (("-0.5", "1.0"), ("1000", "1600"), "thickness_min", "厚度下限(mm)"),
    ],
)
def test_a_revisions_ranges_are_refused_alike_by_the_form_and_the_import(
    engineer, alices_customer, thickness, width, field, column
):
    grade = entry(DictKind.PRODUCTION_GRADE, "DC04")
    form = RevisionForm(
        {
            "production_grade": grade.pk,
            "thickness_min": thickness[0],
            "thickness_max": thickness[1],
            "width_min": width[0],
            "width_max": width[1],
        },
        user=engineer,
    )
    row = ["GK-R01", "规则", alices_customer.code, "DC04", *thickness, *width]

    by_form = form_errors(form)
    by_import = imported(engineer, "plans", "工艺控制方案", PLAN_HEADERS, row)

    assert by_form == {field: by_form[field]} and by_form[field]
    assert by_import == {column: by_form[field]}


@pytest.mark.parametrize(
    "target, lower, upper, field, column",
    [
        ("850", "800", "840", "target", "目标值"),
        ("790", "800", "840", "target", "目标值"),
        ("820", "840", "800", "upper", "上限"),
    ],
)
def test_a_parameters_limits_are_refused_alike_by_the_form_and_the_import(
    engineer, alices_customer, target, lower, upper, field, column
):
    make_plan(alices_customer, code="GK-P01", parameters=PARAMS)
    line, parameter = entry(DictKind.PRODUCTION_LINE, "CAL"), entry(DictKind.PROCESS_PARAMETER, "SOAK_T")
    form = ParameterForm(
        {"line": line.pk, "parameter": parameter.pk, "target": target, "lower": lower, "upper": upper},
        user=engineer,
    )
    headers = ["方案编号", "生产线", "工艺参数", "目标值", "下限", "上限", "单位"]
    row = ["GK-P01", "连退", "均热温度", target, lower, upper, "℃"]

    by_form = form_errors(form)
    by_import = imported(engineer, "plans", "工艺参数", headers, row)

    # (With crossed limits the form also runs the database's check of the target against them.)
    assert by_form[field]
    assert by_import == {column: by_form[field]}


def test_a_plan_serves_a_demand_of_its_own_customer_in_the_model_and_the_import(
    engineer, alices_customer, bobs_customer
):
    theirs = make_demand(bobs_customer)
    plan = ProcessPlan(code="GK-D01", name="规则", customer=alices_customer, demand=theirs)
    with pytest.raises(ValidationError) as refused:
        plan.full_clean()
    row = ["GK-D01", "规则", alices_customer.code, "DC04", 0.6, 1.0, 1000, 1600, theirs.code]

    by_import = imported(engineer, "plans", "方案", [*PLAN_HEADERS, "需求编号"], row)

    assert by_import == {"需求编号": refused.value.message_dict["demand"]}


# Runs ------------------------------------------------------------------------


def run_form(revision, engineer, line, **values):
    parameters = list(revision.parameters.select_related("line", "parameter"))
    by_code = {p.parameter.code: p for p in parameters}
    data = {
        "coil_number": "25C001",
        "produced_on": "2025-03-18",
        "line": entry(DictKind.PRODUCTION_LINE, line).pk,
    }
    data.update({f"p{by_code[code].pk}": value for code, value in values.items()})
    form = RunForm(data, instance=PlanRun(revision=revision), parameters=parameters, user=engineer)
    return form, by_code


def test_a_value_for_another_lines_parameter_is_refused_alike_by_the_form_and_the_import(
    engineer, alices_customer
):
    revision = make_plan(alices_customer, code="GK-U01", parameters=PARAMS, approved_by=engineer)
    form, by_code = run_form(revision, engineer, "CAL", SOAK_T="818", RED="75")
    headers = ["方案编号", "卷号", "生产日期", "生产线", "连退/均热温度", "酸轧/冷轧压下率"]

    by_form = form_errors(form)
    by_import = imported(
        engineer, "plan-runs", "实绩", headers, ["GK-U01", "25C001", "2025-03-18", "连退", 818, 75]
    )

    assert by_form == {f"p{by_code['RED'].pk}": ["参数“冷轧压下率”属于酸轧，本次实绩的生产线是连退。"]}
    assert by_import == {"酸轧/冷轧压下率": by_form[f"p{by_code['RED'].pk}"]}


def test_a_run_without_values_is_refused_alike_by_the_form_and_the_import(engineer, alices_customer):
    revision = make_plan(alices_customer, code="GK-U02", parameters=PARAMS, approved_by=engineer)
    form, _by_code = run_form(revision, engineer, "CAL")
    headers = ["方案编号", "卷号", "生产日期", "生产线", "连退/均热温度"]

    by_form = form_errors(form)
    by_import = imported(
        engineer, "plan-runs", "实绩", headers, ["GK-U02", "25C001", "2025-03-18", "连退", None]
    )

    assert by_form == {None: ["这一行没有任何实际值。"]}
    assert by_import == {"": by_form[None]}


def test_a_coil_recorded_twice_on_a_line_is_refused_by_the_models_constraint(engineer, alices_customer):
    revision = make_plan(alices_customer, code="GK-U03", parameters=PARAMS, approved_by=engineer)
    first, _by_code = run_form(revision, engineer, "CAL", SOAK_T="818")
    first.save()
    again, _by_code = run_form(revision, engineer, "CAL", SOAK_T="820")

    assert form_errors(again) == {None: ["这个卷号在这条生产线上已有实绩。"]}


# Objections ------------------------------------------------------------------

OBJECTION_HEADERS = [
    "异议编号",
    "客户代码",
    "受理日期",
    "缺陷类型",
    "缺陷描述",
    "原因分析",
    "解决措施",
    "预防措施",
]


def closed_objection(customer, by):
    o = make_objection(
        customer,
        received_date=datetime.date(2026, 4, 1),
        cause="辊面异物",
        solution="换辊",
        preventive="点检",
    )
    for step in ("investigating", "measures_taken"):
        o.transition(step, by=by)
    o.close(by=by, closed_date=datetime.date(2026, 5, 20))
    return Objection.objects.select_related("customer", "defect_type").get(pk=o.pk)


def edit_form(o, user, **changes):
    data = {
        "kind": o.kind,
        "customer": o.customer.code,
        "received_date": f"{o.received_date:%Y-%m-%d}",
        "defect_type": o.defect_type_id,
        "severity": o.severity,
        "tonnage": o.tonnage,
        "claim_amount": o.claim_amount,
        "description": o.description,
        "cause": o.cause,
        "solution": o.solution,
        "preventive": o.preventive,
        "version": o.version,
    }
    data.update(changes)
    return ObjectionForm(data, instance=o, user=user)


def objection_row(o, **changes):
    values = {
        "received_date": f"{o.received_date:%Y-%m-%d}",
        "description": o.description,
        "cause": o.cause,
        "solution": o.solution,
        "preventive": o.preventive,
    }
    values.update(changes)
    return [
        o.number,
        o.customer.code,
        values["received_date"],
        o.defect_type.code,
        values["description"],
        values["cause"],
        values["solution"],
        values["preventive"],
    ]


READ_ONLY = "这条异议已关闭，不能再修改。如需修改，请由处理人员说明原因后重新打开。"


@pytest.mark.parametrize(
    "changes", [{"solution": ""}, {"received_date": "2026-06-01"}, {"description": "关闭后补充的描述"}]
)
def test_a_closed_objection_is_not_changed_by_the_form_or_the_import(quality, alices_customer, changes):
    """Closed is read-only: emptying its measures, moving its received date past the closing
    date, any change at all is refused alike, until it is reopened with a reason."""
    o = closed_objection(alices_customer, quality)

    by_form = form_errors(edit_form(o, quality, **changes))
    by_import = imported(quality, "objections", "质量异议", OBJECTION_HEADERS, objection_row(o, **changes))

    assert by_form == {None: [READ_ONLY]}
    assert by_import == {"": [READ_ONLY]}
    o.refresh_from_db()
    assert (o.solution, o.received_date, o.description) == ("换辊", datetime.date(2026, 4, 1), "带钢表面划伤")


def test_closing_is_refused_alike_by_the_status_form_and_the_import(quality, alices_customer):
    """Closing before the objection was received, or without the measures, whoever closes it."""
    o = make_objection(alices_customer, received_date=datetime.date(2026, 4, 1), cause="辊面异物")
    for step in ("investigating", "measures_taken"):
        o.transition(step, by=quality)
    headers = [
        "客户代码",
        "受理日期",
        "缺陷类型",
        "缺陷描述",
        "状态",
        "关闭日期",
        "原因分析",
        "解决措施",
        "预防措施",
    ]
    closing = [alices_customer.code, "2026-04-01", "划伤", "旧异议", "已关闭"]

    early = TransitionForm(
        {"to_status": "closed", "closed_date": "2026-03-01", "version": o.version}, objection=o
    )
    with pytest.raises(TransitionRefused) as incomplete:
        o.close(by=quality)
    o.solution, o.preventive = "换辊", "点检"
    with pytest.raises(TransitionRefused) as early_close:
        o.close(by=quality, closed_date=datetime.date(2026, 3, 1))
    early_by_import = imported(
        quality, "objections", "质量异议", headers, [*closing, "2026-03-01", "辊面异物", "换辊", "点检"]
    )
    incomplete_by_import = imported(
        quality, "objections", "质量异议", headers, [*closing, "2026-05-01", "辊面异物", "", ""]
    )

    assert form_errors(early) == {"closed_date": ["关闭日期不能早于受理日期。"]}
    assert early_close.value.messages == form_errors(early)["closed_date"]
    assert early_by_import == {"关闭日期": ["关闭日期不能早于受理日期。"]}
    assert incomplete.value.messages == ["关闭前必须填写：解决措施、预防措施。"]
    assert incomplete_by_import == {"状态": incomplete.value.messages}


def test_the_database_refuses_a_closing_date_on_an_open_objection_or_before_the_received_date(
    quality, alices_customer
):
    o = make_objection(alices_customer, received_date=datetime.date(2026, 4, 1))
    for fields in (
        {"closed_date": datetime.date(2026, 5, 1)},
        {"status": "closed", "closed_date": datetime.date(2026, 3, 1)},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Objection.objects.filter(pk=o.pk).update(**fields)


# Copying a revision into a new draft -----------------------------------------

# What a copy does not take from its source: its identity, its review, who wrote it when.
NOT_COPIED = {
    "id",
    "number",
    "status",
    "based_on",
    "approved_by",
    "approved_at",
    "change_note",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "version",
}


def fields_of(record, *leave_out):
    """Every stored field of `record` (by name, as it holds it) but those left out."""
    left_out = NOT_COPIED | {"revision", *leave_out}
    return {
        f.name: getattr(record, f.attname) for f in record._meta.concrete_fields if f.name not in left_out
    }


def parameters_of(revision):
    return {(p.line_id, p.parameter_id): fields_of(p) for p in revision.parameters.all()}


def approved_revision(customer, engineer, code):
    return make_plan(
        customer,
        code=code,
        parameters=PARAMS,
        approved_by=engineer,
        surface_quality=entry(DictKind.SURFACE_QUALITY, "FD"),
        end_use=entry(DictKind.END_USE, "AUTO_EXT"),
        requirements="表面 FD 级；r90 ≥ 1.6",
        change_note="首版",
    )


def test_a_revision_copied_by_the_import_keeps_every_field(engineer, alices_customer):
    approved = approved_revision(alices_customer, engineer, "GK-C01")
    row = ["GK-C01", approved.plan.name, alices_customer.code, "DC04", 0.6, 1.0, 1000, 1800]

    assert imported(engineer, "plans", "工艺控制方案", PLAN_HEADERS, row) == {}

    draft = PlanRevision.objects.get(plan=approved.plan, status="draft")
    assert fields_of(draft) == fields_of(approved) | {"width_max": Decimal("1800")}
    assert parameters_of(draft) == parameters_of(approved)
    assert (draft.number, draft.based_on, draft.approved_by) == (2, approved, None)
    assert draft.created_by == engineer and draft.version == 1


def test_a_revision_copied_in_the_pages_keeps_every_field(login, engineer, alices_customer, bobs_customer):
    approved = approved_revision(alices_customer, engineer, "GK-C02")
    client = login(engineer)

    client.post(reverse("quality:revision-new", args=[approved.pk]))
    demand = make_demand(bobs_customer)
    client.post(
        reverse("quality:plan-apply", args=[approved.pk]) + f"?demand={demand.pk}",
        {"code": "GK-C03", "name": "复制的方案"},
    )

    new_draft = PlanRevision.objects.get(plan=approved.plan, status="draft")
    applied = PlanRevision.objects.get(plan__code="GK-C03")
    for copy in (new_draft, applied):
        assert fields_of(copy, "plan") == fields_of(approved, "plan")
        assert parameters_of(copy) == parameters_of(approved)
        assert copy.based_on == approved and copy.status == "draft"
    assert (
        applied.plan.customer == bobs_customer and PlanParameter.objects.filter(revision=applied).count() == 3
    )
