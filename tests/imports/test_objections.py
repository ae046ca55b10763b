"""Import and export of quality objections: numbers drawn without gaps, per-row errors, round trip."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive_site.models import DictKind
from imports.engine import ImportConflict
from quality.models import Objection, ObjectionCounter, ObjectionTransition
from tests.factories import entry, make_customer, make_objection
from tests.imports.helpers import check, messages, run, xlsx
from tests.imports.test_roundtrip import content_of, import_file, raw

HEADERS = [
    "异议编号",
    "客户代码",
    "受理日期",
    "缺陷类型",
    "严重程度",
    "缺陷描述",
    "异议吨数(t)",
    "索赔金额(元)",
]


def sheet(*rows, headers=HEADERS):
    return xlsx({"质量异议": [headers, *rows]})


def objections(user, content):
    return run(user, content, "异议.xlsx", "objections")


def test_rows_without_a_number_get_the_next_numbers_of_their_year_without_gaps(quality, alices_customer):
    ObjectionCounter.objects.create(year=2025, last=5)
    content = sheet(
        ["", alices_customer.code, "2025-11-03", "划伤", "一般", "门外板划伤", 12.5, 3000],
        ["", alices_customer.name, datetime.date(2026, 1, 5), "SCRATCH", 3, "纵向划伤", "", ""],
        ["", alices_customer.code, 45964, "辊印", "轻微", "周期性辊印", "２０", "1,200.50"],
    )

    result = objections(quality, content)

    assert messages(result) == []
    assert result.counts()["new"] == 3
    numbers = list(Objection.objects.order_by("id").values_list("number", "received_date", "severity"))
    assert numbers == [
        ("ZY-2025-0006", datetime.date(2025, 11, 3), 2),
        ("ZY-2026-0001", datetime.date(2026, 1, 5), 3),
        ("ZY-2025-0007", datetime.date(2025, 11, 3), 1),  # Excel date serial 45964
    ]
    third = Objection.objects.get(number="ZY-2025-0007")
    assert (third.tonnage, third.claim_amount) == (Decimal("20"), Decimal("1200.50"))
    assert third.defect_type.code == "ROLL_MARK" and third.customer == alices_customer
    assert dict(ObjectionCounter.objects.values_list("year", "last")) == {2025: 7, 2026: 1}
    # The form draws the next number after the import's.
    assert make_objection(alices_customer, received_date=datetime.date(2025, 12, 1)).number == "ZY-2025-0008"


def test_numbers_are_drawn_with_one_counter_update_per_year(quality, alices_customer):
    rows = [
        ["", alices_customer.code, f"{2024 + i % 3}-06-01", "划伤", "一般", f"第 {i} 条", 1, 0]
        for i in range(30)
    ]
    importer, result = check(quality, sheet(*rows), "异议.xlsx", "objections")

    with CaptureQueriesContext(connection) as queries:
        importer.apply(result)

    counter_updates = [q for q in queries if ObjectionCounter._meta.db_table in q["sql"]]
    assert len(counter_updates) == 3
    for year in (2024, 2025, 2026):
        numbers = sorted(Objection.objects.filter(received_date__year=year).values_list("number", flat=True))
        assert numbers == [f"ZY-{year}-{n:04d}" for n in range(1, 11)]


def test_given_numbers_update_and_raise_the_counter_past_them(quality, alices_customer):
    existing = make_objection(alices_customer, received_date=datetime.date(2026, 2, 1))  # ZY-2026-0001
    content = sheet(
        [existing.number, alices_customer.code, "2026-02-01", "划伤", "严重", "描述已更正", "", ""],
        ["ZY-2026-0040", alices_customer.code, "2026-02-03", "划伤", "一般", "旧档案中的异议", "", ""],
        ["", alices_customer.code, "2026-02-05", "划伤", "一般", "新异议", "", ""],
    )

    result = objections(quality, content)

    assert messages(result) == []
    assert result.counts() == {"new": 2, "update": 1, "unchanged": 0, "error": 0}
    existing.refresh_from_db()
    assert (existing.description, existing.severity, existing.version) == ("描述已更正", 3, 2)
    assert Objection.objects.filter(description="新异议").get().number == "ZY-2026-0041"
    assert ObjectionCounter.objects.get(year=2026).last == 41


def test_a_failed_apply_draws_no_number(quality, alices_customer):
    existing = make_objection(alices_customer, received_date=datetime.date(2026, 2, 1))
    content = sheet(
        ["", alices_customer.code, "2026-03-01", "划伤", "一般", "新异议", "", ""],
        [existing.number, alices_customer.code, "2026-02-01", "划伤", "严重", "改了", "", ""],
    )
    importer, result = check(quality, content, "异议.xlsx", "objections")
    Objection.objects.filter(pk=existing.pk).update(version=existing.version + 1)

    with pytest.raises(ImportConflict):
        importer.apply(result)

    assert Objection.objects.count() == 1
    assert ObjectionCounter.objects.get(year=2026).last == 1  # the drawn number rolled back with the rows
    assert make_objection(alices_customer, received_date=datetime.date(2026, 3, 2)).number == "ZY-2026-0002"


def test_the_preview_shows_each_row_and_every_error_by_row_and_column(quality, alices_customer):
    existing = make_objection(alices_customer, received_date=datetime.date(2026, 2, 1), tonnage=5)
    content = sheet(
        ["", alices_customer.code, "2026-03-01", "划伤", "一般", "新异议", 3, ""],
        [existing.number, alices_customer.code, "2026-02-01", "划伤", "一般", existing.description, 7, ""],
        ["", "C9999", "2026-03-01", "划伤", "一般", "找不到客户", "", ""],
        ["", alices_customer.code, "明天", "不存在的缺陷", "很严重", "", "-1", "很多"],
        ["ZY-26-1", alices_customer.code, "2026-03-01", "划伤", "一般", "编号不对", "", ""],
        ["ZY-2026-0099", alices_customer.code, "2026-03-01", "划伤", "一般", "重复一", "", ""],
        ["zy-2026-0099", alices_customer.code, "2026-03-01", "划伤", "一般", "重复二", "", ""],
    )
    count = Objection.objects.count()

    importer, result = check(quality, content, "异议.xlsx", "objections")

    (checked,) = result.sheets
    assert [r.status for r in checked.rows] == ["new", "update", "error", "error", "error", "new", "error"]
    assert checked.rows[1].changes == [("异议吨数(t)", "5.000", "7")]
    assert checked.resource.label(checked.rows[0].instance).startswith("（导入时按 2026 年编号）")
    number_form = "“异议编号”应为 ZY-年份-序号 的形式，如 ZY-2026-0001；留空则导入时自动编号。"
    customer_error = "找不到客户“C9999”：请填写客户代码或完整的客户名称（或该客户不在您的客户范围内）。"
    assert messages(result) == [
        ("质量异议", 4, "客户代码", customer_error),
        ("质量异议", 5, "受理日期", "“明天”不是有效的日期，请写成 2024-01-31 的形式。"),
        (
            "质量异议",
            5,
            "缺陷类型",
            "“不存在的缺陷”不是“缺陷类型”中的代码或名称（请在基础数据中查看可选值）。",
        ),
        ("质量异议", 5, "严重程度", "“很严重”不是可选的值，应为：轻微、一般、严重、重大。"),
        ("质量异议", 5, "索赔金额(元)", "“很多”不是有效的数字。"),
        ("质量异议", 5, "异议吨数(t)", "确保该值大于或等于0。"),
        ("质量异议", 5, "缺陷描述", "此字段不能为空。"),
        ("质量异议", 6, "异议编号", number_form),
        ("质量异议", 8, "异议编号", "与第 7 行重复（ZY-2026-0099）。"),
    ]
    assert not result.ok
    assert Objection.objects.count() == count and not ObjectionCounter.objects.filter(last__gt=1).exists()


def test_status_rules_new_closed_rows_need_a_date_and_existing_rows_keep_their_status(
    quality, alices_customer
):
    existing = make_objection(alices_customer, received_date=datetime.date(2026, 2, 1))
    headers = [
        "异议编号",
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
    content = sheet(
        [
            "",
            alices_customer.code,
            "2025-01-02",
            "划伤",
            "旧异议",
            "已关闭",
            "2025-02-01",
            "辊面",
            "换辊",
            "点检",
        ],
        ["", alices_customer.code, "2025-01-02", "划伤", "旧异议", "closed", "", "辊面", "", ""],
        [
            existing.number,
            alices_customer.code,
            "2026-02-01",
            "划伤",
            existing.description,
            "已关闭",
            "2026-03-01",
        ]
        + ["a", "b", "c"],
        headers=headers,
    )

    result = objections(quality, content)

    assert messages(result) == [
        ("质量异议", 3, "关闭日期", "已关闭的异议必须填写关闭日期。"),
        ("质量异议", 3, "状态", "关闭前必须填写：解决措施、预防措施。"),
        ("质量异议", 4, "状态", "导入不能改变已有异议的状态或关闭日期，请在异议页面上变更状态。"),
    ]
    assert Objection.objects.count() == 1


def test_a_scoped_user_cannot_import_objections_of_customers_outside_her_scope(alice, bobs_customer):
    alice.user_permissions.add(*_perms("add_objection", "change_objection"))
    theirs = make_objection(bobs_customer, received_date=datetime.date(2026, 2, 1))
    content = sheet(
        [theirs.number, bobs_customer.code, "2026-02-01", "划伤", "一般", "改别人的", "", ""],
        ["", bobs_customer.code, "2026-02-01", "划伤", "一般", "给别人登记", "", ""],
    )

    result = objections(alice, content)

    assert [(r, c) for _s, r, c, _m in messages(result)] == [(2, "客户代码"), (2, ""), (3, "客户代码")]
    assert "不在您客户范围内" in messages(result)[1][3]
    theirs.refresh_from_db()
    assert theirs.description != "改别人的"


def test_viewer_may_neither_import_nor_export_objections(login, viewer):
    client = login(viewer)
    assert client.get(reverse("imports:upload", args=["objections"])).status_code == 403
    assert client.get(reverse("imports:export", args=["objections"])).status_code == 403


def test_the_export_follows_the_list_filters(login, quality, alices_customer, bobs_customer):
    make_objection(alices_customer, defect="SCRATCH", received_date=datetime.date(2026, 1, 1))
    make_objection(bobs_customer, defect="ROLL_MARK", received_date=datetime.date(2026, 1, 2))

    sheets = content_of(
        login(quality).get(
            reverse("imports:export", args=["objections"])
            + "?defect_type="
            + str(entry(DictKind.DEFECT_TYPE, "ROLL_MARK").pk)
        )
    )

    assert [row[2] for row in sheets["质量异议"][1:]] == [bobs_customer.code]


def test_export_import_into_empty_tables_export_again(login, admin_user, quality, alices_customer):
    other = make_customer(code="C0700", name="另一家客户")
    make_objection(
        alices_customer,
        received_date=datetime.date(2025, 12, 30),
        kind=Objection.Kind.COMPLAINT,
        coil_numbers=["25C00012", "25C00013"],
        production_grade=entry(DictKind.PRODUCTION_GRADE, "DC04"),
        thickness=Decimal("0.8"),
        width=Decimal("1250.5"),
        tonnage=Decimal("24.125"),
        severity=4,
        description="=SUM(A1) 不是公式\n第二行",
        containment="封锁 2 卷",
        blocked_location="成品库",
        blocked_coil_count=2,
        blocked_tonnage=Decimal("48.2"),
        cause="辊面缺陷",
        responsible_line=entry(DictKind.PRODUCTION_LINE, "PLTCM"),
        claim_amount=Decimal("12000.50"),
        handler=quality,
    )
    closing = make_objection(
        other, received_date=datetime.date(2026, 1, 3), cause="a", solution="b", preventive="c"
    )
    closing.transition("investigating", by=quality)
    closing.transition("measures_taken", by=quality)
    closing.close(by=quality, closed_date=datetime.date(2026, 2, 1))
    client = login(admin_user)
    before = content_of(client.get(reverse("imports:export", args=["objections"])))
    exported = raw(client, "imports:export", "objections")
    listed = raw(client, "quality:objection-export")
    ObjectionTransition.objects.all().delete()
    Objection.objects.all().delete()
    assert before["质量异议"][1][0] == "ZY-2026-0001"

    run_ = import_file(client, "objections", exported, "异议.xlsx")

    assert (run_.created_count, run_.updated_count) == (2, 0)
    assert content_of(client.get(reverse("imports:export", args=["objections"]))) == before
    # The list page's export is a file the import reads too: nothing to change.
    _importer, result = check(admin_user, listed, "objections.xlsx", "objections")
    assert messages(result) == [] and result.counts()["unchanged"] == 2


def _perms(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="quality", codename__in=codenames)
