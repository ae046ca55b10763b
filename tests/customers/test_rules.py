"""Each rule of a demand and its rows is written once, on the model: the form and the import
refuse the same bad value with the same message, on the same field."""

import pytest

from archive_site.models import DictEntry, DictKind
from customers.forms import DemandElementForm, DemandForm, DemandPropertyForm
from customers.models import DemandElement, DemandProperty
from tests.factories import make_demand
from tests.imports.helpers import check, xlsx

pytestmark = pytest.mark.django_db


def entry(kind, code):
    return DictEntry.objects.get(kind=kind, code=code)


# field → (form field, import column)
DEMAND_COLUMNS = {
    "thickness": "厚度(mm)",
    "width": "宽度(mm)",
    "ra_min": "Ra下限(μm)",
    "ra_max": "Ra上限(μm)",
    "oil_min": "涂油量下限(g/m²)",
    "oil_max": "涂油量上限(g/m²)",
    "length": "长度(mm)",
    "length_tol_plus": "长度正公差(mm)",
}


def import_errors(user, sheets):
    _importer, result = check(user, xlsx(sheets), name="需求.xlsx", module="demands")
    return {(e.column, e.message) for e in result.errors}


@pytest.mark.parametrize(
    "bad, field, message",
    [
        ({"thickness": 0}, "thickness", "厚度必须大于 0。"),
        ({"width": 0}, "width", "宽度必须大于 0。"),
        ({"ra_min": 1.5, "ra_max": 0.9}, "ra_max", "Ra 下限不能大于上限。"),
        ({"oil_min": 2, "oil_max": 1}, "oil_max", "涂油量下限不能大于上限。"),
        ({"length_tol_plus": 5}, "length", "填写了长度公差，请同时填写长度。"),
    ],
)
def test_a_demand_rule_says_the_same_in_the_form_and_the_import(alice, alices_customer, bad, field, message):
    values = {"thickness": 0.8, "width": 1250, **bad}
    form = DemandForm(
        {
            "customer": alices_customer.code,
            "name": "车门外板",
            "source": "order",
            **{k: str(v) for k, v in values.items()},
        },
        user=alice,
    )
    assert not form.is_valid()
    assert form.errors[field] == [message]

    headers = ["客户代码", "需求名称", *(DEMAND_COLUMNS[k] for k in values)]
    sheets = {"客户需求": [headers, [alices_customer.code, "车门外板", *values.values()]]}
    assert (DEMAND_COLUMNS[field], message) in import_errors(alice, sheets)


@pytest.mark.parametrize(
    "model, form_class, kind, code, low, high, message",
    [
        (
            DemandElement,
            DemandElementForm,
            DictKind.ELEMENT,
            "C",
            "0.05",
            "0.01",
            "成分下限 %不能大于上限 %。",
        ),
        (DemandElement, DemandElementForm, DictKind.ELEMENT, "P", None, "120", "百分比应在 0 到 100 之间。"),
        (DemandElement, DemandElementForm, DictKind.ELEMENT, "Si", None, None, "请至少填写下限或上限。"),
        (
            DemandProperty,
            DemandPropertyForm,
            DictKind.MECHANICAL_PROPERTY,
            "Rm",
            "400",
            "300",
            "性能下限不能大于上限。",
        ),
        (
            DemandProperty,
            DemandPropertyForm,
            DictKind.MECHANICAL_PROPERTY,
            "A80",
            None,
            None,
            "请至少填写下限或上限。",
        ),
    ],
)
def test_a_row_rule_says_the_same_in_the_form_and_the_import(
    alice, alices_customer, model, form_class, kind, code, low, high, message
):
    demand = make_demand(alices_customer, code="XQ-R-01")
    low_field, high_field = ("min_pct", "max_pct") if model is DemandElement else ("min_value", "max_value")
    entry_field = "element" if model is DemandElement else "property"
    data = {entry_field: entry(kind, code).pk, low_field: low or "", high_field: high or ""}
    form = form_class(data, instance=model(demand=demand), user=alice)
    assert not form.is_valid()
    assert form.errors[high_field] == [message]

    if model is DemandElement:
        sheet, headers, column = "化学成分", ["需求编号", "化学元素", "下限(%)", "上限(%)"], "上限(%)"
    else:
        sheet, headers, column = "力学性能", ["需求编号", "力学性能项目", "下限", "上限"], "上限"
    rows = [headers, ["XQ-R-01", code, float(low) if low else None, float(high) if high else None]]
    assert (column, message) in import_errors(alice, {sheet: rows})
