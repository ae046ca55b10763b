"""The statistics of the whole archive are kept until a table they read is written: the page
reads them in one query when nothing changed, and shows every write at once — each kind of
write to each table they read, and a write still in progress while they were computed.

Transactional: a write is seen as done once committed; the test's own transaction would leave
every write of its data in progress, and every kept result would be (rightly) computed again."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive_site import backup
from archive_site.models import DictEntry, DictKind, KeptResult
from customers.models import Demand
from orders.models import Delivery, Order
from quality.models import Objection
from quality.statistics import objections as statistics
from quality.statistics import rates
from tests.factories import entry, make_customer, make_demand, make_objection, make_order

day = datetime.date
RANGE = {"date_from": "2025-01-01", "date_to": "2025-12-31"}
ONE_PASS = "GROUPING SETS"


@pytest.fixture
def archive(alice, alices_customer):
    """Three customers (one of them alice's), demands of two end uses, orders with deliveries,
    objections over 2025."""
    uses = [entry(DictKind.END_USE, code) for code in ("AUTO_EXT", "APPLIANCE")]
    customers = [alices_customer, make_customer(code="K0001"), make_customer(code="K0002")]
    for i, customer in enumerate(customers):
        demand = make_demand(customer, end_use=uses[i % 2])
        make_order(
            customer,
            demand=demand,
            deliveries=[(f"K{i}-1", day(2025, 3, 1), 200), (f"K{i}-2", day(2025, 6, 1), 300)],
        )
        for month in range(1, 13, 2):
            make_objection(
                customer,
                "SCRATCH" if month % 3 else "RUST",
                1 + month % 4,
                received_date=day(2025, month, 10),
                tonnage=Decimal(month),
                claim_amount=Decimal(100 * month),
                demand=demand,
            )
    return customers


def figures(stats):
    """What the page shows of `stats`, as plain values."""
    r = stats["rates"]
    return {
        "total": stats["total"],
        "tons": stats["total_tonnage"],
        "claims": stats["total_claims"],
        "defects": [(row.code, row.name, row.by_severity, row.customers) for row in stats["rows"]],
        "months": stats["months"],
        "claims_table": stats["claims"].rows,
        "delivered": r["total"].delivered,
        "end_uses": [(row.label, row.objections, row.delivered) for row in r["end_uses"]],
        "customers": [(row.label, row.objections, row.delivered) for row in r["customers"]],
    }


def fresh(user):
    """The figures computed now, nothing kept."""
    range_ = {"start": day(2025, 1, 1), "end": day(2025, 12, 31)}
    stats = statistics.compute(Objection.objects.visible_to(user), **range_)
    return figures(rates.add_rates(stats, user))


def page(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("quality:objection-stats"), RANGE)
    assert response.status_code == 200
    passes = sum(ONE_PASS in q["sql"] for q in queries.captured_queries)
    return figures(response.context["stats"]), passes


@pytest.mark.django_db(transaction=True)
def test_the_whole_archives_sums_are_kept_and_read_again_without_a_pass(client, archive, admin_user):
    first, passes = page(client, admin_user)
    assert passes == 2  # the objections' and the deliveries' sums, computed
    assert first["total"] == 18 and first["delivered"] == Decimal(1500)
    again, passes = page(client, admin_user)
    assert passes == 0
    assert again == first == fresh(admin_user)


@pytest.mark.django_db(transaction=True)
def test_a_scoped_user_sees_her_own_figures_never_the_kept_ones(client, archive, admin_user, alice):
    page(client, admin_user)
    mine, passes = page(client, alice)
    assert passes == 2 and mine["total"] == 6 and mine["delivered"] == Decimal(500)
    assert mine == fresh(alice)
    assert KeptResult.objects.count() == 2  # the administrator's only


def add_objection(customers):
    make_objection(customers[1], "RUST", 4, received_date=day(2025, 8, 8), tonnage=Decimal(9))


def settle_objection(customers):
    o = Objection.objects.filter(customer=customers[0]).first()
    o.settled_amount = Decimal(1)
    o.save()


def move_objections_out_of_range(customers):
    Objection.objects.filter(customer=customers[2]).update(received_date=day(2024, 5, 5))


def delete_objection(customers):
    Objection.objects.filter(customer=customers[1]).first().delete()


def change_end_use(customers):
    Demand.objects.filter(customer=customers[0]).update(end_use=entry(DictKind.END_USE, "AUTO_INT"))


def add_delivery(customers):
    order = Order.objects.filter(customer=customers[2]).first()
    Delivery.objects.create(order=order, coil_number="K9-9", date=day(2025, 9, 9), tons=Decimal(700))


def move_order(customers):
    Order.objects.filter(customer=customers[2]).update(customer=customers[1])


def rename_defect(customers):
    DictEntry.objects.filter(kind=DictKind.DEFECT_TYPE, code="RUST").update(name="锈蚀（新名）")


WRITES = [
    add_objection,
    settle_objection,
    move_objections_out_of_range,
    delete_objection,
    change_end_use,
    add_delivery,
    move_order,
    rename_defect,
]


@pytest.mark.django_db(transaction=True)
def test_every_write_to_what_the_sums_read_shows_at_once(client, archive, admin_user):
    """One write after another (one transactional test: each costs a fresh database), each
    followed by the page."""
    before, _passes = page(client, admin_user)
    for write in WRITES:
        write(archive)
        after, passes = page(client, admin_user)
        assert passes >= 1, write.__name__
        assert after == fresh(admin_user) != before, write.__name__
        before = after


def test_every_table_the_kept_sums_read_is_watched(db, archive, admin_user):
    """The tables named by the SQL of both kept sums are those the triggers watch."""
    objections = statistics.narrow(Objection.objects.all(), start=day(2025, 1, 1))
    deliveries = rates.deliveries_for(admin_user, start=day(2025, 1, 1))  # the permissions read here
    with CaptureQueriesContext(connection) as queries:
        tallies = statistics.tally(objections, across=True)
        rates.delivered(deliveries, [1])
    read = tables_read(queries)
    assert tallies.defects and "quality_objection" in read
    assert read <= set(statistics.KEPT_TABLES)
    assert watched(statistics.KEPT_TOPIC) == set(statistics.KEPT_TABLES)


def tables_read(queries):
    """The tables the captured queries read."""
    return {t for q in queries.captured_queries for t in re.findall(r'(?:FROM|JOIN) "(\w+)"', q["sql"])}


def watched(topic):
    """The tables whose writes are recorded under `topic` (`kept.watch`'s triggers)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s",
            [f"kept_{topic}_written"],
        )
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_a_write_in_progress_while_the_sums_are_computed_is_shown_once_it_commits(
    client, archive, admin_user
):
    """Another session changes an objection and commits only after the page computed (and
    kept) its sums: the next page shows the change, although no write came after it."""
    other = backup.connect(connection.settings_dict)
    try:
        with other.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Objection._meta.db_table} SET tonnage = tonnage + 1000 WHERE id = %s",
                [Objection.objects.order_by("pk").first().pk],
            )
        during, _passes = page(client, admin_user)
        other.commit()
    finally:
        other.close()
    after, passes = page(client, admin_user)
    assert passes >= 1
    assert after["tons"] == during["tons"] + 1000
    assert after == fresh(admin_user)


@pytest.mark.django_db(transaction=True)
def test_sums_computed_after_a_write_in_the_same_transaction_are_not_kept(archive):
    """A transaction's snapshot may count the transaction itself as done (when a later one has
    ended): a result it kept after writing would stay good after its next write, never showing it."""

    def total():
        stats = statistics.compute(
            Objection.objects.all(), start=day(2025, 1, 1), end=day(2025, 12, 31), keep=True
        )
        return stats["total"]

    other = backup.connect(connection.settings_dict)
    other.autocommit = True
    try:
        with transaction.atomic():
            add_objection(archive)
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_current_xact_id()")  # a transaction begun and ended since
            assert total() == 19
            add_objection(archive)
            assert total() == 20
    finally:
        other.close()
    assert total() == total() == 20
