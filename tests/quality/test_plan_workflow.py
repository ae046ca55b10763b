"""Writing, approving and revising process-control plans; actual runs; adopt; reuse."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from archive_site.models import DictKind
from quality.models import PlanParameter, PlanRevision, PlanRun, ProcessPlan, RunValue
from tests.factories import entry, make_customer, make_demand, make_plan, make_run

pytestmark = pytest.mark.django_db

PARAMS = [
    ("CAL", "SOAK_T", 820, 800, 840, "℃"),
    ("CAL", "OA_T", 400, 380, 420, "℃"),
    ("PLTCM", "RED", 75, 70, 80, "%"),
]


def plan_post(customer, params=(("CAL", "SOAK_T", "820", "800", "840", "℃"),), **fields):
    data = {
        "plan-code": "GK-001",
        "plan-name": "DC04 外板",
        "plan-customer": customer.code,
        "rev-production_grade": entry(DictKind.PRODUCTION_GRADE, "DC04").pk,
        "rev-thickness_min": "0.6",
        "rev-thickness_max": "1.0",
        "rev-width_min": "1000",
        "rev-width_max": "1600",
        "params-TOTAL_FORMS": len(params),
        "params-INITIAL_FORMS": 0,
    }
    for i, (line, param, target, low, high, unit) in enumerate(params):
        data.update(
            {
                f"params-{i}-line": entry(DictKind.PRODUCTION_LINE, line).pk,
                f"params-{i}-parameter": entry(DictKind.PROCESS_PARAMETER, param).pk,
                f"params-{i}-target": target,
                f"params-{i}-lower": low,
                f"params-{i}-upper": high,
                f"params-{i}-unit": unit,
            }
        )
    data.update(fields)
    return data


def test_engineer_writes_a_plan_for_a_demand(login, engineer, alices_customer):
    demand = make_demand(alices_customer)
    client = login(engineer)
    form = client.get(reverse("quality:plan-create") + f"?demand={demand.pk}").content.decode()
    assert 'value="0.800"' in form or 'value="0.8"' in form  # thickness range taken from the demand
    data = plan_post(alices_customer, **{"plan-demand": demand.pk})
    response = client.post(reverse("quality:plan-create"), data)
    revision = PlanRevision.objects.get()
    assert response.url == revision.get_absolute_url()
    assert revision.number == 1 and revision.is_draft and revision.created_by == engineer
    assert revision.plan.demand == demand and revision.plan.customer == alices_customer
    assert revision.parameters.get().target == Decimal(820)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"params": [("CAL", "SOAK_T", "820", "840", "800", "℃")]}, "下限不能大于上限。"),
        ({"params": [("CAL", "SOAK_T", "850", "800", "840", "℃")]}, "目标值不能大于上限。"),
        ({"rev-thickness_min": "1.2"}, "厚度范围为空：下限大于上限。"),
        ({"rev-width_min": "1700"}, "宽度范围为空：下限大于上限。"),
        (
            {
                "params": [
                    ("CAL", "SOAK_T", "820", "800", "840", "℃"),
                    ("CAL", "SOAK_T", "825", "800", "840", "℃"),
                ]
            },
            "每条产线的每个参数只能设定一次",
        ),
    ],
)
def test_bad_plan_input_is_refused_and_nothing_is_saved(login, engineer, alices_customer, change, message):
    params = change.pop("params", [("CAL", "SOAK_T", "820", "800", "840", "℃")])
    response = login(engineer).post(
        reverse("quality:plan-create"), plan_post(alices_customer, params, **change)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProcessPlan.objects.exists() and not PlanRevision.objects.exists()
    assert not PlanParameter.objects.exists()


def test_a_demand_of_another_customer_is_refused(login, engineer, alices_customer, bobs_customer):
    demand = make_demand(bobs_customer)
    data = plan_post(alices_customer, **{"plan-demand": demand.pk})
    response = login(engineer).post(reverse("quality:plan-create"), data)
    assert "所选需求不属于本方案的客户" in response.content.decode()
    assert not ProcessPlan.objects.exists()


def test_the_plan_form_offers_only_the_picked_customers_demands(
    login, engineer, alices_customer, bobs_customer, django_assert_max_num_queries
):
    make_demand(alices_customer, name="海尔冰箱侧板")
    make_demand(bobs_customer, name="福田欧曼车门")
    client = login(engineer)
    page = client.get(reverse("quality:plan-create")).content.decode()
    assert "海尔冰箱侧板" not in page and "福田欧曼车门" not in page  # no customer picked yet
    # The magnifier brings each customer's demands along, in one query whatever their number.
    for i in range(5):
        make_demand(alices_customer, name=f"海尔需求{i}")
    url = reverse("customers:customer-picker")
    with django_assert_max_num_queries(8):
        found = client.get(url, {"q": "海尔", "demands": "1"}).json()["results"]
    assert [c["name"] for c in found] == ["青岛海尔股份有限公司"]
    names = [d["name"] for d in found[0]["demands"]]
    assert len(names) == 6 and "海尔冰箱侧板（0.8×1250 mm）" in names
    assert "demands" not in client.get(url, {"q": "海尔"}).json()["results"][0]
    # A refused save keeps the picked customer's demands on offer.
    page = client.post(reverse("quality:plan-create"), plan_post(alices_customer, **{"plan-code": ""}))
    page = page.content.decode()
    assert "海尔冰箱侧板" in page and "福田欧曼车门" not in page


def test_approval_makes_the_revision_read_only(login, engineer, alices_customer):
    revision = make_plan(alices_customer, parameters=PARAMS)
    client = login(engineer)
    client.post(reverse("quality:revision-approve", args=[revision.pk]))
    revision.refresh_from_db()
    assert revision.status == "approved" and revision.approved_by == engineer and revision.approved_at
    response = client.get(reverse("quality:revision-edit", args=[revision.pk]), follow=True)
    assert "已批准或已替代的版本不能修改" in response.content.decode()
    data = plan_post(alices_customer, **{"rev-thickness_max": "2.0"})
    client.post(reverse("quality:revision-edit", args=[revision.pk]), data)
    revision.refresh_from_db()
    assert revision.thickness_max == Decimal("1.0")


def test_a_second_approval_of_the_same_revision_is_refused(login, engineer, alices_customer):
    revision = make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    response = login(engineer).post(reverse("quality:revision-approve", args=[revision.pk]), follow=True)
    assert "已由 李工 于" in response.content.decode()


def test_a_plan_without_parameters_cannot_be_approved(login, engineer, alices_customer):
    revision = make_plan(alices_customer)
    response = login(engineer).post(reverse("quality:revision-approve", args=[revision.pk]), follow=True)
    assert "没有任何工艺参数，不能批准" in response.content.decode()
    revision.refresh_from_db()
    assert revision.is_draft


def test_approving_a_new_revision_supersedes_the_old_one(login, engineer, alices_customer):
    first = make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    client = login(engineer)
    response = client.post(reverse("quality:revision-new", args=[first.pk]))
    second = PlanRevision.objects.get(number=2)
    assert response.url == reverse("quality:revision-edit", args=[second.pk])
    assert second.based_on == first and second.parameters.count() == 3
    # Only one draft at a time.
    again = client.post(reverse("quality:revision-new", args=[first.pk]), follow=True)
    assert "已有草稿版本 Rev.2" in again.content.decode()
    client.post(reverse("quality:revision-approve", args=[second.pk]))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "approved")
    page = client.get(first.plan.get_absolute_url()).content.decode()
    assert "Rev.1" in page and "已替代" in page and "Rev.2" in page


def test_editing_a_draft_saves_header_and_rows_together(login, engineer, alices_customer):
    revision = make_plan(alices_customer, parameters=PARAMS[:1], code="GK-001", name="DC04 外板")
    row = revision.parameters.get()
    data = plan_post(alices_customer, params=[], **{"rev-version": revision.version, "plan-version": 1})
    data.update(
        {
            "params-TOTAL_FORMS": 1,
            "params-INITIAL_FORMS": 1,
            "params-0-id": row.pk,
            "params-0-revision": revision.pk,
            "params-0-version": row.version,
            "params-0-line": row.line_id,
            "params-0-parameter": row.parameter_id,
            "params-0-target": "830",
            "params-0-lower": "810",
            "params-0-upper": "850",
            "rev-thickness_max": "1.2",
        }
    )
    response = login(engineer).post(reverse("quality:revision-edit", args=[revision.pk]), data)
    assert response.status_code == 302, response.content.decode()
    row.refresh_from_db()
    revision.refresh_from_db()
    assert row.target == Decimal(830) and revision.thickness_max == Decimal("1.2")


def test_scope_and_permissions(login, bob, viewer, alice, engineer, alices_customer):
    revision = make_plan(alices_customer, parameters=PARAMS)
    plan = revision.plan
    assert login(bob).get(plan.get_absolute_url()).status_code == 404
    assert login(bob).get(revision.get_absolute_url()).status_code == 404
    assert login(alice).get(plan.get_absolute_url()).status_code == 200  # sales read their customer's plans
    assert login(alice).get(reverse("quality:plan-create")).status_code == 403
    for client in (login(viewer), login(alice)):
        assert client.post(reverse("quality:revision-approve", args=[revision.pk])).status_code == 403
        assert client.get(reverse("quality:revision-edit", args=[revision.pk])).status_code == 403
        assert client.get(reverse("quality:run-create", args=[revision.pk])).status_code == 403
    revision.refresh_from_db()
    assert revision.is_draft
    assert login(bob).get(reverse("quality:plan-list")).content.decode().count(plan.code) == 0


def test_deleting_the_only_draft_deletes_the_plan(login, engineer, alices_customer):
    revision = make_plan(alices_customer, parameters=PARAMS)
    login(engineer).post(reverse("quality:revision-delete", args=[revision.pk]))
    assert not ProcessPlan.objects.exists()


# Actual runs -----------------------------------------------------------------


def run_post(revision, coil="25C001", line="CAL", **values):
    data = {
        "coil_number": coil,
        "produced_on": "2025-03-18",
        "line": entry(DictKind.PRODUCTION_LINE, line).pk,
    }
    params = {p.parameter.code: p for p in revision.parameters.select_related("parameter")}
    for code, value in values.items():
        data[f"p{params[code].pk}"] = value
    return data


def test_runs_are_recorded_and_out_of_limit_values_flagged(login, engineer, alices_customer):
    revision = make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    client = login(engineer)
    url = reverse("quality:run-create", args=[revision.pk])
    for coil, soak in (("25C001", 815), ("25C002", 822), ("25C003", 848)):
        response = client.post(url, run_post(revision, coil, SOAK_T=soak, OA_T=400))
        assert response.status_code == 302
    assert PlanRun.objects.count() == 3 and RunValue.objects.count() == 6
    page = client.get(revision.plan.get_absolute_url()).content.decode()
    assert page.count('data-out="1"') == 1 and "848 ↑" in page
    assert 'data-stat="cpk">' in page


def test_a_value_for_another_lines_parameter_is_refused(login, engineer, alices_customer):
    revision = make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    data = run_post(revision, SOAK_T=815, RED=75)
    response = login(engineer).post(reverse("quality:run-create", args=[revision.pk]), data)
    assert "属于酸轧" in response.content.decode()
    assert not PlanRun.objects.exists() and not RunValue.objects.exists()


def test_a_value_for_a_parameter_the_plan_lacks_is_refused_by_the_model_check(engineer, alices_customer):
    from django.core.exceptions import ValidationError

    revision = make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    other = make_plan(alices_customer, parameters=PARAMS)
    foreign = other.parameters.first()
    with pytest.raises(ValidationError, match="没有这个工艺参数"):
        PlanRun.check_values(revision, foreign.line, {foreign: Decimal(1)})


def test_a_draft_takes_no_runs(login, engineer, alices_customer):
    revision = make_plan(alices_customer, parameters=PARAMS)
    response = login(engineer).post(
        reverse("quality:run-create", args=[revision.pk]), run_post(revision, SOAK_T=815), follow=True
    )
    assert "草稿版本尚未批准，不能记录实绩" in response.content.decode()
    assert not PlanRun.objects.exists()


def test_a_coil_is_recorded_once_per_line(login, engineer, alices_customer):
    revision = make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    make_run(revision, "25C001", SOAK_T=815)
    response = login(engineer).post(
        reverse("quality:run-create", args=[revision.pk]), run_post(revision, "25C001", SOAK_T=816)
    )
    assert "这个卷号在这条生产线上已有实绩" in response.content.decode()
    assert PlanRun.objects.count() == 1


def workbook(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile("runs.xlsx", out.getvalue())


def test_excel_upload_of_runs(login, engineer, alices_customer):
    revision = make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    client = login(engineer)
    template = client.get(reverse("quality:run-template", args=[revision.pk]))
    header = [c.value for c in load_workbook(BytesIO(b"".join(template.streaming_content))).active[1]]
    assert header == [
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
    rows = [
        header,
        ["25C001", "2025-03-18", "连退", "", None, 818, 401],
        ["25C002", "2025-03-18", "CAL", "", None, 823.5, 399],
        ["25C001", "2025-03-17", "酸轧", "", 76.2, None, None],
    ]
    url = reverse("quality:run-upload", args=[revision.pk])
    checked = client.post(url, {"file": workbook(rows), "check_only": "on"})
    assert "检查通过：3 条实绩可以导入" in checked.content.decode()
    assert not PlanRun.objects.exists()
    response = client.post(url, {"file": workbook(rows)})
    assert response.status_code == 302
    assert PlanRun.objects.count() == 3 and RunValue.objects.count() == 5


@pytest.mark.parametrize(
    "rows, message",
    [
        (
            [["卷号", "生产日期", "生产线", "连退/卷取温度"], ["25C001", "2025-03-18", "连退", 700]],
            "方案版本中没有这个工艺参数",
        ),
        (
            [
                ["卷号", "生产日期", "生产线", "连退/均热温度", "酸轧/冷轧压下率"],
                ["25C001", "2025-03-18", "连退", 818, 75],
            ],
            "属于酸轧",
        ),
        (
            [["卷号", "生产日期", "生产线", "连退/均热温度"], ["25C001", "昨天", "连退", 818]],
            "不是有效的日期",
        ),
        (
            [["卷号", "生产日期", "生产线", "连退/均热温度"], ["25C001", "2025-03-18", "连退", "高"]],
            "不是有效的数字",
        ),
        (
            [["卷号", "生产日期", "生产线", "连退/均热温度"], ["25C001", "2025-03-18", "镀锌", 818]],
            "不在本方案的产线中",
        ),
    ],
)
def test_a_bad_upload_saves_no_row(login, engineer, alices_customer, rows, message):
    revision = make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    good = ["25C009", "2025-03-18", "连退"] + [818] * (len(rows[0]) - 3)
    rows = [rows[0], good, *rows[1:]] if "属于" not in message else rows
    response = login(engineer).post(
        reverse("quality:run-upload", args=[revision.pk]), {"file": workbook(rows)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PlanRun.objects.exists() and not RunValue.objects.exists()


def test_a_file_that_is_not_xlsx_is_refused(login, engineer, alices_customer):
    revision = make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    fake = SimpleUploadedFile("runs.xlsx", b"coil,date\n")
    response = login(engineer).post(reverse("quality:run-upload", args=[revision.pk]), {"file": fake})
    assert "不是有效的 .xlsx 文件" in response.content.decode()


# Adopt and reuse -------------------------------------------------------------


def test_adopt_starts_a_draft_whose_targets_are_the_observed_means(login, engineer, alices_customer):
    revision = make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    for day, soak in enumerate([810, 815, 826], start=1):
        make_run(revision, f"C{day}", day=day, SOAK_T=soak)
    response = login(engineer).post(reverse("quality:revision-adopt", args=[revision.pk]))
    draft = PlanRevision.objects.get(number=2)
    assert response.url == reverse("quality:revision-edit", args=[draft.pk])
    targets = {p.parameter.code: p.target for p in draft.parameters.select_related("parameter")}
    assert targets == {"SOAK_T": Decimal("817"), "OA_T": Decimal("400"), "RED": Decimal("75")}
    assert draft.is_draft and "实绩均值" in draft.change_note
    revision.refresh_from_db()
    assert revision.status == "approved"


def test_reuse_search_ranks_by_closeness_and_apply_copies_for_another_customers_demand(
    login, engineer, alices_customer, bobs_customer
):
    fd = entry(DictKind.SURFACE_QUALITY, "FD")
    ext = entry(DictKind.END_USE, "AUTO_EXT")
    wide = make_plan(bobs_customer, parameters=PARAMS, approved_by=engineer, code="WIDE", surface_quality=fd)
    close = make_plan(
        bobs_customer,
        parameters=PARAMS,
        approved_by=engineer,
        code="CLOSE",
        surface_quality=fd,
        end_use=ext,
        thickness_min=Decimal("0.7"),
        thickness_max=Decimal("0.9"),
    )
    make_plan(
        bobs_customer,
        parameters=PARAMS,
        approved_by=engineer,
        code="OTHERGRADE",
        production_grade=entry(DictKind.PRODUCTION_GRADE, "DC01"),
    )
    make_plan(
        bobs_customer, parameters=PARAMS, approved_by=engineer, code="THIN", thickness_max=Decimal("0.7")
    )
    make_plan(bobs_customer, parameters=PARAMS, code="DRAFTONLY")
    demand = make_demand(alices_customer, thickness=Decimal("0.8"), surface_quality=fd, end_use=ext)

    client = login(engineer)
    page = client.get(reverse("quality:plan-reuse"), {"demand": demand.pk}).content.decode()
    assert page.index('data-plan="CLOSE"') < page.index('data-plan="WIDE"')
    for absent in ("OTHERGRADE", "THIN", "DRAFTONLY"):
        assert f'data-plan="{absent}"' not in page

    url = reverse("quality:plan-apply", args=[close.pk])
    assert "CLOSE-C0005" in client.get(url, {"demand": demand.pk}).content.decode()
    response = client.post(url, {"demand": demand.pk, "code": "GK-HAIER-01", "name": "海尔 DC04"})
    plan = ProcessPlan.objects.get(code="GK-HAIER-01")
    assert response.url == plan.get_absolute_url()
    assert plan.customer == alices_customer and plan.demand == demand and plan.origin == close
    copy = plan.revisions.get()
    assert copy.is_draft and copy.number == 1 and copy.parameters.count() == 3
    assert close.plan.revisions.get().status == "approved" and wide.plan.code == "WIDE"


def test_sales_cannot_apply_plans(login, alice, engineer, alices_customer):
    revision = make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    demand = make_demand(alices_customer)
    url = reverse("quality:plan-apply", args=[revision.pk])
    assert login(alice).post(url, {"demand": demand.pk, "code": "X", "name": "X"}).status_code == 403


# Query counts ----------------------------------------------------------------


MORE_PARAMS = PARAMS + [
    ("CAL", "HEAT_T", 760, 740, 780, "℃"),
    ("CAL", "LINE_SPEED", 300, 250, 350, "m/min"),
    ("PLTCM", "SPEED", 900, 800, 1000, "m/min"),
]


def _plan_with(customer, engineer, runs, parameters=PARAMS, revisions=1):
    revision = make_plan(customer, parameters=parameters, approved_by=engineer)
    for _i in range(revisions - 1):  # earlier revisions, superseded
        revision = revision.new_draft(by=engineer)
        revision.approve(by=engineer)
    for i in range(runs):
        make_run(revision, f"C{i}", day=1 + i % 28, SOAK_T=810 + i, OA_T=400)
        make_run(revision, f"C{i}", line="PLTCM", day=1 + i % 28, RED=75)
    return revision


def count_queries(client, url):
    """The number of queries one GET of `url` runs (after a first GET warmed the caches)."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_plan_detail_runs_the_same_queries_whatever_its_parameters_revisions_and_runs(
    login, engineer, alices_customer
):
    client = login(engineer)
    few, page = count_queries(client, _plan_with(alices_customer, engineer, 1).plan.get_absolute_url())
    assert page.count('data-coil="C') == 2
    more = _plan_with(alices_customer, engineer, 12, parameters=MORE_PARAMS, revisions=3)
    many, page = count_queries(client, more.plan.get_absolute_url())
    assert page.count('data-coil="C') == 2 * 12 and page.count('data-stat="cpk"') == 6
    assert page.count("badge rev-superseded") == 2  # the superseded revisions are listed
    # The history shows the latest 30 events: with many rows some models drop out of it, so fewer.
    assert many <= few


def test_plan_list_runs_the_same_queries_for_1_or_30_plans(login, engineer, alices_customer):
    client = login(engineer)
    url = reverse("quality:plan-list")
    make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    few, _ = count_queries(client, url)
    for i in range(29):
        revision = make_plan(make_customer(), parameters=PARAMS, approved_by=engineer if i % 2 else None)
        if i % 3 == 0 and not revision.is_draft:
            revision.new_draft(by=engineer)  # approved and draft revisions side by side
    many, page = count_queries(client, url)
    assert "共 30 个方案" in page
    assert few == many


def test_filtered_plan_list_runs_the_same_queries_for_1_or_30_plans(login, engineer, alices_customer):
    client = login(engineer)
    dc04 = entry(DictKind.PRODUCTION_GRADE, "DC04")
    url = reverse("quality:plan-list") + f"?production_grade={dc04.pk}&customer=海尔&q=GK"
    make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    few, _ = count_queries(client, url)
    for _i in range(29):
        make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    many, page = count_queries(client, url)
    assert "共 30 个方案" in page
    assert few == many


def test_reuse_results_run_the_same_queries_for_1_or_20_plans(
    login, engineer, alices_customer, bobs_customer
):
    client = login(engineer)
    demand = make_demand(bobs_customer, surface_quality=entry(DictKind.SURFACE_QUALITY, "FD"))
    url = reverse("quality:plan-reuse") + f"?demand={demand.pk}"
    make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    few, _ = count_queries(client, url)
    for _i in range(19):
        make_plan(make_customer(), parameters=PARAMS, approved_by=engineer)
    many, page = count_queries(client, url)
    assert page.count("data-apply=") == 20
    assert few == many


def test_plan_list_export(login, engineer, alices_customer):
    make_plan(alices_customer, parameters=PARAMS, approved_by=engineer, code="EXPORTME")
    make_plan(make_customer(), parameters=PARAMS, code="DRAFT1")
    response = login(engineer).get(reverse("quality:plan-export"), {"q": "EXPORT"})
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 2 and sheet.cell(2, 1).value == "EXPORTME"


def test_history_names_runs_revisions_without_a_query_per_revision(engineer, alices_customer):
    from archive_site.history import describe_events, events_for

    def queries_to_describe(revisions):
        for i, revision in enumerate(revisions):
            make_run(revision, f"H{i}", SOAK_T=820)
        events = list(events_for(*revisions))
        with CaptureQueriesContext(connection) as queries:
            described = describe_events(events)
        names = {new for e in described for label, _old, new in e["changes"] if label == "方案版本"}
        return len(queries), names

    one = make_plan(alices_customer, parameters=PARAMS, approved_by=engineer)
    few, names = queries_to_describe([one])
    assert names == {f"{one.plan.code} Rev.1"}
    three = [make_plan(make_customer(), parameters=PARAMS, approved_by=engineer) for _ in range(3)]
    many, names = queries_to_describe(three)
    assert names == {f"{r.plan.code} Rev.1" for r in three}
    assert many == few


def test_the_first_approval_says_nothing_was_superseded_and_a_later_one_names_what_was(
    login, engineer, alices_customer
):
    first = make_plan(alices_customer, parameters=PARAMS)
    client = login(engineer)
    page = client.post(reverse("quality:revision-approve", args=[first.pk]), follow=True).content.decode()
    said = re.findall(r'<ul class="messages">(.*?)</ul>', page, re.S)
    assert said and "已批准。" in said[0] and "替代" not in said[0]
    client.post(reverse("quality:revision-new", args=[first.pk]))
    second = PlanRevision.objects.get(number=2)
    page = client.post(reverse("quality:revision-approve", args=[second.pk]), follow=True).content.decode()
    assert "此前的生效版本 Rev.1 已被替代。" in re.findall(r'<ul class="messages">(.*?)</ul>', page, re.S)[0]


def test_the_plan_and_revision_pages_read_their_records_with_few_joins(login, engineer, alices_customer):
    """Dictionary entries (the revisions' and the plan's demand's) come in one query of their own
    rather than as joins, which cost PostgreSQL more to plan than to run."""
    fd = entry(DictKind.SURFACE_QUALITY, "FD")
    demand = make_demand(alices_customer, surface_quality=fd)
    revision = make_plan(alices_customer, demand=demand, parameters=PARAMS, surface_quality=fd)
    client = login(engineer)
    pages = [
        revision.plan.get_absolute_url(),
        reverse("quality:revision-detail", args=[revision.pk]),
        reverse("quality:revision-edit", args=[revision.pk]),
    ]
    for url in pages:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        record_queries = [q["sql"] for q in queries if 'FROM "quality_planrevision" ' in q["sql"]]
        assert record_queries and max(sql.count(" JOIN ") for sql in record_queries) <= 6, url
        if "edit" not in url:
            assert "DC04" in page and str(fd) in page


def test_the_plan_and_revision_pages_read_each_record_once(login, engineer, alices_customer):
    """The revision a URL names is looked up for its plan alone, then shown from the plan's
    revisions read in full; the history names them without reading them again; the demand's
    property limits serve both the summaries and the good coils."""
    demand = make_demand(alices_customer, properties=[("Rm", 270, 350, "MPa")])
    revision = make_plan(alices_customer, demand=demand, parameters=PARAMS, approved_by=engineer)
    make_run(revision, "C1", SOAK_T=810, OA_T=400)
    client = login(engineer)
    for url in (revision.plan.get_absolute_url(), reverse("quality:revision-detail", args=[revision.pk])):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        assert 'data-coil="C1"' in page, url
        sqls = [q["sql"] for q in queries]
        full = 'SELECT "quality_planrevision"."id", "quality_planrevision"."version"'
        assert sum(s.startswith(full) for s in sqls) == 1, url
        assert sum(s.startswith('SELECT "customers_demandproperty"."id"') for s in sqls) == 1, url
