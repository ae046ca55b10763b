"""LateRowPaginator: the same pages as Django's Paginator, in two cheap queries."""

import pytest
from django.core.paginator import Paginator

from archive_site.pagination import LateRowPaginator
from customers.models import Customer
from tests.factories import make_customer


@pytest.fixture
def customers(db):
    # Ties in the annual demand: the page must keep the order the ids came in.
    return [make_customer(code=f"C{i:03d}", annual_demand=i % 3) for i in range(22)]


@pytest.mark.parametrize("ordering", [["code"], ["-annual_demand", "code"], ["-annual_demand", "-id"]])
def test_pages_are_those_of_djangos_paginator(customers, ordering):
    queryset = Customer.objects.select_related("category").order_by(*ordering)
    ours, django = LateRowPaginator(queryset, 5, orphans=2), Paginator(queryset, 5, orphans=2)
    assert ours.num_pages == django.num_pages == 4
    for number in ours.page_range:
        assert list(ours.page(number)) == list(django.page(number))
    assert list(ours.get_page(99)) == list(django.page(4))


def test_a_page_costs_a_count_the_ids_and_the_rows(customers, django_assert_num_queries):
    queryset = Customer.objects.select_related("category", "sales_owner").order_by("code")
    with django_assert_num_queries(3):
        page = LateRowPaginator(queryset, 10).get_page(2)
        assert [c.category.code for c in page] == ["AUTO"] * 10
