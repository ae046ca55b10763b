import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from customers.merge import merge_customers
from customers.models import Customer, Follow
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

LIST = reverse("customers:customer-list")


def follow_url(customer):
    return reverse("customers:customer-follow", args=[customer.pk])


def test_quality_user_follows_and_unfollows_a_customer_from_its_page(login, quality, alices_customer):
    client = login(quality)
    page = client.get(alices_customer.get_absolute_url()).content.decode()
    assert 'id="customer-follow"' in page

    response = client.post(follow_url(alices_customer), {"follow": "1"})
    assert response.status_code == 302
    assert Follow.objects.filter(user=quality, customer=alices_customer).exists()
    page = client.get(alices_customer.get_absolute_url()).content.decode()
    assert 'id="customer-unfollow"' in page

    client.post(follow_url(alices_customer), {"follow": "0"})
    assert not Follow.objects.filter(user=quality, customer=alices_customer).exists()


def test_following_twice_keeps_one_follow(login, alice, alices_customer):
    client = login(alice)
    client.post(follow_url(alices_customer), {"follow": "1"})
    client.post(follow_url(alices_customer), {"follow": "1"})
    assert Follow.objects.filter(user=alice, customer=alices_customer).count() == 1


def test_sales_user_cannot_follow_a_customer_outside_their_scope(login, alice, bobs_customer):
    response = login(alice).post(follow_url(bobs_customer), {"follow": "1"})
    assert response.status_code == 404
    assert not Follow.objects.exists()


def test_the_model_refuses_a_follow_outside_the_users_scope(alice, bobs_customer):
    with pytest.raises(ValidationError) as caught:
        bobs_customer.follow(alice)
    assert caught.value.message_dict == {"customer": ["只能关注您有权查看的客户。"]}


def test_a_user_follows_a_customer_once_by_the_named_constraint(alice, alices_customer):
    Follow.objects.create(user=alice, customer=alices_customer)
    with pytest.raises(ValidationError) as caught:
        Follow(user=alice, customer=alices_customer).validate_constraints()
    assert caught.value.messages == ["已关注这个客户。"]


def test_the_list_filters_the_customers_i_follow(login, quality, alices_customer, bobs_customer):
    alices_customer.follow(quality)
    response = login(quality).get(LIST, {"followed": "on"})
    assert list(response.context["page_obj"]) == [alices_customer]
    assert set(login(quality).get(LIST).context["page_obj"]) == {alices_customer, bobs_customer}


def test_a_follow_left_from_a_withdrawn_share_does_not_list_the_customer(login, alice, bobs_customer):
    bobs_customer.shared_with.add(alice)
    bobs_customer.follow(alice)
    bobs_customer.shared_with.remove(alice)
    response = login(alice).get(LIST, {"followed": "on"})
    assert list(response.context["page_obj"]) == []


def test_a_merge_keeps_one_follow_when_both_customers_were_followed(admin_user, quality, alice):
    kept = make_customer(name="青岛海尔股份有限公司", sales_owner=alice)
    duplicate = make_customer(name="青岛海尔股份有限责任公司", sales_owner=alice)
    kept.follow(quality)
    duplicate.follow(quality)
    merge_customers(kept, duplicate, by=admin_user)
    assert list(Follow.objects.values_list("user", "customer")) == [(quality.pk, kept.pk)]
    assert not Customer.objects.filter(pk=duplicate.pk).exists()
