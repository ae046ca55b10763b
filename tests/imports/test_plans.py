"""Import and export of process-control plans and their parameters: drafts only, all rows or none."""

from decimal import Decimal

import pytest
from django.urls import reverse

from imports.engine import ImportConflict
from quality.models import PlanParameter, PlanRevision, PlanRun, ProcessPlan, RunValue
from tests.factories import make_demand, make_plan, make_run
from tests.imports.helpers import check, messages, run, upload, xlsx
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


def test_a_plan_serves_a_demand_of_its_own_customer(engineer, alices_customer, bobs_customer):
    mine, theirs = make_demand(alices_customer), make_demand(bobs_customer)
    headers = [*PLAN_HEADERS, "需求编号"]
    row = ["GK-012", "DC04 外板", alices_customer.code, "DC04", 0.6, 1.0, 1000, 1600]

    refused = run(engineer, xlsx({"方案": [headers, [*row, theirs.code]]}), "方案.xlsx", "plans")
    result = run(engineer, xlsx({"方案": [headers, [*row, mine.code]]}), "方案.xlsx", "plans")

    assert messages(refused) == [("方案", 2, "需求编号", f"需求“{theirs.code}”不属于本方案的客户。")]
    assert messages(result) == []
    assert ProcessPlan.objects.get(code="GK-012").demand == mine


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
        alices_customer,
        make_demand(alices_customer),
        code="GK-101",
        parameters=PARAMS,
        approved_by=engineer,
        requirements="FD 级\n=r90",
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


# Actual runs -------------------------------------------------------------------

RUN_HEADERS = [
    "方案编号",
    "卷号",
    "生产日期",
    "生产线",
    "备注",
    "酸轧/冷轧压下率",
    "连退/均热温度",
    "CAL/OA_T",
]


def runs(user, *rows, headers=RUN_HEADERS):
    return run(user, xlsx({"实绩": [headers, *rows]}), "实绩.xlsx", "plan-runs")


def values_of(coil, line="CAL"):
    return {
        v.parameter.parameter.code: v.value
        for v in RunValue.objects.filter(run__coil_number=coil, run__line__code=line).select_related(
            "parameter__parameter"
        )
    }


def test_runs_of_several_plans_with_a_column_per_line_and_parameter(engineer, alices_customer, bobs_customer):
    first = make_plan(alices_customer, code="GK-201", parameters=PARAMS, approved_by=engineer)
    second = make_plan(bobs_customer, code="GK-202", parameters=PARAMS[1:], approved_by=engineer)

    result = runs(
        engineer,
        ["GK-201", "25C001", "2025-03-17", "酸轧", "", 76.2, None, None],
        ["GK-201", "25C001", "2025-03-18", "连退", "", None, 818, "401"],
        ["GK-202", "25C002", 45734, "CAL", "试轧", None, "８２３．５", None],
    )

    assert messages(result) == []
    assert result.counts()["new"] == 3
    assert PlanRun.objects.filter(revision=first).count() == 2
    assert PlanRun.objects.get(revision=second).remarks == "试轧"
    assert values_of("25C001") == {"SOAK_T": 818, "OA_T": 401}
    assert values_of("25C001", "PLTCM") == {"RED": Decimal("76.2")}
    assert values_of("25C002") == {"SOAK_T": Decimal("823.5")}


def test_a_run_file_again_updates_changed_values_and_removes_emptied_ones(engineer, alices_customer):
    revision = make_plan(alices_customer, code="GK-203", parameters=PARAMS, approved_by=engineer)
    make_run(revision, "25C003", SOAK_T=818, OA_T=401)

    result = runs(
        engineer,
        ["GK-203", "25C003", "2025-03-01", "连退", "", None, 820, None],
        ["GK-203", "25C004", "2025-03-02", "连退", "", None, 819, 400],
    )

    assert messages(result) == []
    assert result.counts() == {"new": 1, "update": 1, "unchanged": 0, "error": 0}
    assert values_of("25C003") == {"SOAK_T": 820}
    assert PlanRun.objects.get(coil_number="25C003").version == 2


def test_runs_go_to_the_approved_revision_or_the_one_named_and_never_to_a_draft(engineer, alices_customer):
    old = make_plan(alices_customer, code="GK-204", parameters=PARAMS, approved_by=engineer)
    new = old.new_draft(by=engineer)
    make_plan(alices_customer, code="GK-205", parameters=PARAMS)  # a draft only
    headers = ["方案编号", "版本号", "卷号", "生产日期", "生产线", "连退/均热温度"]

    result = runs(
        engineer,
        ["GK-204", "", "25C005", "2025-03-01", "连退", 818],
        ["GK-204", 2, "25C006", "2025-03-01", "连退", 818],
        ["GK-204", 3, "25C007", "2025-03-01", "连退", 818],
        ["GK-205", "", "25C008", "2025-03-01", "连退", 818],
        headers=headers,
    )

    assert messages(result) == [
        ("实绩", 3, "方案编号", "方案“GK-204”的 Rev.2 是草稿，尚未批准，不能记录实绩。"),
        ("实绩", 4, "方案编号", "方案“GK-204”没有版本 Rev.3。"),
        ("实绩", 5, "方案编号", "方案“GK-205”还没有已批准的版本，不能记录实绩。"),
    ]
    new.approve(by=engineer)
    result = runs(
        engineer,
        ["GK-204", "1", "25C005", "2025-03-01", "连退", 818],
        ["GK-204", "", "25C006", "2025-03-01", "连退", 818],
        headers=headers,
    )
    assert messages(result) == []
    assert dict(PlanRun.objects.values_list("coil_number", "revision__number")) == {"25C005": 1, "25C006": 2}


def test_run_errors_by_row_and_column_and_nothing_is_written(engineer, alices_customer):
    make_plan(alices_customer, code="GK-206", parameters=PARAMS[1:], approved_by=engineer)

    result = runs(
        engineer,
        ["GK-206", "25C009", "2025-03-01", "连退", "", 76, 818, None],
        ["GK-206", "25C010", "昨天", "镀锌", "", None, 818, None],
        ["GK-206", "25C011", "2025-03-01", "连退", "", None, None, None],
        ["GK-206", "25C011", "2025-03-01", "连退", "", None, "高", None],
        ["GK-404", "25C012", "2025-03-01", "连退", "", None, 818, None],
    )

    assert messages(result) == [
        ("实绩", 2, "酸轧/冷轧压下率", "方案版本中没有这个工艺参数。"),
        ("实绩", 3, "生产日期", "“昨天”不是有效的日期，请写成 2024-01-31 的形式。"),
        ("实绩", 3, "生产线", "生产线“镀锌”不在本方案的产线中。"),
        ("实绩", 4, "", "这一行没有任何实际值。"),
        ("实绩", 5, "连退/均热温度", "“高”不是有效的数字。"),
        ("实绩", 5, "生产线", "与第 4 行重复（GK-206 Rev.1、25C011、连退）。"),
        ("实绩", 6, "方案编号", "找不到方案“GK-404”：请填写方案编号（或该方案不在您的客户范围内）。"),
    ]
    assert not PlanRun.objects.exists() and not RunValue.objects.exists()


def test_a_header_naming_no_line_or_parameter_refuses_the_sheet(engineer, alices_customer):
    make_plan(alices_customer, code="GK-207", parameters=PARAMS, approved_by=engineer)

    result = runs(
        engineer,
        ["GK-207", "25C013", "2025-03-01", "连退", 818],
        headers=["方案编号", "卷号", "生产日期", "生产线", "连退/不存在的参数"],
    )

    assert messages(result) == [
        (
            "实绩",
            None,
            "",
            "表头“连退/不存在的参数”：找不到这条生产线或这个工艺参数（应为“产线/参数”，如“连退/均热温度”）。",
        )
    ]


def test_the_plan_page_upload_is_the_same_import_pinned_to_its_revision(login, engineer, alices_customer):
    revision = make_plan(alices_customer, code="GK-208", parameters=PARAMS, approved_by=engineer)
    make_run(revision, "25C014", SOAK_T=818, OA_T=401)
    upload_ = xlsx(
        {"Sheet1": [["卷号", "生产日期", "生产线", "连退/均热温度"], ["25C014", "2025-03-01", "连退", 821]]}
    )

    response = login(engineer).post(
        reverse("quality:run-upload", args=[revision.pk]), {"file": upload(upload_, "runs.xlsx")}
    )

    assert response.status_code == 302
    assert values_of("25C014") == {"SOAK_T": 821, "OA_T": 401}  # a column the file leaves out is kept


def test_runs_export_import_into_empty_tables_export_again(login, admin_user, engineer, alices_customer):
    old = make_plan(alices_customer, code="GK-301", parameters=PARAMS, approved_by=engineer)
    make_run(old, "25C101", SOAK_T=818, OA_T="401.25")
    make_run(old, "25C101", line="PLTCM", RED=76)
    new = old.new_draft(by=engineer)
    new.approve(by=engineer)
    make_run(new, "25C102", day=2, SOAK_T=822)
    other = make_plan(alices_customer, code="GK-302", parameters=PARAMS[2:], approved_by=engineer)
    make_run(other, "25C103", OA_T=399)
    client = login(admin_user)
    before = content_of(client.get(reverse("imports:export", args=["plan-runs"])))
    exported = raw(client, "imports:export", "plan-runs")
    assert before["实绩"][0] == [
        "方案编号",
        "版本号",
        "卷号",
        "生产日期",
        "生产线",
        "备注",
        "酸轧/冷轧压下率",
        "连退/均热温度",
        "连退/过时效温度",
        "表面等级",
        "判定结果",
    ]
    assert [row[:3] for row in before["实绩"][1:]] == [
        ["GK-301", 1, "25C101"],
        ["GK-301", 1, "25C101"],
        ["GK-301", 2, "25C102"],
        ["GK-302", 1, "25C103"],
    ]
    RunValue.objects.all().delete()
    PlanRun.objects.all().delete()

    run_ = import_file(client, "plan-runs", exported, "实绩.xlsx")

    assert (run_.created_count, run_.updated_count) == (4, 0)
    assert content_of(client.get(reverse("imports:export", args=["plan-runs"]))) == before


@pytest.mark.parametrize(
    "module, sheets",
    [
        ("objections", {"质量异议"}),
        ("plans", {"工艺控制方案", "工艺参数"}),
        ("plan-runs", {"实绩"}),
    ],
)
def test_each_module_offers_a_template_with_its_columns_and_an_example_row(
    login, admin_user, engineer, alices_customer, module, sheets
):
    make_plan(alices_customer, code="GK-DC04-001", parameters=PARAMS, approved_by=engineer)
    response = login(admin_user).get(reverse("imports:template", args=[module]))

    content = content_of(response)

    assert sheets <= set(content)
    for name in sheets:
        header, example = content[name][:2]
        assert header[0] in ("异议编号", "方案编号") and any(v not in (None, "") for v in example)
    if module == "plan-runs":
        parameters = ["酸轧/冷轧压下率", "连退/均热温度", "连退/过时效温度"]
        assert content["实绩"][0][6:] == [*parameters, "表面等级", "判定结果"]


def test_a_sales_user_exports_only_the_runs_of_her_customers(
    login, alice, engineer, alices_customer, bobs_customer
):
    mine = make_plan(alices_customer, code="GK-401", parameters=PARAMS, approved_by=engineer)
    theirs = make_plan(bobs_customer, code="GK-402", parameters=PARAMS, approved_by=engineer)
    make_run(mine, "25C401", SOAK_T=818)
    make_run(theirs, "25C402", SOAK_T=818)

    content = content_of(login(alice).get(reverse("imports:export", args=["plan-runs"])))

    assert [row[:3] for row in content["实绩"][1:]] == [["GK-401", 1, "25C401"]]
    plans = content_of(login(alice).get(reverse("imports:export", args=["plans"])))
    assert [row[0] for row in plans["工艺控制方案"][1:]] == ["GK-401"]
