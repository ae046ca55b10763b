"""Each rule of an order and a delivery is written once, on the model: the forms and the
orders import refuse the same bad value with the same message, on the same field."""

import datetime

import pytest

from orders.forms import DeliveryForm, OrderForm
from orders.models import Delivery, Order
from tests.factories import make_customer, make_demand, make_order
from tests.imports.helpers import check, xlsx

pytestmark = pytest.mark.django_db

GOOD = {
    "number": "DD2025-0001",
    "thickness": "0.8",
    "width": "1250",
    "quantity": "300",
    "order_date": "2025-03-01",
    "requested_date": "2025-04-15",
    "status": "placed",
}
COLUMNS = {
    "number": "订单号",
    "demand": "需求编号",
    "thickness": "厚度(mm)",
    "width": "宽度(mm)",
    "quantity": "订货量(t)",
    "order_date": "订货日期",
    "requested_date": "要求交货日期",
    "status": "状态",
}


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"quantity": "0"}, "quantity"),
        ({"thickness": "-0.8"}, "thickness"),
        ({"requested_date": "2025-02-01"}, "requested_date"),
        ({"demand": "other"}, "demand"),
    ],
)
def test_an_order_rule_says_the_same_in_the_form_and_the_import(alice, alices_customer, bob, bad, field):
    values = {**GOOD, **bad}
    if values.get("demand") == "other":  # a demand of a customer alice may see, but not the order's
        other = make_demand(make_customer(code="C0099", name="别家客户", sales_owner=alice), code="XQ-O-01")
        form_values, file_values = {**values, "demand": other.pk}, {**values, "demand": other.code}
    else:
        form_values = file_values = values
    form = OrderForm({**form_values, "customer": alices_customer.code}, instance=Order(), user=alice)
    assert not form.is_valid()
    (message,) = form.errors[field]

    headers = ["客户代码", *(COLUMNS[k] for k in file_values)]
    row = [alices_customer.code, *file_values.values()]
    _importer, result = check(alice, xlsx({"订单": [headers, row]}), name="订单.xlsx", module="orders")
    assert (COLUMNS[field], message) in {(e.column, e.message) for e in result.errors}


@pytest.mark.parametrize(
    "bad, field",
    [({"tons": "0"}, "tons"), ({"date": "2024-12-31"}, "date")],
)
def test_a_delivery_rule_says_the_same_in_the_form_and_the_import(alice, alices_customer, bad, field):
    order = make_order(alices_customer, number="DD2025-0002", order_date=datetime.date(2025, 1, 2))
    values = {"coil_number": "26C00001", "date": "2025-02-01", "tons": "20.5", **bad}
    form = DeliveryForm(values, instance=Delivery(order=order), user=alice)
    assert not form.is_valid()
    (message,) = form.errors[field]

    columns = {"coil_number": "卷号", "date": "交货日期", "tons": "吨数(t)"}
    headers = ["订单号", *(columns[k] for k in values)]
    row = [order.number, *values.values()]
    _importer, result = check(alice, xlsx({"交货": [headers, row]}), name="交货.xlsx", module="orders")
    assert (columns[field], message) in {(e.column, e.message) for e in result.errors}


def test_a_coil_is_delivered_once_under_an_order(alice, alices_customer):
    order = make_order(alices_customer, deliveries=[("26C00001", datetime.date(2025, 2, 1), 20)])
    form = DeliveryForm(
        {"coil_number": "26c00001", "date": "2025-02-02", "tons": "21"},
        instance=Delivery(order=order),
        user=alice,
    )
    assert not form.is_valid()
    assert form.errors["__all__"] == ["这个订单已有相同卷号的交货记录。"]
