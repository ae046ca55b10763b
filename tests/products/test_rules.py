"""Each rule of a part is written once, on the model: the part form and the parts import
refuse the same bad value with the same message, on the same field."""

import pytest

from products.forms import PartForm
from products.models import Part
from tests.factories import make_customer, make_demand
from tests.imports.helpers import check, xlsx

pytestmark = pytest.mark.django_db

GOOD = {
    "number": "5401-110A",
    "name": "前门外板",
    "blank_thickness": "0.8",
    "blank_width": "1250",
    "blank_length": "1600",
    "gross_weight": "12.56",
    "material_quota": "13.1",
    "net_weight": "8.3",
}
COLUMNS = {
    "number": "零件编号",
    "name": "零件名称",
    "demand": "需求编号",
    "blank_thickness": "毛坯厚度(mm)",
    "blank_width": "毛坯宽度(mm)",
    "blank_length": "毛坯长度(mm)",
    "gross_weight": "毛坯毛重(kg)",
    "material_quota": "材料定额(kg)",
    "net_weight": "零件净重(kg)",
}


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"blank_thickness": "0"}, "blank_thickness"),
        ({"gross_weight": "-1"}, "gross_weight"),
        ({"net_weight": "20"}, "net_weight"),
        ({"demand": "other"}, "demand"),
    ],
)
def test_a_part_rule_says_the_same_in_the_form_and_the_import(engineer, alices_customer, bad, field):
    values = {**GOOD, **bad}
    if values.get("demand") == "other":
        other = make_demand(make_customer(code="C0099", name="别家客户"), code="XQ-O-01")
        form_values, file_values = {**values, "demand": other.pk}, {**values, "demand": other.code}
    else:
        form_values = file_values = values
    form = PartForm(form_values, instance=Part(customer=alices_customer), user=engineer)
    assert not form.is_valid()
    (message,) = form.errors[field]

    headers = ["客户代码", *(COLUMNS[k] for k in file_values)]
    row = [
        alices_customer.code,
        *(v if k in ("number", "name", "demand") else float(v) for k, v in file_values.items()),
    ]
    _importer, result = check(engineer, xlsx({"零件": [headers, row]}), name="零件.xlsx", module="parts")
    assert (COLUMNS[field], message) in {(e.column, e.message) for e in result.errors}
