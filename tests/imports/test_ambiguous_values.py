"""An import never guesses: a value that could mean two things is refused with its row, column and
what was read, and what staff would not see in the file (hidden sheets, rows, columns) is never
imported in silence."""

import datetime
from decimal import Decimal

import pytest

from customers.models import Customer
from tests.factories import make_customer
from tests.imports.helpers import CUSTOMER_HEADERS, check, messages, run, xlsx

HEADERS = ["客户代码", "客户名称", "客户类别", "年需求量(t)", "建立合作日期", "地址"]


def customers(*rows, **options):
    return xlsx({"客户": [HEADERS, *rows]}, **options)


def test_a_decimal_comma_is_refused_never_read_as_a_thousands_separator(admin_user):
    content = customers(
        ["C1", "甲有限公司", "AUTO", "0,8"],
        ["C2", "乙有限公司", "AUTO", "8，3"],
        ["C3", "丙有限公司", "AUTO", "0,800"],
        ["C4", "丁有限公司", "AUTO", "1,250"],
        ["C5", "戊有限公司", "AUTO", "12 500.5"],
    )

    result = run(admin_user, content)

    assert [(row, column, message.split("中")[0]) for _sheet, row, column, message in messages(result)] == [
        (2, "年需求量(t)", "“0,8”"),
        (3, "年需求量(t)", "“8，3”"),
        (4, "年需求量(t)", "“0,800”"),
    ]
    assert "中的逗号或空格不是千位分隔符，可能是小数点：小数请用小数点（例如 0.8）" in messages(result)[0][3]
    assert not Customer.objects.exists()  # all or nothing
    _importer, result = check(admin_user, customers(["C4", "丁有限公司", "AUTO", "1,250"]))
    assert result.sheets[0].rows[0].instance.annual_demand == 1250  # thousands, grouped by three


def test_a_decimal_comma_in_a_demands_thickness_is_refused(admin_user, alices_customer):
    headers = ["客户代码", "需求名称", "厚度(mm)", "宽度(mm)"]
    content = xlsx({"客户需求": [headers, ["C0005", "门板", "0,8", 1250]]})

    _importer, result = check(admin_user, content, name="需求.xlsx", module="demands")

    ((_sheet, row, column, message),) = messages(result)
    assert (row, column) == (2, "厚度(mm)") and message.startswith("“0,8”中的逗号")


def test_a_csv_with_decimal_commas_is_refused(admin_user):
    text = '客户代码,客户名称,客户类别,年需求量(t)\r\nC1,甲有限公司,AUTO,"0,8"\r\n'
    text += 'C2,乙有限公司,AUTO,"1,250"\r\n'

    result = run(admin_user, text.encode(), "客户.csv")

    assert [(row, column) for _sheet, row, column, _m in messages(result)] == [(2, "年需求量(t)")]


def test_spreadsheet_error_values_are_refused_in_any_column(admin_user):
    # openpyxl writes these as error cells (t="e"), as Excel and LibreOffice do for a failed formula.
    content = customers(
        ["C1", "甲有限公司", "AUTO", "#DIV/0!", None, "#N/A"],
        ["#REF!", "乙有限公司", "AUTO"],
        ["C3", "丙有限公司", "AUTO", None, "#VALUE!"],
    )

    result = run(admin_user, content)

    assert [(row, column, message[:24]) for _sheet, row, column, message in messages(result)] == [
        (2, "年需求量(t)", "单元格显示的是电子表格的错误值“#DIV/0!”"),
        (2, "地址", "单元格显示的是电子表格的错误值“#N/A”（公式"),
        (3, "客户代码", "单元格显示的是电子表格的错误值“#REF!”（公"),
        (4, "建立合作日期", "单元格显示的是电子表格的错误值“#VALUE!”"),
    ]
    assert not Customer.objects.exists()


def test_error_values_in_a_csv_are_refused_too(admin_user):
    text = "客户代码,客户名称,客户类别,地址\nC1,甲有限公司,AUTO,#N/A\nC2,乙有限公司,AUTO,Err:502\n"

    result = run(admin_user, text.encode(), "客户.csv")

    assert [(row, column) for _sheet, row, column, _m in messages(result)] == [(2, "地址"), (3, "地址")]


@pytest.mark.parametrize(("value", "became"), [(12, "1900-01-12"), ("2024", "1905-07-16"), (1, "1900-01-01")])
def test_a_small_number_in_a_date_column_is_not_a_day_of_1900(admin_user, value, became):
    result = run(admin_user, customers(["C1", "甲有限公司", "AUTO", None, value]))

    ((_sheet, row, column, message),) = messages(result)
    assert (row, column) == (2, "建立合作日期")
    assert f"“{value}”不是日期：当作 Excel 日期序号它是 {became}" in message


def test_a_date_serial_of_this_century_is_still_a_date(admin_user):
    run(admin_user, customers(["C1", "甲有限公司", "AUTO", None, 45000]))

    assert Customer.objects.get().relationship_start == datetime.date(2023, 3, 15)


def test_a_hidden_sheet_named_for_the_data_beside_a_visible_sheet_of_it_is_refused(admin_user):
    content = xlsx(
        {
            "Sheet1": [HEADERS, ["C1", "新数据有限公司", "AUTO"]],
            "客户": [HEADERS, ["C0", "旧数据有限公司", "AUTO"]],
        },
        hidden=["客户"],
    )

    result = run(admin_user, content)

    assert messages(result)[0] == (
        "Sheet1",
        None,
        "",
        "工作表“Sheet1”和“客户”（隐藏）都是“客户”数据，无法确定导入哪一张："
        "请删除不要导入的那张工作表，或把数据合并到一张表后再上传。",
    )
    assert not Customer.objects.exists()


def test_two_visible_sheets_of_the_same_data_are_refused(admin_user):
    content = xlsx(
        {"Sheet1": [HEADERS, ["C1", "甲有限公司", "AUTO"]], "Sheet2": [HEADERS, ["C2", "乙公司", "AUTO"]]}
    )

    result = run(admin_user, content)

    ((_sheet, _row, _column, message),) = messages(result)
    assert message.startswith("工作表“Sheet2”和“Sheet1”都是“客户”数据，无法确定导入哪一张")


def hide_rows(*numbers, filtered=False):
    def edit(workbook):
        sheet = workbook["客户"]
        for number in numbers:
            sheet.row_dimensions[number].hidden = True
        if filtered:
            sheet.auto_filter.ref = f"A1:F{sheet.max_row}"
            sheet.auto_filter.add_filter_column(0, ["C1", "C0001"])

    return edit


@pytest.mark.parametrize("filtered", [False, True])
def test_hidden_and_filtered_out_rows_that_would_change_records_are_refused(admin_user, filtered):
    make_customer(code="C0001", name="不变有限公司")
    content = customers(
        ["C1", "甲有限公司", "AUTO"],
        ["C2", "乙有限公司", "AUTO"],
        ["C0001", "不变有限公司", "AUTO"],
        ["C3", "丙有限公司", "AUTO"],
        edit=hide_rows(3, 4, 5, filtered=filtered),
    )

    result = run(admin_user, content)

    # Row 4 is hidden too, but changes nothing: it does not matter whether it was meant.
    assert [(row, column) for _sheet, row, column, _m in messages(result)] == [(3, ""), (5, "")]
    message = messages(result)[0][3]
    assert message.startswith("这一行被筛选隐藏了" if filtered else "这一行在文件中是隐藏的")
    assert Customer.objects.count() == 1


def test_a_hidden_column_and_a_hidden_sheet_left_out_are_said_before_confirming(admin_user):
    def hide_column(workbook):
        workbook["客户"].column_dimensions["F"].hidden = True

    content = xlsx(
        {
            "客户": [HEADERS, ["C1", "甲有限公司", "AUTO", None, None, "济南市"]],
            "旧客户": [CUSTOMER_HEADERS, ["C0", "旧有限公司", "AUTO"]],
        },
        hidden=["旧客户"],
        edit=hide_column,
    )

    _importer, result = check(admin_user, content)

    assert messages(result) == []
    assert result.notes == ["隐藏的工作表“旧客户”没有导入。"]
    assert result.sheets[0].notes == ["F 列“地址”在文件中是隐藏的，它的值也会导入。"]


def test_a_hidden_sheet_imported_by_its_name_is_said(admin_user):
    content = xlsx({"封面": [["客户资料"]], "客户": [HEADERS, ["C1", "甲有限公司", "AUTO"]]}, hidden=["客户"])

    _importer, result = check(admin_user, content)

    assert messages(result) == []
    assert result.sheets[0].notes == ["这张工作表在文件中是隐藏的，按它的名称导入。"]


def test_numbers_as_people_write_them_still_read(admin_user):
    content = customers(
        ["C1", "甲有限公司", "AUTO", " ３５０．５ "],
        ["C2", "乙有限公司", "AUTO", "12,345,678.5"],
        ["C3", "丙有限公司", "AUTO", 0.8],
    )

    run(admin_user, content)

    assert dict(Customer.objects.values_list("code", "annual_demand")) == {
        "C1": Decimal("350.5"),
        "C2": Decimal("12345678.5"),
        "C3": Decimal("0.8"),
    }
