"""The whole mill's supply statistics are kept until a table they read is written: read again
without grouping anything when nothing changed, every write to what they read shown at once,
never the kept figures for a user who sees only some customers.

Transactional: a write is seen as done once committed (see tests/quality/test_objection_stats_kept.py)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archive_site.models import DictEntry, DictKind, KeptResult
from customers.models import Customer, Demand
from orders.models import Delivery
from products import statistics
from products.models import Part
from tests.factories import entry, make_order, make_part
from tests.quality.test_objection_stats_kept import tables_read, watched

STATS = reverse("products:statistics")


def grouping(sql):
    """Whether `sql` groups parts or deliveries (not the user's own query, which groups too)."""
    return "GROUP BY" in sql and ('FROM "products_part"' in sql or 'FROM "orders_delivery"' in sql)


@pytest.fixture
def mill(alices_parts, bobs_part, alices_customer, dc04):
    """The parts of the statistics tests, and a delivery of alice's customer last month."""
    last_month = timezone.localdate() - datetime.timedelta(days=30)
    return make_order(alices_customer, demand=dc04, deliveries=[("K-1", last_month, 120)])


def figures(ctx):
    """What the page shows, as plain values."""

    def rows(table, *keys):
        return [tuple(r[k] for k in keys) for r in table]

    totals = ("label", "parts", "gross", "net", "quota")
    return {
        "by_car_model": rows(ctx["by_car_model"], *totals),
        "by_grade": rows(ctx["by_grade"], *totals),
        "by_customer": rows(ctx["by_customer"], "customer__code", "customer__name", "quota"),
        "delivered": rows(ctx["delivered"]["by_grade"], "label", "tons", "coils"),
        "summary": ctx["summary"]["parts"],
    }


def page(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(STATS)
    assert response.status_code == 200
    return figures(response.context), sum(grouping(q["sql"]) for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_the_whole_mills_tables_are_kept_and_read_again_without_grouping(client, mill, engineer):
    first, groupings = page(client, engineer)
    assert groupings == 4  # by car model, by grade, delivered by grade, by customer
    assert first["summary"] == 4 and first["delivered"] == [("DC04", Decimal(120), 1)]
    again, groupings = page(client, engineer)
    assert groupings == 0
    assert again == first


@pytest.mark.django_db(transaction=True)
def test_a_scoped_user_sees_her_own_figures_never_the_kept_ones(client, mill, engineer, bob):
    page(client, engineer)
    mine, groupings = page(client, bob)
    assert groupings == 4 and mine["summary"] == 1
    bobs = Part.objects.get(number="B-1").customer.code
    assert [code for code, _name, _quota in mine["by_customer"]] == [bobs]
    assert KeptResult.objects.filter(topic=statistics.KEPT_TOPIC).count() == 1  # the engineer's only


def add_part(customer):
    make_part(customer, car_model="PASSAT", material_quota=Decimal("50"))


def delete_part(customer):
    Part.objects.filter(number="A-2").delete()


def rename_car_model(customer):
    DictEntry.objects.filter(kind=DictKind.CAR_MODEL, code="OLLIN").update(name="欧铃（新名）")


def regrade_demand(customer):
    dc01 = entry(DictKind.DELIVERY_GRADE, "DC01")
    Demand.objects.filter(name="车门外板用 DC04").update(delivery_grade=dc01)


def rename_customer(customer):
    Customer.objects.filter(pk=customer.pk).update(name="海尔新名称有限公司")


def add_delivery(customer):
    order = customer.orders.first()
    Delivery.objects.create(order=order, coil_number="K-2", date=timezone.localdate(), tons=Decimal(80))


def move_order(customer):
    customer.orders.update(production_grade=entry(DictKind.PRODUCTION_GRADE, "DC01"), demand=None)


WRITES = [add_part, delete_part, rename_car_model, regrade_demand, rename_customer, add_delivery, move_order]


@pytest.mark.django_db(transaction=True)
def test_every_write_to_what_the_tables_read_shows_at_once(client, mill, engineer, alices_customer):
    before, _groupings = page(client, engineer)
    for write in WRITES:
        write(alices_customer)
        after, groupings = page(client, engineer)
        assert groupings == 4, write.__name__
        assert after != before, write.__name__
        again, groupings = page(client, engineer)
        assert groupings == 0 and again == after, write.__name__
        before = after


def test_every_table_the_kept_tables_read_is_watched(db, mill, engineer, rf):
    request = rf.get(STATS)
    request.user = engineer
    _form, stats = statistics.statistics_for(request)
    with CaptureQueriesContext(connection) as queries:
        tables = statistics.page_tables(stats)
    read = tables_read(queries)
    assert tables["by_customer"] and "products_part" in read and "orders_delivery" in read
    assert read <= set(statistics.KEPT_TABLES)
    assert watched(statistics.KEPT_TOPIC) == set(statistics.KEPT_TABLES)
