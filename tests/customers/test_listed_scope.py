"""A list's scope (`listed_for`): the customers' ids read first and given as one array, the
same records as `visible_to` — owned, shared with the user, shared with the user's group."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from archive_site.accounts import roles
from customers.models import CustomerGroupShare, CustomerScopedQuerySet, CustomerShare
from products.models import Part
from quality.models import Objection
from tests.factories import (
    make_customer,
    make_demand,
    make_objection,
    make_order,
    make_part,
    make_plan,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(alice, bob, alices_customer, bobs_customer):
    shared = make_customer(sales_owner=bob)
    CustomerShare.objects.create(customer=shared, user=alice)
    team = Group.objects.create(name="华东销售组")
    alice.groups.add(team)
    of_group = make_customer(sales_owner=bob)
    CustomerGroupShare.objects.create(customer=of_group, group=team)
    everything = [alices_customer, shared, of_group, bobs_customer]
    for customer in everything:
        make_objection(customer)
        make_objection(customer)
        demand = make_demand(customer)
        make_plan(customer, demand=demand)
        make_part(customer)
        make_order(customer, demand=demand)
    return everything


def scoped_models():
    return [m for m in apps.get_models() if isinstance(m._default_manager.all(), CustomerScopedQuerySet)]


def test_a_list_sees_what_visible_to_sees_for_every_scoped_model(alice, bob, admin_user, customers):
    assert len(scoped_models()) >= 10
    for model in scoped_models():
        for user in (alice, bob, admin_user):
            listed = set(model._default_manager.listed_for(user).values_list("pk", flat=True))
            visible = set(model._default_manager.visible_to(user).values_list("pk", flat=True))
            assert listed == visible, (model.__name__, user.username)


def test_a_sales_list_holds_the_owned_the_shared_and_the_group_shared_customers(alice, customers):
    listed = set(Objection.objects.listed_for(alice).values_list("customer", flat=True))
    assert listed == {c.pk for c in customers[:3]}
    assert Objection.objects.listed_for(alice).count() == 6


def test_a_salesman_without_customers_lists_nothing(customers):
    carol = make_user("carol", roles.SALES)
    assert not Objection.objects.listed_for(carol).exists()


def test_a_list_ordered_by_the_customer_compares_the_ids_with_the_joined_customers(alice, customers):
    """Ordered by the customer's code, the array is compared with the joined customers' key
    (PostgreSQL hashes it while walking the customers in order); otherwise with the foreign key.
    The same parts in the same order either way."""
    by_customer = Part.objects.listed_for(alice).order_by("customer__code", "number")
    expected = Part.objects.visible_to(alice).order_by("customer__code", "number")
    assert list(by_customer.values_list("pk", flat=True)) == list(expected.values_list("pk", flat=True))
    assert len(expected) == 3
    assert '"customers_customer"."id" = ANY(' in str(by_customer.values("pk").query)
    by_number = Part.objects.listed_for(alice).order_by("number")
    assert '"products_part"."customer_id" = ANY(' in str(by_number.values("pk").query)
    assert set(by_number) == set(expected)


def test_a_salesmans_owned_customers_ids_come_from_the_owner_index_alone(alice, customers):
    """Every page of a salesman reads his customers' ids first. Read in the model's order (by
    code) from an index that did not hold them, each of his customers' rows was visited: at 10×,
    3 800 page reads for 5 600 ids. The owned customers' part of the read is unordered, and the
    owner index holds the ids, so PostgreSQL can answer it from the index alone."""
    from django.db import connection

    from customers.models import _customers_of

    sql, _params = _customers_of(alice).query.sql_with_params()
    owned = sql.split(") UNION (")[0]
    assert "sales_owner_id" in owned and "ORDER BY" not in sql
    # The owner index leads with the salesman and holds the ids. (Whether PostgreSQL reads it
    # alone depends on the table's visibility map, which a test's transaction never sets: at
    # 10× the plan is an Index Only Scan on it, bench/search_scoped.)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'customers_customer_owner'")
        (definition,) = cursor.fetchone()
    assert "(sales_owner_id, code) INCLUDE (id)" in definition, definition
