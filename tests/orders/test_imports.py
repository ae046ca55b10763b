"""Importing orders and deliveries from the ERP's Excel export: keyed by order number and by
order and coil, all rows or none, the customer in the user's scope (by code, name or the code
of a duplicate merged into it)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from customers.merge import merge_customers
from orders.models import Delivery, Order
from tests.factories import make_customer, make_demand, make_order
from tests.imports.helpers import check, messages, run, xlsx

pytestmark = pytest.mark.django_db

ORDER_HEADERS = [
    "订单号",
    "客户代码",
    "需求编号",
    "生产牌号",
    "厚度(mm)",
    "宽度(mm)",
    "订货量(t)",
    "订货日期",
    "要求交货日期",
    "状态",
]
DELIVERY_HEADERS = ["订单号", "卷号", "交货日期", "吨数(t)"]


def erp_file(orders, deliveries=()):
    sheets = {"订单": [ORDER_HEADERS, *orders]}
    if deliveries:
        sheets["交货"] = [DELIVERY_HEADERS, *deliveries]
    return xlsx(sheets)


def import_orders(user, orders, deliveries=()):
    return run(user, erp_file(orders, deliveries), name="订单.xlsx", module="orders")


def an_order(number, customer="C0005", demand="XQ-H-01", quantity=120):
    return [
        number,
        customer,
        demand,
        "DC04",
        0.8,
        1250,
        quantity,
        datetime.date(2025, 3, 1),
        "2025-04-15",
        "生产中",
    ]


@pytest.fixture
def demand(alices_customer):
    return make_demand(alices_customer, code="XQ-H-01")


def test_sales_user_imports_orders_with_their_coils(alice, demand):
    result = import_orders(
        alice,
        [an_order("DD2025-0001"), an_order("DD2025-0002", quantity=60)],
        [
            ["DD2025-0001", "25C0001", "2025-03-20", 21.5],
            ["DD2025-0001", "25C0002", datetime.date(2025, 3, 21), "19.75"],
            ["DD2025-0002", "25C0003", "2025/03/22", 20],
        ],
    )
    assert messages(result) == []
    assert result.counts() == {"new": 5, "update": 0, "unchanged": 0, "error": 0}
    first = Order.objects.with_delivered().get(number="DD2025-0001")
    assert (first.customer, first.demand, first.production_grade.code, first.status) == (
        demand.customer,
        demand,
        "DC04",
        Order.Status.IN_PRODUCTION,
    )
    assert (first.delivered, first.coils, first.created_by) == (Decimal("41.25"), 2, alice)


def test_an_order_import_with_one_bad_row_writes_nothing(alice, demand):
    before = (Order.objects.count(), Delivery.objects.count())
    result = import_orders(
        alice,
        [an_order("DD2025-0001"), an_order("DD2025-0002", quantity=0), an_order("DD2025-0003")],
        [["DD2025-0001", "25C0001", "2025-03-20", 21.5], ["DD2025-0003", "25C0002", "2025-03-20", 20]],
    )
    assert messages(result) == [("订单", 3, "订货量(t)", "订货量必须大于 0 吨。")]
    assert (Order.objects.count(), Delivery.objects.count()) == before == (0, 0)


def test_a_bad_coil_refuses_the_orders_of_the_same_file_too(alice, demand):
    result = import_orders(
        alice,
        [an_order("DD2025-0001")],
        [["DD2025-0001", "25C0001", "2025-03-20", 21.5], ["DD2025-0001", "25C0002", "2025-02-01", 20]],
    )
    assert messages(result) == [
        ("交货", 3, "交货日期", "交货日期（2025-02-01）不能早于订单的订货日期（2025-03-01）。")
    ]
    assert not Order.objects.exists() and not Delivery.objects.exists()


def test_importing_again_updates_by_order_number_and_coil(alice, demand):
    import_orders(alice, [an_order("DD2025-0001")], [["DD2025-0001", "25C0001", "2025-03-20", 21.5]])
    result = import_orders(
        alice,
        [an_order("DD2025-0001", quantity=150)],
        [["DD2025-0001", "25C0001", "2025-03-20", 22], ["DD2025-0001", "25C0002", "2025-03-21", 20]],
    )
    assert result.counts() == {"new": 1, "update": 2, "unchanged": 0, "error": 0}
    order = Order.objects.with_delivered().get()
    assert (order.quantity, order.delivered, order.version) == (Decimal("150"), Decimal("42"), 2)


def test_a_coil_twice_in_one_file_is_refused(alice, demand):
    result = import_orders(
        alice,
        [an_order("DD2025-0001")],
        [["DD2025-0001", "25C0001", "2025-03-20", 21.5], ["DD2025-0001", "25c0001", "2025-03-21", 20]],
    )
    assert [(e[0], e[1], e[2]) for e in messages(result)] == [("交货", 3, "卷号")]
    assert not Order.objects.exists()


def test_sales_user_cannot_import_orders_of_another_users_customer(alice, demand, bobs_customer):
    result = import_orders(alice, [an_order("DD2025-0001", customer="C0001", demand="")])
    assert [(e[1], e[2]) for e in messages(result)] == [(2, "客户代码")]
    assert "找不到客户“C0001”" in messages(result)[0][3]
    assert not Order.objects.exists()


def test_orders_name_a_merged_duplicate_by_its_old_code(alice, admin_user, alices_customer, demand):
    duplicate = make_customer(code="C0099", name="青岛海尔股份有限责任公司", sales_owner=alice)
    merge_customers(alices_customer, duplicate, by=admin_user)
    result = import_orders(alice, [an_order("DD2025-0001", customer="C0099")])
    assert messages(result) == []
    assert Order.objects.get().customer == alices_customer


def test_the_orders_export_imports_back_unchanged(login, alice, demand):
    make_order(
        demand.customer,
        demand=demand,
        number="DD2025-0009",
        deliveries=[("25C0009", datetime.date(2025, 3, 3), 20.125)],
    )
    response = login(alice).get(reverse("imports:export", args=["orders"]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [ws.title for ws in workbook.worksheets][:2] == ["订单", "交货"]
    orders = [list(r) for r in workbook["订单"].iter_rows(values_only=True)]
    assert orders[1][0] == "DD2025-0009" and orders[1][orders[0].index("已交货(t)")] == 20.125
    content = io.BytesIO()
    workbook.save(content)
    _importer, result = check(alice, content.getvalue(), name="订单.xlsx", module="orders")
    assert result.ok and result.counts() == {"new": 0, "update": 0, "unchanged": 2, "error": 0}
