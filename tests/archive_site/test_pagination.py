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


# A sort the user chooses ---------------------------------------------------------------------


def every_filterset():
    """Every FilterSet of the project's lists (their views import them with the URLs)."""
    import django_filters
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports every view, and so every filter)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return [f for f in subclasses(django_filters.FilterSet) if not f.__module__.startswith("django_filters")]


def test_every_lists_sort_breaks_ties_by_the_rows_key():
    from django_filters import OrderingFilter

    from archive_site.pagination import StableOrderingFilter

    sorts = [
        (filterset.__name__, name, f)
        for filterset in every_filterset()
        for name, f in filterset.base_filters.items()
        if isinstance(f, OrderingFilter)
    ]
    assert len(sorts) >= 9, sorts
    assert [(fs, name) for fs, name, f in sorts if not isinstance(f, StableOrderingFilter)] == []


def test_pages_sorted_by_a_field_with_ties_split_the_rows(login, admin_user):
    """Sorted by annual demand or status, where many customers tie, each customer is on exactly
    one page."""
    from django.urls import reverse

    everyone = sorted(make_customer(code=f"T{i:03d}", annual_demand=i % 2).code for i in range(240))
    client = login(admin_user)
    for sort in ("annual_demand", "-annual_demand", "status", "-status"):
        seen = []
        for page in (1, 2, 3, 4, 5):
            response = client.get(reverse("customers:customer-list"), {"o": sort, "page": page})
            seen += [c.code for c in response.context["page_obj"] if c.code.startswith("T")]
        assert sorted(seen) == everyone, sort
