import pytest
from django.urls import reverse

from tests.factories import make_customer

pytestmark = pytest.mark.django_db

LIST = reverse("customers:customer-list")


def test_list_finds_customer_by_two_character_chinese_term(login, quality, alices_customer, bobs_customer):
    response = login(quality).get(LIST, {"q": "海尔"})
    assert list(response.context["page_obj"]) == [alices_customer]


def test_list_finds_customer_by_one_character_term(login, quality, alices_customer, bobs_customer):
    response = login(quality).get(LIST, {"q": "田"})
    assert list(response.context["page_obj"]) == [bobs_customer]


def test_list_finds_by_code_ignoring_case(login, quality, alices_customer, bobs_customer):
    response = login(quality).get(LIST, {"q": "c0005"})
    assert list(response.context["page_obj"]) == [alices_customer]


def test_search_matches_within_one_field_only(login, quality):
    # "尔北" spans the end of one name and the start of another field: no match.
    make_customer(name="海尔", short_name="北方")
    response = login(quality).get(LIST, {"q": "尔北"})
    assert list(response.context["page_obj"]) == []


def test_sales_user_lists_only_own_and_shared_customers(login, alice, bob, alices_customer, bobs_customer):
    shared = make_customer(name="共享客户", sales_owner=bob)
    shared.shared_with.add(alice)
    response = login(alice).get(LIST)
    assert set(response.context["page_obj"]) == {alices_customer, shared}


def test_list_filters_by_status_and_region(login, quality):
    make_customer(name="甲", region="北京", status="active")
    wanted = make_customer(name="乙", region="北京市", status="suspended")
    make_customer(name="丙", region="上海", status="suspended")
    response = login(quality).get(LIST, {"status": "suspended", "region": "北京"})
    assert list(response.context["page_obj"]) == [wanted]


def test_list_sorts_by_name_descending(login, quality):
    a = make_customer(name="A公司")
    b = make_customer(name="B公司")
    response = login(quality).get(LIST, {"o": "-name"})
    assert list(response.context["page_obj"]) == [b, a]


@pytest.mark.parametrize("rows", [3, 60])
def test_list_runs_a_constant_number_of_queries(login, quality, django_assert_num_queries, rows):
    for _ in range(rows):
        make_customer()
    client = login(quality)
    # session, user, savepoint + release (ATOMIC_REQUESTS), permissions, count,
    # filter choices x2 (categories, users), the page's ids, the page of customers
    with django_assert_num_queries(10):
        response = client.get(LIST)
    assert response.status_code == 200
