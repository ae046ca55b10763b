"""Orders and deliveries through their pages: list, create with the customer picker, detail with
its deliveries, edit, delete; every page in a constant number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from archive_site.models import DictKind
from orders.models import Delivery, Order
from tests.factories import entry, make_demand, make_order
from tests.sections import render_section

pytestmark = pytest.mark.django_db


def order_form(customer, **changes):
    return {
        "number": "dd2025-0100",
        "customer": customer.code,
        "demand": "",
        "production_grade": entry(DictKind.PRODUCTION_GRADE, "DC04").pk,
        "thickness": "0.8",
        "width": "1250",
        "quantity": "300",
        "order_date": "2025-03-01",
        "requested_date": "2025-04-15",
        "status": "placed",
        **changes,
    }


def test_sales_user_enters_an_order_against_a_demand_of_her_customer(login, alice, alices_customer):
    demand = make_demand(alices_customer)
    response = login(alice).post(
        reverse("orders:order-create"), order_form(alices_customer, demand=demand.pk)
    )
    order = Order.objects.get()
    assert response.status_code == 302 and response.url == order.get_absolute_url()
    assert (order.number, order.customer, order.demand, order.created_by) == (
        "DD2025-0100",
        alices_customer,
        demand,
        alice,
    )


def test_order_form_offers_only_the_chosen_customers_demands(login, alice, alices_customer):
    mine = make_demand(alices_customer, name="海尔冰箱侧板")
    other = make_demand(make_customer_of(alice), name="别家的需求")
    page = login(alice).get(reverse("orders:order-create"), {"customer": alices_customer.pk})
    offered = [label for _value, label in page.context["form"].fields["demand"].choices]
    assert any(mine.name in str(label) for label in offered)
    assert not any(other.name in str(label) for label in offered)


def make_customer_of(user):
    from tests.factories import make_customer

    return make_customer(sales_owner=user)


def test_an_order_from_a_demand_page_is_prefilled_with_the_demand(login, alice, alices_customer):
    demand = make_demand(alices_customer, thickness=Decimal("1.2"), width=Decimal("1500"))
    form = login(alice).get(reverse("orders:order-create"), {"demand": demand.pk}).context["form"]
    assert form["customer"].value() == alices_customer.name
    assert (form["demand"].value(), form["thickness"].value(), form["width"].value()) == (
        demand.pk,
        Decimal("1.2"),
        Decimal("1500"),
    )


def test_deliveries_are_entered_on_the_order_page_and_add_up(login, alice, alices_customer):
    order = make_order(alices_customer, quantity=Decimal("60"))
    client = login(alice)
    url = reverse("orders:delivery-create", args=[order.pk])
    client.post(url, {"coil_number": "26c00001", "date": "2025-02-01", "tons": "21.5"})
    client.post(url, {"coil_number": "26C00002", "date": "2025-02-03", "tons": "19.25"})
    response = client.get(order.get_absolute_url())
    assert [d.coil_number for d in response.context["deliveries"]] == ["26C00001", "26C00002"]
    assert response.context["delivered"] == Decimal("40.75")
    assert "40.750 t" in response.content.decode()


def test_a_refused_delivery_says_why_and_saves_nothing(login, alice, alices_customer):
    order = make_order(alices_customer)
    response = login(alice).post(
        reverse("orders:delivery-create", args=[order.pk]),
        {"coil_number": "26C00001", "date": "2025-02-01", "tons": "0"},
        follow=True,
    )
    assert "交货吨数必须大于 0。" in response.content.decode()
    assert not Delivery.objects.exists()


def test_an_order_with_deliveries_cannot_be_deleted(login, alice, alices_customer):
    order = make_order(alices_customer, deliveries=[("26C00001", datetime.date(2025, 2, 1), 20)])
    response = login(alice).post(reverse("orders:order-delete", args=[order.pk]))
    assert response.status_code == 200 and response.context["blockers"]
    assert Order.objects.filter(pk=order.pk).exists()


def test_viewer_cannot_add_a_delivery(login, viewer, alices_customer):
    alices_customer.shared_with.add(viewer)
    order = make_order(alices_customer)
    response = login(viewer).post(
        reverse("orders:delivery-create", args=[order.pk]),
        {"coil_number": "26C00001", "date": "2025-02-01", "tons": "20"},
    )
    assert response.status_code == 403 and not Delivery.objects.exists()


@pytest.fixture
def many_orders(alices_customer, bobs_customer):
    demand = make_demand(alices_customer)
    for n in range(30):
        customer = alices_customer if n % 2 else bobs_customer
        make_order(
            customer,
            demand=demand if customer == alices_customer else None,
            production_grade=entry(DictKind.PRODUCTION_GRADE, "DC04"),
            deliveries=[(f"C{n:03d}{k}", datetime.date(2025, 2, 1 + k), 20) for k in range(3)],
        )


def test_order_and_delivery_lists_run_a_constant_number_of_queries(
    login, quality, many_orders, django_assert_num_queries
):
    client = login(quality)
    client.get(reverse("orders:order-list"))  # warm up: session, permissions
    with django_assert_num_queries(9):
        response = client.get(reverse("orders:order-list"))
    assert len(response.context["page_obj"]) == 30
    assert response.context["page_obj"][0].delivered == Decimal("60")
    with django_assert_num_queries(8):
        response = client.get(reverse("orders:delivery-list"))
    assert len(response.context["page_obj"]) == 50


def test_order_detail_runs_a_constant_number_of_queries(
    login, quality, many_orders, django_assert_num_queries
):
    client = login(quality)
    order = Order.objects.first()
    client.get(order.get_absolute_url())
    # 5 of them name the records its history refers to; 2 set the fetch's join order and set it back
    with django_assert_num_queries(15):
        client.get(order.get_absolute_url())


def test_the_customer_page_shows_its_orders_and_latest_deliveries(alice, alices_customer, many_orders):
    html = render_section("customer", "orders/_customer_orders.html", alice, alices_customer)
    numbers = list(alices_customer.orders.values_list("number", flat=True))
    assert len(numbers) == 15 and all(n in html for n in numbers)
    assert html.count("<tr>") == 1 + 15 + 1 + 10  # orders, then the ten latest coils
    other = Order.objects.exclude(customer=alices_customer).first()
    assert other.number not in html


def test_the_demand_page_shows_the_orders_placed_against_it(alice, alices_customer, many_orders):
    demand = alices_customer.demands.get()
    html = render_section("demand", "orders/_demand_orders.html", alice, demand)
    assert all(n in html for n in demand.orders.values_list("number", flat=True))
    assert "60" in html  # delivered tons of each
