"""Workbooks saved by LibreOffice: what works keeps working (formulas as their values, date cells),
and what is ambiguous (decimal commas, error cells, small numbers as dates, filtered-out rows, a
hidden sheet beside the visible one) is refused or said, never guessed."""

import datetime

import pytest

from customers.models import Customer
from tests.imports.helpers import check, messages
from tests.imports.office import Date, Formula, Sheet, saved_by_libreoffice

PHONE = "0531-88888888"
HEADERS = ["客户代码", "客户名称", "客户类别", "年需求量(t)", "建立合作日期", "地址", "电话"]


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    """Both workbooks in one LibreOffice run (its start-up is most of the time)."""
    name = Formula('of:=CONCATENATE("庚";"有限公司")')
    office = Sheet(
        "客户",
        [
            HEADERS,
            ["C1", "甲有限公司", "AUTO", "0,8"],
            ["C2", "乙有限公司", "AUTO", "8，3"],
            ["C3", "丙有限公司", "AUTO", Formula("of:=1/0")],
            ["C4", "丁有限公司", "AUTO", None, 12],
            ["C5", "戊有限公司", "AUTO", None, None, Formula("of:=NA()")],
            ["C6", "己有限公司", "AUTO"],
            ["C7", name, "AUTO", 1250.5, Date("2023-05-06"), None, PHONE],
        ],
        filtered_rows=(7,),
        filter=(0, "C6"),
        hidden_columns=(6,),
    )
    old = Sheet("旧客户", [HEADERS, ["C0", "旧有限公司", "AUTO"]], hidden=True)
    visible = Sheet("Sheet1", [HEADERS, ["C8", "新数据有限公司", "AUTO"]])
    hidden_named = Sheet("客户", [HEADERS, ["C9", "旧数据有限公司", "AUTO"]], hidden=True)
    return saved_by_libreoffice(
        tmp_path_factory.mktemp("office"), {"office": [office, old], "two": [visible, hidden_named]}
    )


def test_what_libreoffice_saves_is_read_and_every_ambiguous_value_refused(admin_user, workbooks):
    _importer, result = check(admin_user, workbooks["office"])

    found = [(row, column, message) for _sheet, row, column, message in messages(result)]
    assert [(row, column) for row, column, _m in found] == [
        (2, "年需求量(t)"),
        (3, "年需求量(t)"),
        (4, "年需求量(t)"),
        (5, "建立合作日期"),
        (6, "地址"),
        (7, ""),
    ]
    assert found[0][2].startswith("“0,8”中的逗号或空格不是千位分隔符")
    assert found[1][2].startswith("“8，3”中的逗号或空格不是千位分隔符")
    assert found[2][2].startswith("单元格显示的是电子表格的错误值“#DIV/0!”")
    assert found[3][2].startswith("“12”不是日期：当作 Excel 日期序号它是 1900-01-12")
    assert found[4][2].startswith("单元格显示的是电子表格的错误值“#N/A”")
    assert found[5][2].startswith("这一行被筛选隐藏了")
    (sheet,) = result.sheets
    good = sheet.rows[-1]
    assert (good.number, good.status) == (8, "new")
    assert good.instance.name == "庚有限公司"  # a formula, as its value
    assert good.instance.annual_demand == 1250.5
    assert good.instance.relationship_start == datetime.date(2023, 5, 6)
    assert good.instance.phone == PHONE  # from the hidden column, and said below
    assert sheet.notes == ["G 列“电话”在文件中是隐藏的，它的值也会导入。"]
    assert result.notes == ["隐藏的工作表“旧客户”没有导入。"]
    assert not Customer.objects.exists()


def test_a_hidden_sheet_named_for_the_data_beside_the_visible_one_is_refused(admin_user, workbooks):
    _importer, result = check(admin_user, workbooks["two"])

    ((_sheet, _row, _column, message),) = messages(result)
    assert message.startswith("工作表“Sheet1”和“客户”（隐藏）都是“客户”数据，无法确定导入哪一张：")
