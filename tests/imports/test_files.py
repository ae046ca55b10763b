"""Hostile and messy files: refused with a clear message before parsing, or read as a person would."""

import datetime
import io
import zipfile

import openpyxl.xml
import pytest
from django.test import override_settings

from customers.models import Customer
from imports import files
from tests.imports.helpers import CUSTOMER_HEADERS, messages, rezip, run, xlsx

SIMPLE = xlsx({"客户": [CUSTOMER_HEADERS, ["C6001", "潍坊机械有限公司", "AUTO", "合作中", "", ""]]})


def refused(content, name="客户.xlsx"):
    with pytest.raises(files.FileRefused) as e:
        files.inspect(io.BytesIO(content), name)
    return e.value.message


def test_openpyxl_parses_xml_through_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_xml_entities_are_refused():
    sheet = zipfile.ZipFile(io.BytesIO(SIMPLE)).read("xl/worksheets/sheet1.xml").decode()
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        + sheet[sheet.index("<worksheet") :].replace("潍坊", "&b;")
    )
    content = rezip(SIMPLE, replace={"xl/worksheets/sheet1.xml": bomb.encode()})
    with pytest.raises(files.FileRefused, match="不安全的 XML"):
        files.read(io.BytesIO(content), "客户.xlsx")


def test_macros_are_refused():
    assert "含有宏" in refused(rezip(SIMPLE, add={"xl/vbaProject.bin": b"\x00" * 100}))
    assert "含宏的工作簿（.xlsm）" in refused(SIMPLE, "客户.xlsm")


def test_macro_enabled_content_type_is_refused():
    types = zipfile.ZipFile(io.BytesIO(SIMPLE)).read("[Content_Types].xml")
    types = types.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
    assert "含有宏" in refused(rezip(SIMPLE, replace={"[Content_Types].xml": types}))


def test_external_links_are_refused():
    content = rezip(SIMPLE, add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"})
    assert "外部链接" in refused(content)


def test_an_old_xls_or_encrypted_workbook_is_refused_with_advice():
    assert "另存为 .xlsx" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)


def test_a_word_file_renamed_to_xlsx_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    assert "不是 Excel 工作簿" in refused(out.getvalue())


def test_zero_bytes_and_not_a_spreadsheet_are_refused():
    assert "0 字节" in refused(b"")
    assert "不是有效的 Excel 工作簿" in refused(b"just some text")
    assert "不是文本格式的 CSV" in refused(b"\x89PNG\r\n\x1a\n\x00\x00", "客户.csv")


@override_settings(IMPORT_MAX_UNCOMPRESSED_BYTES=1_000_000)
def test_a_zip_bomb_is_refused_from_the_central_directory():
    content = rezip(SIMPLE, add={"xl/media/padding.bin": b"\x00" * 2_000_000})
    assert len(content) < 100_000  # small on the wire
    assert "解压后有 1.9 MB，超过上限 976.6 KB" in refused(content).replace("\xa0", " ")


@override_settings(IMPORT_MAX_ROWS=100)
def test_rows_are_counted_in_the_raw_sheet_not_taken_from_its_dimension_claim(db):
    many = xlsx(
        {"客户": [CUSTOMER_HEADERS] + [[f"C{i}", f"公司{i}", "AUTO", "", "", ""] for i in range(150)]}
    )
    sheet = zipfile.ZipFile(io.BytesIO(many)).read("xl/worksheets/sheet1.xml")
    lying = sheet.replace(b'<dimension ref="A1:F151" />', b'<dimension ref="A1:B2" />')
    assert lying != sheet
    content = rezip(many, replace={"xl/worksheets/sheet1.xml": lying})

    assert "工作表“客户”超过 100 行" in refused(content)
    assert Customer.objects.filter(code__startswith="C1").count() == 0


@override_settings(IMPORT_MAX_ROWS=100)
@pytest.mark.parametrize("prefix", [b"", b"x:"])
def test_the_row_limit_counts_the_row_elements_and_nothing_named_like_them(db, prefix):
    """100 rows are within the limit, 101 are not, with or without a namespace prefix on the
    elements; a page-break element whose name starts like a row's is not a row."""

    def sheet_of(rows):
        book = xlsx({"客户": [CUSTOMER_HEADERS] + [[f"C{i}", f"公司{i}", "AUTO"] for i in range(rows - 1)]})
        xml = zipfile.ZipFile(io.BytesIO(book)).read("xl/worksheets/sheet1.xml")
        xml = xml.replace(b"</sheetData>", b'</sheetData><rowBreaks count="1"><brk id="5"/></rowBreaks>')
        if prefix:
            xml = xml.replace(b"<row ", b"<x:row ").replace(b"</row>", b"</x:row>")
            xml = xml.replace(
                b"<worksheet ",
                b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ',
            )
        assert xml.count(b"<" + prefix + b"row ") == rows
        return rezip(book, replace={"xl/worksheets/sheet1.xml": xml})

    assert files.inspect(io.BytesIO(sheet_of(100)), "客户.xlsx") == "xlsx"
    assert "工作表“客户”超过 100 行" in refused(sheet_of(101))


@override_settings(IMPORT_MAX_ROWS=100)
def test_a_dimension_claiming_few_rows_does_not_hide_the_others():
    rows = [CUSTOMER_HEADERS] + [[f"D{i:03}", f"公司{i}", "AUTO", "", "", ""] for i in range(60)]
    many = xlsx({"客户": rows})
    sheet = zipfile.ZipFile(io.BytesIO(many)).read("xl/worksheets/sheet1.xml")
    content = rezip(many, replace={"xl/worksheets/sheet1.xml": sheet.replace(b"A1:F61", b"A1:B2")})

    (read,) = files.read(io.BytesIO(content), "客户.xlsx")

    assert len(read.rows) == 61


@override_settings(IMPORT_MAX_ROWS=100)
def test_a_long_csv_is_refused():
    content = ("客户代码,客户名称\n" + "".join(f"C{i},公司{i}\n" for i in range(200))).encode()
    assert "CSV 文件超过 100 行" in refused(content, "客户.csv")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk(admin_user, encoding):
    text = "客户代码,客户名称,客户类别\r\nC6101,淄博钢结构有限公司,专用板客户\r\n"

    result = run(admin_user, text.encode(encoding), "客户.csv")

    assert messages(result) == []
    assert Customer.objects.get(code="C6101").name == "淄博钢结构有限公司"


def test_messy_sheet_is_read_as_a_person_reads_it(admin_user):
    """Title rows above a merged two-row header, full-width forms, numbers as text,
    date serials, trailing empty rows and columns, a hidden sheet, unknown columns."""
    content = xlsx(
        {
            "说明": [["这是一张隐藏的说明表"], ["客户代码", "客户名称"], ["X1", "不应导入"]],
            "Sheet1": [
                ["2024 年客户清单", None, None, None, None, None, None],
                [],
                ["客户代码", "客户 名称", "类别", "联系方式", None, "建立合作日期", "内部编号"],
                [None, None, None, "电话", "网址", None, None],
                [
                    "ｃ７００１",
                    "  临沂板材有限公司 ",
                    "汽车板客户",
                    "０５３９－１２３４５６７",
                    "www.linyi.example",
                    45000,
                    "X-1",
                ],
                ["C7002", "日照家电有限公司", "appliance", "0633-7654321", None, "2023/5/6", None],
                ["C7003", "泰安专用车有限公司", "SPECIAL", None, None, "20230101", None, None, None],
                [None, None, None, None, None, None, None],
                ["", "  ", None],
            ],
        },
        hidden=["说明"],
        merged={"Sheet1": ["A1:G1", "A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:F4", "G3:G4"]},
    )

    result = run(admin_user, content)

    assert messages(result) == []
    (sheet,) = result.sheets
    assert sheet.header_row == 4
    assert sheet.ignored == ["G：内部编号"]
    first = Customer.objects.get(code="c7001")
    assert first.name == "临沂板材有限公司"
    assert first.phone == "0539-1234567"
    assert first.website == "https://www.linyi.example"
    assert first.relationship_start == datetime.date(2023, 3, 15)  # serial 45000
    assert Customer.objects.get(code="C7002").relationship_start == datetime.date(2023, 5, 6)
    assert Customer.objects.get(code="C7003").category.code == "SPECIAL"
    assert not Customer.objects.filter(code="X1").exists()


def test_a_hidden_sheet_is_read_when_it_is_named_for_the_data(admin_user):
    content = xlsx(
        {
            "封面": [["客户资料"]],
            "客户": [["客户代码", "客户名称", "客户类别"], ["C7101", "德州有限公司", "OTHER"]],
        },
        hidden=["客户"],
    )

    result = run(admin_user, content)

    assert messages(result) == []
    assert Customer.objects.filter(code="C7101").exists()


def test_merged_cells_carry_the_customer_code_to_each_contact_row(admin_user):
    content = xlsx(
        {
            "客户": [["客户代码", "客户名称", "客户类别"], ["C7201", "聊城有限公司", "AUTO"]],
            "联系人": [
                ["客户代码", "姓名", "手机"],
                ["C7201", "甲", "13800000001"],
                [None, "乙", "13800000002"],
            ],
        },
        merged={"联系人": ["A2:A3"]},
    )

    result = run(admin_user, content)

    assert messages(result) == []
    assert sorted(Customer.objects.get(code="C7201").contacts.values_list("name", flat=True)) == ["乙", "甲"]


def test_a_file_without_known_headers_is_refused_whole(admin_user):
    content = xlsx({"Sheet1": [["名称", "数量"], ["钢卷", 3]]})

    result = run(admin_user, content)

    assert [m for _s, _r, _c, m in messages(result)] == [
        "文件中没有可识别的客户及联系人数据：找不到含有 客户代码 等表头的工作表。请使用导入模板。"
    ]
