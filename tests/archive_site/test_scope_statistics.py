"""A user's scope is compared with a table's customer key as one array of ids (`lookups.AnyOf`), and
PostgreSQL plans such a query by estimating the rows of each id against every most common key
ANALYZE kept. Every table scoped by its own customer key keeps few of them, so that a salesman with
thousands of customers does not pay for each of them, times a hundred, in every query of his lists."""

import pytest
from django.apps import apps
from django.db import connection

from archive_site.lookups import SCOPE_KEY_STATISTICS
from customers.models import ListedByCustomer
from tests.factories import make_customer, make_objection


def scoped_keys():
    """(model, column) of every model whose rows a scope selects by a customer key of its own table."""
    for model in apps.get_models():
        queryset = model._default_manager.get_queryset()
        if not isinstance(queryset, ListedByCustomer):
            continue
        path = queryset.customer_field
        if path != "pk" and "__" not in path:
            yield model, model._meta.get_field(path).column


def common_keys_kept(table, column):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(array_length(most_common_vals::text::bigint[], 1), 0) FROM pg_stats "
            "WHERE schemaname = current_schema() AND tablename = %s AND attname = %s",
            [table, column],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_every_key_a_scope_is_compared_with_keeps_few_common_values():
    targets = {}
    with connection.cursor() as cursor:
        for model, column in scoped_keys():
            cursor.execute(
                "SELECT attstattarget FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s",
                [model._meta.db_table, column],
            )
            targets[model._meta.label] = cursor.fetchone()[0]
    assert {"quality.Objection", "customers.Demand", "products.Part", "orders.Order"} <= set(targets)
    assert targets == dict.fromkeys(targets, SCOPE_KEY_STATISTICS)


@pytest.mark.django_db
def test_analyze_keeps_no_more_common_customers_than_that():
    """Fifteen customers with 2 to 16 objections each: at the default target ANALYZE keeps every one
    of them as a most common value."""
    for n in range(2, 17):
        customer = make_customer()
        for _ in range(n):
            make_objection(customer)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE quality_objection")
    kept = common_keys_kept("quality_objection", "customer_id")
    assert 0 < kept <= SCOPE_KEY_STATISTICS
