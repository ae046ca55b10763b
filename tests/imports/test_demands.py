"""Importing demands with their composition and property rows: preview, errors, scope, all or nothing."""

from decimal import Decimal

import pytest

from archive_site.models import DictKind
from customers.models import Demand, DemandElement, DemandProperty
from tests.factories import make_customer, make_demand
from tests.imports.helpers import check, messages, run, xlsx

DEMAND_HEADERS = [
    "需求编号",
    "客户代码",
    "需求名称",
    "生产牌号",
    "表面质量",
    "厚度(mm)",
    "宽度(mm)",
    "Ra下限(μm)",
]
ELEMENT_HEADERS = ["需求编号", "化学元素", "下限(%)", "上限(%)"]
PROPERTY_HEADERS = ["需求编号", "力学性能项目", "下限", "上限", "单位"]


def import_demands(user, sheets):
    return run(user, xlsx(sheets), name="需求.xlsx", module="demands")


def check_demands(user, sheets):
    return check(user, xlsx(sheets), name="需求.xlsx", module="demands")[1]


def counts(result):
    return {
        s.title: {k: v for k, v in ((st, s.count(st)) for st in ("new", "update", "unchanged", "error")) if v}
        for s in result.sheets
    }


def test_demands_with_their_rows_are_created_from_one_file(alice, alices_customer):
    result = import_demands(
        alice,
        {
            "客户需求": [
                DEMAND_HEADERS,
                ["XQ-H-01", "C0005", "冰箱侧板用 DC01", "DC01", "FB", "0.5", 1020, 0.6],
                ["XQ-H-02", "青岛海尔股份有限公司", "洗衣机面板用 DC04", "dc04", "FD", 0.6, 1250, None],
            ],
            "化学成分": [ELEMENT_HEADERS, ["XQ-H-01", "C", None, 0.08], ["XQ-H-01", "Mn 锰", 0.1, 0.5]],
            "力学性能": [PROPERTY_HEADERS, ["XQ-H-02", "Rm", 270, 350, "MPa"]],
        },
    )

    assert messages(result) == []
    assert result.counts() == {"new": 5, "update": 0, "unchanged": 0, "error": 0}
    fridge = Demand.objects.get(code="XQ-H-01")
    assert (fridge.customer, fridge.name, fridge.production_grade.code) == (
        alices_customer,
        "冰箱侧板用 DC01",
        "DC01",
    )
    assert (fridge.thickness, fridge.ra_min, fridge.created_by) == (Decimal("0.5"), Decimal("0.6"), alice)
    assert sorted(fridge.elements.values_list("element__code", "min_pct", "max_pct")) == [
        ("C", None, Decimal("0.08")),
        ("Mn", Decimal("0.1"), Decimal("0.5")),
    ]
    washer = Demand.objects.get(code="XQ-H-02")
    assert washer.customer == alices_customer  # found by its exact name
    assert list(washer.properties.values_list("property__code", "min_value", "unit")) == [("Rm", 270, "MPa")]


def test_preview_marks_rows_new_update_unchanged_and_error(alice, alices_customer):
    make_demand(
        alices_customer, code="XQ-P-01", name="不变的需求", thickness=Decimal("0.8"), width=Decimal("1250")
    )
    changed = make_demand(
        alices_customer,
        code="XQ-P-02",
        name="要改的需求",
        thickness=Decimal("0.8"),
        width=Decimal("1250"),
        elements=[("C", None, Decimal("0.01"))],
    )
    content = {
        "客户需求": [
            ["需求编号", "客户代码", "需求名称", "厚度(mm)", "宽度(mm)"],
            ["XQ-P-01", "C0005", "不变的需求", 0.8, 1250],
            ["XQ-P-02", "C0005", "要改的需求", 0.7, 1250],
            ["XQ-P-03", "C0005", "新需求", 1.0, 1500],
            ["XQ-P-04", "C0005", "坏需求", "薄", 1500],
        ],
        "化学成分": [ELEMENT_HEADERS, ["XQ-P-02", "C", None, 0.01], ["XQ-P-02", "Si", None, 0.03]],
    }

    result = check_demands(alice, content)

    demands, elements = result.sheets
    assert [r.status for r in demands.rows] == ["unchanged", "update", "new", "error"]
    assert demands.rows[1].changes == [("厚度(mm)", "0.800", "0.7")]
    assert [r.status for r in elements.rows] == ["unchanged", "new"]
    assert messages(result) == [("客户需求", 5, "厚度(mm)", "“薄”不是有效的数字。")]
    changed.refresh_from_db()
    assert changed.thickness == Decimal("0.8")  # checked, not written
    assert not Demand.objects.filter(code="XQ-P-03").exists()


def test_a_blank_code_creates_a_numbered_demand(admin_user, alices_customer):
    result = import_demands(
        admin_user,
        {"客户需求": [["客户代码", "需求名称", "厚度(mm)", "宽度(mm)"], ["C0005", "无编号需求", 1.2, 1000]]},
    )

    assert messages(result) == []
    demand = Demand.objects.get(name="无编号需求")
    assert demand.code.startswith("XQ") and demand.code[2:].isdigit()


def test_errors_name_row_column_in_chinese_and_nothing_is_written(alice, alices_customer, bobs_customer):
    content = {
        "客户需求": [
            DEMAND_HEADERS,
            ["XQ-E-01", "C0005", "好的需求", "DC04", "FD", 0.8, 1250, None],
            ["XQ-E-02", "C0005", "牌号不对", "Q235不存在", "FD", 0.8, 1250, None],
            ["XQ-E-03", "不存在的客户", "客户不对", "DC04", "FD", 0.8, 1250, None],
            ["XQ-E-04", bobs_customer.code, "别人的客户", "DC04", "FD", 0.8, 1250, None],
            ["XQ-E-05", "C0005", "厚度为零", "DC04", "FD", 0, 1250, None],
            ["XQ-E-01", "C0005", "重复编号", "DC04", "FD", 0.8, 1250, None],
        ],
        "化学成分": [
            ELEMENT_HEADERS,
            ["XQ-E-01", "C", None, 0.01],
            ["XQ-NONE", "Si", None, 0.03],
            ["XQ-E-01", "钻石", None, 0.03],
            ["XQ-E-01", "Mn", 0.5, 0.2],
            ["XQ-E-01", "P", None, 120],
        ],
        "力学性能": [PROPERTY_HEADERS, ["XQ-E-01", "Rm", None, None, "MPa"]],
    }
    before = (Demand.objects.count(), DemandElement.objects.count(), DemandProperty.objects.count())

    result = import_demands(alice, content)

    not_found = "找不到客户“%s”：请填写客户代码或完整的客户名称（或该客户不在您的客户范围内）。"
    assert messages(result) == [
        ("客户需求", 3, "生产牌号", "“Q235不存在”不是“生产牌号”中的代码或名称（请在基础数据中查看可选值）。"),
        ("客户需求", 4, "客户代码", not_found % "不存在的客户"),
        ("客户需求", 5, "客户代码", not_found % bobs_customer.code),
        ("客户需求", 6, "厚度(mm)", "厚度必须大于 0。"),
        ("客户需求", 7, "需求编号", "与第 2 行重复（XQ-E-01）。"),
        ("化学成分", 3, "需求编号", "找不到需求编号“XQ-NONE”（或该需求的客户不在您的客户范围内）。"),
        ("化学成分", 4, "化学元素", "“钻石”不是“化学元素”中的代码或名称（请在基础数据中查看可选值）。"),
        ("化学成分", 5, "上限(%)", "成分下限 %不能大于上限 %。"),
        ("化学成分", 6, "上限(%)", "百分比应在 0 到 100 之间。"),
        ("力学性能", 2, "上限", "请至少填写下限或上限。"),
    ]
    after = (Demand.objects.count(), DemandElement.objects.count(), DemandProperty.objects.count())
    assert after == before


def test_a_sales_user_cannot_change_a_demand_of_a_customer_outside_her_scope(
    alice, alices_customer, bobs_customer
):
    bobs = make_demand(bobs_customer, code="XQ-B-01", name="鲍勃的需求")
    content = {
        "客户需求": [
            ["需求编号", "客户代码", "需求名称", "厚度(mm)", "宽度(mm)"],
            ["XQ-B-01", "C0005", "抢过来", 1, 1000],
        ],
        "化学成分": [ELEMENT_HEADERS, ["XQ-B-01", "C", None, 0.01]],
    }

    result = import_demands(alice, content)

    assert messages(result) == [
        ("客户需求", 2, "", "需求编号“XQ-B-01”已被一个不在您客户范围内的客户的需求使用，您不能修改它。"),
        ("化学成分", 2, "需求编号", "找不到需求编号“XQ-B-01”（或该需求的客户不在您的客户范围内）。"),
    ]
    bobs.refresh_from_db()
    assert (bobs.customer, bobs.name) == (bobs_customer, "鲍勃的需求")
    assert not bobs.elements.exists()


def test_rows_of_an_existing_demand_are_added_and_changed_never_deleted(alice, alices_customer):
    demand = make_demand(
        alices_customer,
        code="XQ-R-01",
        elements=[("C", None, Decimal("0.01")), ("Si", None, Decimal("0.03"))],
        properties=[("Rm", 270, 350, "MPa")],
    )
    content = {
        "Composition": [
            ["Demand code", "Element", "Min %", "Max %"],
            ["ＸＱ－Ｒ－０１", "c", None, "０．００８"],  # full-width forms
        ],
        "Properties": [
            ["Demand code", "Property", "Min", "Max", "Unit"],
            ["XQ-R-01", "抗拉强度 Rm", 280, 360, "MPa"],
        ],
    }

    result = import_demands(alice, content)

    assert messages(result) == []
    assert result.counts() == {"new": 0, "update": 2, "unchanged": 0, "error": 0}
    assert sorted(demand.elements.values_list("element__code", "max_pct")) == [
        ("C", Decimal("0.008")),
        ("Si", Decimal("0.03")),
    ]
    assert list(demand.properties.values_list("min_value", "max_value")) == [(280, 360)]


def test_a_sheet_of_demands_without_its_key_and_name_columns_is_not_recognised(admin_user, alices_customer):
    result = import_demands(admin_user, {"Sheet1": [["厚度(mm)", "宽度(mm)"], [1, 1000]]})

    ((_sheet, row, _column, message),) = messages(result)
    assert row is None and "需求编号" in message


def test_an_engineer_may_not_import_demands(engineer, alices_customer):
    result = import_demands(
        engineer, {"客户需求": [DEMAND_HEADERS, ["XQ-X-01", "C0005", "x", "", "", 1, 1000, None]]}
    )

    assert messages(result) == [("客户需求", None, "", "您没有导入“客户需求”的权限。")]
    assert not Demand.objects.filter(code="XQ-X-01").exists()


def test_codes_brought_by_an_import_are_skipped_by_the_automatic_numbering(admin_user, alices_customer):
    next_code = make_demand(alices_customer).code
    number = int(next_code[2:])
    taken = [f"XQ{number + 1}", f"XQ{number + 2}"]
    rows = [["需求编号", "客户代码", "需求名称", "厚度(mm)", "宽度(mm)"]]
    rows += [[code, "C0005", code, 1, 1000] for code in taken]
    assert messages(import_demands(admin_user, {"客户需求": rows})) == []

    assert make_demand(alices_customer).code == f"XQ{number + 3}"


@pytest.mark.parametrize("user", ["alice", "viewer"])
def test_the_export_holds_only_demands_of_customers_the_user_sees(login, request, user, alices_customer):
    from django.urls import reverse

    from tests.imports.test_roundtrip import content_of

    bobs_customer = make_customer(code="C0900", name="鲍勃客户", sales_owner=request.getfixturevalue("bob"))
    make_demand(alices_customer, code="XQ-A-01", elements=[("C", None, Decimal("0.01"))])
    make_demand(bobs_customer, code="XQ-B-01", elements=[("C", None, Decimal("0.01"))])

    sheets = content_of(login(request.getfixturevalue(user)).get(reverse("imports:export", args=["demands"])))

    # alice sees her own customer's demands; the viewer reads the whole archive.
    visible = ["XQ-A-01"] if user == "alice" else ["XQ-A-01", "XQ-B-01"]
    assert sorted(r[0] for r in sheets["客户需求"][1:]) == visible
    assert sorted(r[0] for r in sheets["化学成分"][1:]) == visible


def test_round_trip_export_import_into_empty_tables_export_again(
    login, admin_user, alices_customer, bobs_customer
):
    from django.urls import reverse

    from tests.factories import entry
    from tests.imports.test_roundtrip import content_of, import_file

    full = make_demand(
        alices_customer,
        code="XQ100001",
        name="冰箱侧板用 DC01",
        source=Demand.Source.SURVEY,
        delivery_grade=entry(DictKind.DELIVERY_GRADE, "DC01"),
        standard="GB/T 5213-2019",
        thickness=Decimal("0.5"),
        thickness_tol_minus=Decimal("0.03"),
        thickness_tol_plus=Decimal("0.04"),
        width=Decimal("1020.5"),
        width_tol_plus=Decimal("5"),
        length=Decimal("2000"),
        length_tol_minus=Decimal("0"),
        length_tol_plus=Decimal("10"),
        surface_quality=entry(DictKind.SURFACE_QUALITY, "FB"),
        ra_min=Decimal("0.6"),
        ra_max=Decimal("1.9"),
        oil_type=entry(DictKind.OIL_TYPE, "ANTIRUST"),
        oil_min=Decimal("0.5"),
        oil_max=Decimal("1.5"),
        end_use=entry(DictKind.END_USE, "APPLIANCE"),
        usage_location=entry(DictKind.USAGE_LOCATION, "SIDE"),
        annual_volume=Decimal("3200.5"),
        special_requirements="=不是公式\n第二行",
        elements=[("C", None, Decimal("0.0025")), ("Mn", Decimal("0.1"), Decimal("0.35"))],
        properties=[("Rm", 270, 350, "MPa"), ("r90", Decimal("1.6"), None, "")],
    )
    make_demand(
        bobs_customer, code="FT-2024-7", name="横梁用", thickness=Decimal("2.5"), width=Decimal("900")
    )
    client = login(admin_user)
    url = reverse("imports:export", args=["demands"]) + "?o=code"
    before = content_of(client.get(url))
    exported = b"".join(client.get(url).streaming_content)
    assert [len(before[t]) for t in ("客户需求", "化学成分", "力学性能")] == [3, 3, 3]  # header, two rows
    DemandElement.objects.all().delete()
    DemandProperty.objects.all().delete()
    Demand.objects.all().delete()

    run = import_file(client, "demands", exported, "需求.xlsx")

    assert (run.created_count, run.updated_count) == (2 + 2 + 2, 0)
    assert content_of(client.get(url)) == before
    again = Demand.objects.get(code=full.code)
    assert again.special_requirements == "=不是公式\n第二行"
    assert again.customer == alices_customer and again.delivery_grade.code == "DC01"


def test_the_demand_list_export_imports_back_unchanged(login, admin_user, alices_customer):
    from django.urls import reverse

    from imports.models import ImportRun
    from imports.tasks import check_import
    from tests.imports.helpers import upload

    make_demand(alices_customer, code="XQ-L-01", surface_quality=entry_fd())
    client = login(admin_user)
    listed = b"".join(client.get(reverse("customers:demand-export")).streaming_content)

    client.post(reverse("imports:upload", args=["demands"]), {"file": upload(listed, "demands.xlsx")})
    run = ImportRun.objects.get()
    check_import.call(run.pk)

    run.refresh_from_db()
    assert run.errors == []
    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 0, 1)


def entry_fd():
    from tests.factories import entry

    return entry(DictKind.SURFACE_QUALITY, "FD")


def test_the_demand_list_and_page_show_the_code_imports_refer_to(login, alice, alices_customer):
    from django.urls import reverse

    demand = make_demand(alices_customer)
    client = login(alice)

    assert f"<td>{demand.code}</td>" in client.get(reverse("customers:demand-list")).content.decode()
    assert (
        f'<dd id="demand-code">{demand.code}</dd>' in client.get(demand.get_absolute_url()).content.decode()
    )


def test_the_template_example_rows_import_as_they_are(login, admin_user):
    from django.urls import reverse

    make_customer(code="C0101", name="示例汽车零部件有限公司")
    client = login(admin_user)
    template = b"".join(client.get(reverse("imports:template", args=["demands"])).streaming_content)

    result = run(admin_user, template, name="template.xlsx", module="demands")

    assert messages(result) == []
    assert [s.title for s in result.sheets] == ["客户需求", "化学成分", "力学性能"]
    demand = Demand.objects.get(code="C0101-01")
    assert demand.elements.count() == 1 and demand.properties.count() == 1
