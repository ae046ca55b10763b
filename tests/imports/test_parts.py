"""Importing parts: keyed by customer and part number, demand by code, utilization computed."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from products.models import Part
from tests.factories import make_customer, make_demand, make_part
from tests.imports.helpers import check, messages, run, xlsx

HEADERS = [
    "客户代码",
    "零件编号",
    "零件名称",
    "车型",
    "使用部位",
    "需求编号",
    "毛坯厚度(mm)",
    "毛坯宽度(mm)",
    "毛坯长度(mm)",
    "毛坯毛重(kg)",
    "材料定额(kg)",
    "零件净重(kg)",
]


def import_parts(user, rows, sheet="零件"):
    return run(user, xlsx({sheet: rows}), name="零件.xlsx", module="parts")


def check_parts(user, rows):
    return check(user, xlsx({"零件": rows}), name="零件.xlsx", module="parts")[1]


def test_an_engineer_imports_parts_by_customer_code_or_name(engineer, alices_customer):
    demand = make_demand(alices_customer, code="XQ-H-01")
    result = import_parts(
        engineer,
        [
            HEADERS,
            [
                "C0005",
                "5401-110A",
                "前门外板",
                "欧铃",
                "DOOR_OUT",
                "XQ-H-01",
                0.8,
                1250,
                1600,
                12.56,
                13.1,
                8.3,
            ],
            [
                "青岛海尔股份有限公司",
                "5401-120",
                "顶盖",
                "AUMARK",
                "顶盖",
                "",
                "0.7",
                "1500",
                "1800",
                14,
                14.5,
                11,
            ],
        ],
    )

    assert messages(result) == []
    assert result.counts() == {"new": 2, "update": 0, "unchanged": 0, "error": 0}
    door = Part.objects.get(number="5401-110A")
    assert (door.customer, door.demand, door.car_model.code, door.usage_location.code) == (
        alices_customer,
        demand,
        "OLLIN",
        "DOOR_OUT",
    )
    assert (door.gross_weight, door.net_weight, door.created_by) == (
        Decimal("12.56"),
        Decimal("8.3"),
        engineer,
    )
    roof = Part.objects.get(number="5401-120")
    assert (roof.customer, roof.demand, roof.car_model.name) == (alices_customer, None, "欧马可")


def test_preview_marks_rows_new_update_unchanged_and_error(engineer, alices_customer):
    make_part(alices_customer, number="P-1", name="不变", gross_weight=Decimal("10"), net_weight=Decimal("8"))
    changed = make_part(alices_customer, number="P-2", name="要改", gross_weight=Decimal("10"))
    rows = [
        ["客户代码", "零件编号", "零件名称", "毛坯毛重(kg)"],
        ["C0005", "P-1", "不变", 10],
        ["C0005", "P-2", "要改", 11],
        ["C0005", "P-3", "新的", 10],
        ["C0005", "P-4", "坏的", "十公斤"],
    ]

    result = check_parts(engineer, rows)

    (sheet,) = result.sheets
    assert [r.status for r in sheet.rows] == ["unchanged", "update", "new", "error"]
    assert sheet.rows[1].changes == [("毛坯毛重(kg)", "10.000", "11")]
    assert ("零件", 5, "毛坯毛重(kg)", "“十公斤”不是有效的数字。") in messages(result)
    changed.refresh_from_db()
    assert changed.gross_weight == Decimal("10")  # checked, not written
    assert not Part.objects.filter(number="P-3").exists()


def test_errors_name_row_and_column_and_nothing_is_written(engineer, alices_customer, bobs_customer):
    make_demand(bobs_customer, code="XQ-B-01")
    make_part(alices_customer, number="OLD-1")
    before = Part.objects.count()
    good = [0.8, 1250, 1600, 12, 13, 8]
    rows = [
        HEADERS,
        ["C0005", "N-1", "好零件", "欧铃", "", "", *good],
        ["C0005", "N-2", "车型不对", "拖拉机", "", "", *good],
        ["C9999", "N-3", "客户不对", "", "", "", *good],
        ["C0005", "N-4", "需求不存在", "", "", "XQ-NONE", *good],
        ["C0005", "N-5", "别的客户的需求", "", "", "XQ-B-01", *good],
        ["C0005", "N-6", "净重大于毛重", "", "", "", 0.8, 1250, 1600, 8, 9, 12],
        ["C0005", "N-7", "尺寸为零", "", "", "", 0, 1250, 1600, 12, 13, 8],
        ["C0005", "N-1", "编号重复", "", "", "", *good],
    ]

    result = import_parts(engineer, rows)

    errors = messages(result)
    assert errors == [
        ("零件", 3, "车型", "“拖拉机”不是“车型”中的代码或名称（请在基础数据中查看可选值）。"),
        (
            "零件",
            4,
            "客户代码",
            "找不到客户“C9999”：请填写客户代码或完整的客户名称（或该客户不在您的客户范围内）。",
        ),
        ("零件", 5, "需求编号", "找不到需求编号“XQ-NONE”（或该需求的客户不在您的客户范围内）。"),
        (
            "零件",
            6,
            "需求编号",
            f"所选需求“车门外板用 DC04”属于客户“{bobs_customer.name}”，"
            f"不是本零件的客户“{alices_customer.name}”。请选择本客户的需求。",
        ),
        ("零件", 7, "零件净重(kg)", "零件净重（12 kg）不能大于毛坯毛重（8 kg）。"),
        ("零件", 8, "毛坯厚度(mm)", "必须大于 0。"),
        ("零件", 9, "零件编号", f"与第 2 行重复（{alices_customer.name}、N-1）。"),
    ]
    assert Part.objects.count() == before


def test_utilization_is_exported_but_never_imported(login, engineer, alices_customer):
    part = make_part(alices_customer, number="U-1", gross_weight=Decimal("10"), net_weight=Decimal("7.5"))
    client = login(engineer)
    response = client.get(reverse("imports:export", args=["parts"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["零件"]
    header, row = (list(r) for r in sheet.iter_rows(values_only=True))
    assert dict(zip(header, row, strict=True))["利用率(%)"] == 75.0

    row[header.index("利用率(%)")] = 10
    row[header.index("备注")] = "改了备注"
    result = import_parts(engineer, [header, row])

    (sheet_result,) = result.sheets
    assert "P：利用率(%)" in sheet_result.ignored
    assert messages(result) == []
    part.refresh_from_db()
    assert (part.net_weight, part.gross_weight, part.remarks) == (Decimal("7.5"), Decimal("10"), "改了备注")


def test_the_template_has_no_computed_columns(login, engineer):
    response = login(engineer).get(reverse("imports:template", args=["parts"]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = [c.value for c in book["零件"][1]]
    assert header[:3] == ["客户代码", "车型", "零件名称"]
    assert "利用率(%)" not in header and "客户名称" not in header and "交货牌号" not in header


def test_a_sales_user_may_not_import_parts_and_bob_exports_only_his(
    login, alice, bob, alices_customer, bobs_customer
):
    make_part(alices_customer, number="A-1")
    make_part(bobs_customer, number="B-1")
    make_customer(code="C0300", name="他人客户")

    result = import_parts(alice, [["客户代码", "零件编号", "零件名称"], ["C0005", "A-9", "x"]])

    assert messages(result) == [("零件", None, "", "您没有导入“零件”的权限。")]
    response = login(bob).get(reverse("imports:export", args=["parts"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["零件"]
    assert [r[4] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["B-1"]


def test_round_trip_export_import_into_an_empty_table_export_again(
    login, admin_user, alices_customer, bobs_customer
):
    from tests.imports.test_roundtrip import content_of, import_file

    demand = make_demand(alices_customer, code="XQ-H-01")
    make_part(
        alices_customer,
        number="5401-110A",
        name="前门外板",
        car_model="OLLIN",
        usage_location="DOOR_OUT",
        demand=demand,
        blank_thickness=Decimal("0.75"),
        blank_width=Decimal("1250.5"),
        blank_length=Decimal("1600"),
        gross_weight=Decimal("12.345"),
        material_quota=Decimal("13.1"),
        net_weight=Decimal("8.3"),
        remarks="=SUM(A1)\n第二行",
    )
    make_part(alices_customer, number="5401-120", name="顶盖", car_model=None, usage_location=None)
    make_part(bobs_customer, number="B-1", name="保险杠骨架", car_model="AUMARK")
    client = login(admin_user)
    url = reverse("imports:export", args=["parts"])
    before = content_of(client.get(url))
    exported = b"".join(client.get(url).streaming_content)
    assert len(before["零件"]) == 4
    Part.objects.all().delete()

    run = import_file(client, "parts", exported, "零件.xlsx")

    assert (run.created_count, run.updated_count) == (3, 0)
    assert content_of(client.get(url)) == before
    assert Part.objects.get(number="5401-110A").demand == demand


def test_the_part_list_export_imports_back_unchanged(login, engineer, alices_customer):
    from imports.models import ImportRun
    from imports.tasks import check_import
    from tests.imports.helpers import upload

    make_part(alices_customer, number="L-1", demand=make_demand(alices_customer))
    client = login(engineer)
    listed = b"".join(client.get(reverse("products:part-export")).streaming_content)

    client.post(reverse("imports:upload", args=["parts"]), {"file": upload(listed, "parts.xlsx")})
    run = ImportRun.objects.get()
    check_import.call(run.pk)

    run.refresh_from_db()
    assert run.errors == []
    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 0, 1)


@pytest.mark.parametrize(
    "user, allowed", [("engineer", {"parts"}), ("alice", {"demands"}), ("viewer", set())]
)
def test_engineers_import_parts_and_sales_users_demands(login, request, user, allowed):
    client = login(request.getfixturevalue(user))

    for module in ("demands", "parts"):
        status = client.get(reverse("imports:upload", args=[module])).status_code
        assert status == (200 if module in allowed else 403), module
    home = client.get(reverse("home")).content.decode()
    assert ('id="nav-imports"' in home) == bool(allowed)


def test_the_template_example_row_imports_as_it_is(login, admin_user):
    customer = make_customer(code="C0101", name="示例汽车零部件有限公司")
    make_demand(customer, code="C0101-01")
    template = b"".join(login(admin_user).get(reverse("imports:template", args=["parts"])).streaming_content)

    result = run(admin_user, template, name="template.xlsx", module="parts")

    assert messages(result) == []
    part = Part.objects.get(number="5401-110A")
    assert (part.customer, part.demand.code, part.usage_location.name) == (customer, "C0101-01", "车门外板")
