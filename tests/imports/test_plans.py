"""Import and export of process-control plans and their parameters: drafts only, all rows or none."""

from decimal import Decimal

import pytest
from django.urls import reverse

from archive_site.imports.engine import ImportConflict
from quality.models import PlanParameter, PlanRevision, ProcessPlan
from tests.factories import make_plan
from tests.imports.helpers import check, messages, run, xlsx
from tests.imports.test_roundtrip import content_of, import_file, raw

PLAN_HEADERS = [
    "方案编号",
    "方案名称",
    "客户代码",
    "生产牌号",
    "厚度下限(mm)",
    "厚度上限(mm)",
    "宽度下限(mm)",
    "宽度上限(mm)",
]
PARAM_HEADERS = ["方案编号", "生产线", "工艺参数", "目标值", "下限", "上限", "单位"]
PARAMS = [
    ("PLTCM", "RED", 75, 70, 80, "%"),
    ("CAL", "SOAK_T", 820, 810, 830, "℃"),
    ("CAL", "OA_T", 400, 390, 410, "℃"),
]


def plans(user, content):
    return run(user, content, "方案.xlsx", "plans")


def book(plan_rows=(), param_rows=()):
    sheets = {}
    if plan_rows:
        sheets["工艺控制方案"] = [PLAN_HEADERS, *plan_rows]
    if param_rows:
        sheets["工艺参数"] = [PARAM_HEADERS, *param_rows]
    return xlsx(sheets)


def targets(revision):
    return {
        (p.line.code, p.parameter.code): p.target
        for p in revision.parameters.select_related("line", "parameter")
    }


def test_new_plans_and_their_parameters_become_draft_revisions(engineer, alices_customer):
    content = book(
        [["GK-001", "DC04 外板", alices_customer.code, "DC04", 0.6, "1.0", 1000, 1600]],
        [
            ["GK-001", "连退", "均热温度", 820, 810, 830, "℃"],
            ["GK-001", "PLTCM", "RED", "７５", "", "", "%"],
        ],
    )

    result = plans(engineer, content)

    assert messages(result) == []
    assert result.counts() == {"new": 3, "update": 0, "unchanged": 0, "error": 0}
    plan = ProcessPlan.objects.get(code="GK-001")
    (revision,) = plan.revisions.all()
    assert (revision.number, revision.status, revision.production_grade.code) == (1, "draft", "DC04")
    assert (revision.thickness_min, revision.width_max) == (Decimal("0.6"), Decimal("1600"))
    assert targets(revision) == {("CAL", "SOAK_T"): 820, ("PLTCM", "RED"): 75}
    assert revision.created_by == engineer and plan.created_by == engineer


def test_a_change_to_an_approved_plan_goes_into_a_new_draft_and_the_approved_revision_stays(
    engineer, alices_customer
):
    approved = make_plan(alices_customer, code="GK-002", parameters=PARAMS, approved_by=engineer)
    content = book(
        [["GK-002", "DC04 汽车外板", alices_customer.code, "DC04", 0.6, 1.0, 1000, 1800]],
        [
            ["GK-002", "连退", "均热温度", 825, 810, 830, "℃"],
            ["GK-002", "连退", "缓冷温度", 650, "", "", "℃"],
        ],
    )

    importer, result = check(engineer, content, "方案.xlsx", "plans")
    plan_sheet, param_sheet = result.sheets
    assert [r.status for r in plan_sheet.rows] == ["update"]
    assert plan_sheet.rows[0].changes == [("宽度上限(mm)", "1600.0", "1800")]
    assert plan_sheet.resource.label(plan_sheet.rows[0].instance) == "GK-002 DC04 汽车外板（新建草稿 Rev.2）"
    assert [r.status for r in param_sheet.rows] == ["update", "new"]
    importer.apply(result)

    approved.refresh_from_db()
    assert (approved.status, approved.width_max, approved.version) == ("approved", Decimal("1600"), 2)
    assert targets(approved)[("CAL", "SOAK_T")] == 820
    draft = PlanRevision.objects.get(plan__code="GK-002", status="draft")
    assert (draft.number, draft.based_on, draft.width_max) == (2, approved, Decimal("1800"))
    assert "基于 Rev.1" in draft.change_note
    assert targets(draft) == {
        ("PLTCM", "RED"): 75,
        ("CAL", "SOAK_T"): 825,
        ("CAL", "OA_T"): 400,
        ("CAL", "SLOW_T"): 650,
    }


def test_parameters_alone_open_a_new_draft_of_an_approved_plan(engineer, alices_customer):
    make_plan(alices_customer, code="GK-003", parameters=PARAMS, approved_by=engineer)

    result = plans(engineer, book(param_rows=[["GK-003", "酸轧", "冷轧压下率", 76, 70, 80, "%"]]))

    assert messages(result) == []
    draft = PlanRevision.objects.get(plan__code="GK-003", status="draft")
    assert targets(draft)[("PLTCM", "RED")] == 76 and len(targets(draft)) == 3


def test_a_draft_is_changed_in_place(engineer, alices_customer):
    draft = make_plan(alices_customer, code="GK-004", parameters=PARAMS)
    content = book(
        [["GK-004", "改名后的方案", alices_customer.code, "DC04", 0.6, 1.0, 1000, 1600]],
        [["GK-004", "连退", "均热温度", 815, 810, 830, "℃"]],
    )

    result = plans(engineer, content)

    assert messages(result) == []
    assert result.counts() == {"new": 0, "update": 2, "unchanged": 0, "error": 0}
    assert PlanRevision.objects.filter(plan__code="GK-004").count() == 1
    draft.refresh_from_db()
    assert draft.plan.name == "改名后的方案" and targets(draft)[("CAL", "SOAK_T")] == 815
    assert draft.version == 2  # its parameters changed


def test_the_same_file_again_changes_nothing_and_opens_no_draft(engineer, alices_customer):
    make_plan(alices_customer, code="GK-005", parameters=PARAMS, approved_by=engineer)
    content = book(
        [["GK-005", "DC04 汽车外板", alices_customer.code, "DC04", 0.6, 1.0, 1000, 1600]],
        [["GK-005", "连退", "均热温度", 820, 810, 830, "℃"]],
    )

    result = plans(engineer, content)

    assert result.counts() == {"new": 0, "update": 0, "unchanged": 2, "error": 0}
    assert not PlanRevision.objects.filter(status="draft").exists()


def test_errors_by_row_and_column_and_nothing_is_written(engineer, alices_customer):
    make_plan(alices_customer, code="GK-006", parameters=PARAMS, approved_by=engineer)
    content = book(
        [
            ["GK-007", "新方案", "C9999", "DC04", 0.6, 1.0, 1000, 1600],
            ["GK-008", "新方案二", alices_customer.code, "不存在的牌号", 1.2, 0.6, 0, 1600],
            ["GK-009", "新方案三", alices_customer.code, "DC04", "", 1.0, 1000, 1600],
        ],
        [
            ["GK-006", "连退", "均热温度", 850, 810, 830, "℃"],
            ["GK-006", "连退", "均热温度", 820, 810, 830, "℃"],
            ["GK-404", "连退", "均热温度", 820, 810, 830, "℃"],
            ["GK-006", "连退", "过时效温度", 400, 420, 410, "℃"],
        ],
    )
    counts = (ProcessPlan.objects.count(), PlanRevision.objects.count(), PlanParameter.objects.count())

    result = plans(engineer, content)

    assert messages(result) == [
        (
            "工艺控制方案",
            2,
            "客户代码",
            "找不到客户“C9999”：请填写客户代码或完整的客户名称（或该客户不在您的客户范围内）。",
        ),
        (
            "工艺控制方案",
            3,
            "生产牌号",
            "“不存在的牌号”不是“生产牌号”中的代码或名称（请在基础数据中查看可选值）。",
        ),
        ("工艺控制方案", 3, "宽度下限(mm)", "必须大于 0。"),
        ("工艺控制方案", 3, "厚度上限(mm)", "厚度范围为空：下限大于上限。"),
        ("工艺控制方案", 4, "厚度下限(mm)", "“厚度下限(mm)”不能为空。"),
        ("工艺参数", 2, "目标值", "目标值不能大于上限。"),
        ("工艺参数", 3, "工艺参数", "与第 2 行重复（DC04 汽车外板、连退、均热温度）。"),
        ("工艺参数", 4, "方案编号", "找不到方案“GK-404”：请填写方案编号（或该方案不在您的客户范围内）。"),
        ("工艺参数", 5, "上限", "下限不能大于上限。"),
    ]
    after = (ProcessPlan.objects.count(), PlanRevision.objects.count(), PlanParameter.objects.count())
    assert after == counts


def test_a_plan_approved_between_check_and_import_writes_nothing(engineer, alices_customer):
    draft = make_plan(alices_customer, code="GK-010", parameters=PARAMS)
    content = book(param_rows=[["GK-010", "连退", "均热温度", 815, 810, 830, "℃"]])
    importer, result = check(engineer, content, "方案.xlsx", "plans")
    draft.approve(by=engineer)

    with pytest.raises(ImportConflict):
        importer.apply(result)

    assert targets(draft)[("CAL", "SOAK_T")] == 820


def test_the_customer_of_an_existing_plan_cannot_change(engineer, alices_customer, bobs_customer):
    make_plan(alices_customer, code="GK-011", parameters=PARAMS)
    content = book([["GK-011", "DC04 汽车外板", bobs_customer.code, "DC04", 0.6, 1.0, 1000, 1600]])

    result = plans(engineer, content)

    assert messages(result) == [
        ("工艺控制方案", 2, "客户代码", "方案的客户不能更改：它的版本和实绩是为原客户制定的。")
    ]


def test_viewer_may_export_but_not_import_plans(login, viewer, alices_customer):
    client = login(viewer)
    assert client.get(reverse("imports:upload", args=["plans"])).status_code == 403
    assert client.get(reverse("imports:export", args=["plans"])).status_code == 200


def test_export_import_into_empty_tables_export_again(
    login, admin_user, engineer, alices_customer, bobs_customer
):
    make_plan(
        alices_customer, code="GK-101", parameters=PARAMS, approved_by=engineer, requirements="FD 级\n=r90"
    )
    newer = make_plan(bobs_customer, code="GK-102", parameters=PARAMS[:1], approved_by=engineer)
    newer.new_draft(by=engineer, targets={newer.parameters.get().pk: Decimal("77.5")}, note="提高压下率")
    make_plan(alices_customer, code="GK-103", parameters=PARAMS[1:], surface_quality=None, end_use=None)
    client = login(admin_user)
    before = content_of(client.get(reverse("imports:export", args=["plans"])))
    exported = raw(client, "imports:export", "plans")
    assert [row[0] for row in before["工艺控制方案"][1:]] == ["GK-101", "GK-102", "GK-103"]
    assert before["工艺参数"][4][:4] == ["GK-102", "酸轧", "冷轧压下率", 77.5]  # the draft's
    PlanParameter.objects.all().delete()
    PlanRevision.objects.update(based_on=None)
    PlanRevision.objects.all().delete()
    ProcessPlan.objects.all().delete()

    run_ = import_file(client, "plans", exported, "方案.xlsx")

    assert (run_.created_count, run_.updated_count) == (3 + 6, 0)
    assert content_of(client.get(reverse("imports:export", args=["plans"]))) == before
    assert set(PlanRevision.objects.values_list("status", flat=True)) == {"draft"}
