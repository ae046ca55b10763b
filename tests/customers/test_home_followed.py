"""The home page's panel of the customers a user follows: the latest changes to them and their
records, within the user's scope, in a number of queries that does not grow with the history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Customer, Follow
from tests.factories import make_contact, make_customer, make_demand, make_objection

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def panel(client):
    (context,) = [c for c in client.get(HOME).context if "followed" in c]
    return context


def test_a_user_who_follows_nobody_is_told_how_to_follow(login, alice):
    page = login(alice).get(HOME).content.decode()
    assert 'id="home-followed"' in page
    assert "你还没有关注客户" in page


def test_the_changes_of_followed_customers_and_their_records(login, alice, alices_customer, bobs_customer):
    other = make_customer(name="美的集团股份有限公司", short_name="美的", sales_owner=alice)
    Follow.objects.create(user=alice, customer=alices_customer)
    alices_customer.phone = "0532-88888888"
    alices_customer.save()
    make_contact(alices_customer, name="孙工")
    make_demand(alices_customer, name="冰箱侧板用 DC03")
    make_demand(other)  # not followed
    make_demand(bobs_customer)  # not hers
    context = panel(login(alice))
    changes = context["changes"]
    haier = "青岛海尔股份有限公司"
    # One test transaction gives every event the same time: compared without their order.
    assert sorted((c["action"], c["object"]) for c in changes) == sorted(
        [("修改", haier), ("新建", haier), ("新建", "孙工"), ("新建", "冰箱侧板用 DC03")]
    )
    assert {c["customer"] for c in changes} == {alices_customer}
    (update,) = [c for c in changes if c["action"] == "修改"]
    assert "电话" in update["fields"]  # the update names the field it changed
    page = login(alice).get(HOME).content.decode()
    assert f'href="{alices_customer.get_absolute_url()}#history"' in page


def test_a_followed_customer_out_of_scope_shows_nothing(login, alice, alices_customer, bob):
    Follow.objects.create(user=alice, customer=alices_customer)
    Customer.objects.filter(pk=alices_customer.pk).update(sales_owner=bob)  # handed over to bob
    make_demand(alices_customer)
    context = panel(login(alice))
    assert context["followed"] == [] and context["changes"] == []


def test_the_panel_is_in_english_too(login, alice, alices_customer):
    client = login(alice)
    client.post(reverse("set_language"), {"language": "en", "next": HOME})
    assert "Recent changes to the customers I follow" in client.get(HOME).content.decode()


def home_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(HOME).status_code == 200
    return len(ctx.captured_queries)


def test_the_panels_query_count_does_not_grow_with_the_followed_history(login, alice, alices_customer):
    client = login(alice)
    Follow.objects.create(user=alice, customer=alices_customer)
    make_demand(alices_customer)
    small = home_queries(client)
    for i in range(5):
        customer = make_customer(sales_owner=alice)
        Follow.objects.create(user=alice, customer=customer)
        make_contact(customer, name=f"联系人{i}")
        make_demand(customer, name=f"需求{i}")
        make_objection(customer)
    assert home_queries(client) == small
