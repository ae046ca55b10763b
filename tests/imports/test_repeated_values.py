"""A value repeated down a column is read and checked once per file: every row still gets
the same value, and the same error, as if it had been read on its own."""

import ast
import inspect
import textwrap
from decimal import Decimal

from import_export.widgets import Widget

from customers.models import Customer
from imports.modules import all_modules, get_module
from quality.models import Objection
from tests.imports.helpers import check, messages, run, xlsx

HEADERS = ["客户代码", "客户名称", "客户类别", "状态", "年需求量(t)"]


def test_every_row_with_a_repeated_value_gets_its_value_and_its_error(admin_user):
    rows = [[f"C{3000 + n}", f"重复值测试客户{n}", "汽车板客户", "合作中", "100.0"] for n in range(12)]
    rows[2][3] = "未知状态"  # not a status: refused on both rows that say it
    rows[7][3] = "未知状态"
    rows[4][4] = "100.00"  # the same number as 100.0, but with two decimals where one is allowed
    rows[9][2] = "家电客户X"  # not a category

    _importer, result = check(admin_user, xlsx({"客户": [HEADERS, *rows]}))

    refused = [(row, column) for _sheet, row, column, _message in messages(result)]
    assert refused == [(4, "状态"), (6, "年需求量(t)"), (9, "状态"), (11, "客户类别")]
    by_row = {row: message for _sheet, row, _column, message in messages(result)}
    assert by_row[4] == by_row[9]  # the same value, the same message
    (sheet,) = result.sheets
    read = [r for r in sheet.rows if not r.errors]
    assert len(read) == 8
    assert all(r.cleaned["status"] == Customer.Status.ACTIVE for r in read)
    assert all(r.cleaned["category"].code == "AUTO" for r in read)
    assert all(str(r.cleaned["annual_demand"]) == "100.0" for r in read)


def test_a_value_checked_once_is_written_on_every_row(admin_user):
    rows = [[f"C{3100 + n}", f"重复值写入客户{n}", "汽车板客户", "合作中", 250.5] for n in range(5)]

    result = run(admin_user, xlsx({"客户": [HEADERS, *rows]}))

    assert messages(result) == []
    customers = Customer.objects.filter(code__startswith="C31").order_by("code")
    assert [(c.status, c.category.code, c.annual_demand) for c in customers] == [
        (Customer.Status.ACTIVE, "AUTO", Decimal("250.5"))
    ] * 5


def test_the_rules_across_fields_run_on_every_row_with_the_same_values(quality, alices_customer):
    headers = ["异议编号", "客户代码", "受理日期", "缺陷类型", "缺陷描述", "状态", "关闭日期"]
    row = ["", alices_customer.code, "2025-01-02", "划伤", "表面划伤", "已关闭", ""]
    content = xlsx({"质量异议": [headers, row, row, row]})

    _importer, result = check(quality, content, "异议.xlsx", "objections")

    closed_without_date = "已关闭的异议必须填写关闭日期。"
    assert [(r, m) for _s, r, c, m in messages(result) if c == "关闭日期"] == [
        (2, closed_without_date),
        (3, closed_without_date),
        (4, closed_without_date),
    ]
    assert Objection.objects.count() == 0


def widget_classes(cls=Widget):
    """Every widget class: django-import-export's and the project's."""
    for sub in cls.__subclasses__():
        yield sub
        yield from widget_classes(sub)


def test_a_widget_read_by_its_value_alone_reads_no_other_cell():
    all_modules()  # every app's resources, and so its widgets, imported
    by_value = {cls for cls in widget_classes() if getattr(cls, "reads_by_value", False)}
    assert {"ChoiceWidget", "DictionaryWidget", "CustomerWidget"} <= {cls.__name__ for cls in by_value}
    for cls in by_value:
        clean = ast.parse(textwrap.dedent(inspect.getsource(cls.clean))).body[0]
        names = {
            node.id for statement in clean.body for node in ast.walk(statement) if isinstance(node, ast.Name)
        }
        assert not names & {"row", "kwargs"}, f"{cls.__name__}.clean reads the row's other cells"


def test_a_new_record_is_made_as_the_model_makes_it(quality):
    resource = get_module("objections").resources[0](user=quality)

    first, second = resource.new_instance(), resource.new_instance()
    first.description = "第一条"
    first._state.adding = False

    made = Objection()
    for field in Objection._meta.concrete_fields:
        assert getattr(second, field.attname) == getattr(made, field.attname), field.name
    assert second.description == "" and second._state.adding
    assert second._state is not first._state


def test_a_default_that_is_a_function_is_asked_for_each_new_record(quality):
    resource = get_module("objections").resources[0](user=quality)

    first, second = resource.new_instance(), resource.new_instance()
    first.coil_numbers.append("A24001")  # `default=list`: a list of its own for each record

    assert second.coil_numbers == []
    assert first.coil_numbers is not second.coil_numbers
