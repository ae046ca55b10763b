"""Work on the customers ticked on the list: hand them to another sales owner, share them, export
them — each confirmed first, all or none, refused as a whole for a customer outside one's scope."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from archive_site.accounts import roles
from customers.models import Customer, CustomerShare
from tests.factories import make_customer, make_user

OWNER = reverse("customers:customer-bulk-owner")
SHARE = reverse("customers:customer-bulk-share")
EXPORT = reverse("customers:customer-bulk-export")
LIST = reverse("customers:customer-list")


@pytest.fixture
def carol(db):
    return make_user("carol", roles.SALES, name="陈销")


def ticked(*customers, **more):
    data = {"ids": [c.pk for c in customers], "next": f"{LIST}?status=active"}
    for c in customers:
        data[f"version_{c.pk}"] = Customer.objects.get(pk=c.pk).version
    return data | more


def owners(*customers):
    return [Customer.objects.get(pk=c.pk).sales_owner for c in customers]


def test_the_list_offers_a_box_per_row_and_one_for_the_page(login, admin_user, alices_customer):
    page = login(admin_user).get(LIST).content.decode()
    assert f'name="ids" value="{alices_customer.pk}" form="customer-selection"' in page
    assert 'data-select-all="ids"' in page and "js/selection.js" in page
    assert (
        f'formaction="{OWNER}"' in page
        and f'formaction="{SHARE}"' in page
        and f'formaction="{EXPORT}"' in page
    )


def test_a_sales_user_is_offered_sharing_and_export_but_not_handing_over(
    login, alice, viewer, alices_customer
):
    page = login(alice).get(LIST).content.decode()
    assert f'formaction="{SHARE}"' in page and f'formaction="{OWNER}"' not in page
    page = login(viewer).get(LIST).content.decode()
    assert 'form="customer-selection"' not in page  # the viewer changes and exports nothing


def test_handing_over_shows_what_will_change_and_changes_nothing_until_confirmed(
    login, admin_user, alice, bob, alices_customer, bobs_customer
):
    response = login(admin_user).post(OWNER, ticked(alices_customer, bobs_customer))
    assert response.status_code == 200
    page = response.content.decode()
    assert alices_customer.name in page and bobs_customer.name in page
    assert "王丽" in page and "鲍勃" in page  # their owners now
    assert 'name="confirm"' in page
    assert owners(alices_customer, bobs_customer) == [alice, bob]


def test_handing_over_gives_every_ticked_customer_to_the_new_owner(
    login, admin_user, alice, carol, alices_customer, bobs_customer
):
    data = ticked(alices_customer, bobs_customer, sales_owner=carol.pk, confirm="1")
    response = login(admin_user).post(OWNER, data, follow=True)
    assert response.redirect_chain[-1][0] == f"{LIST}?status=active"
    assert "2 个客户的负责销售已改为 陈销" in response.content.decode()
    assert owners(alices_customer, bobs_customer) == [carol, carol]
    changed = Customer.objects.get(pk=alices_customer.pk)
    assert changed.updated_by == admin_user and changed.version == alices_customer.version + 1


def test_a_stale_selection_changes_none_of_the_customers(
    login, admin_user, alice, bob, carol, alices_customer, bobs_customer
):
    data = ticked(alices_customer, bobs_customer, sales_owner=carol.pk, confirm="1")
    Customer.objects.filter(pk=bobs_customer.pk).update(version=bobs_customer.version + 1)  # saved meanwhile
    response = login(admin_user).post(OWNER, data, follow=True)
    assert "他人已保存了这条记录" in response.content.decode()
    assert owners(alices_customer, bobs_customer) == [alice, bob]


def test_a_customer_outside_ones_scope_refuses_the_whole_selection_and_says_which(
    login, alice, carol, alices_customer, bobs_customer
):
    data = ticked(alices_customer, bobs_customer, users=[carol.pk], confirm="1")
    response = login(alice).post(SHARE, data)
    assert response.status_code == 404
    assert f"ID {bobs_customer.pk}" in response.content.decode()
    assert f"ID {alices_customer.pk}" not in response.content.decode()
    assert not CustomerShare.objects.exists()


def test_an_id_that_names_no_customer_is_refused(login, admin_user, carol, alices_customer):
    data = ticked(alices_customer, sales_owner=carol.pk, confirm="1") | {"ids": [alices_customer.pk, 999999]}
    response = login(admin_user).post(OWNER, data)
    assert response.status_code == 404 and "ID 999999" in response.content.decode()
    assert owners(alices_customer) == [alices_customer.sales_owner]


def test_handing_over_needs_the_right_to_see_every_customer(login, alice, carol, alices_customer):
    response = login(alice).post(OWNER, ticked(alices_customer, sales_owner=carol.pk, confirm="1"))
    assert response.status_code == 403
    assert owners(alices_customer) == [alices_customer.sales_owner]


def test_sharing_adds_users_and_keeps_the_shares_there_are(login, alice, bob, carol, alices_customer):
    second = make_customer(sales_owner=alice)
    CustomerShare.objects.create(customer=second, user=bob)
    data = ticked(alices_customer, second, users=[bob.pk, carol.pk], confirm="1")
    response = login(alice).post(SHARE, data, follow=True)
    assert "2 个客户已共享给" in response.content.decode()
    shared = set(CustomerShare.objects.values_list("customer_id", "user_id"))
    assert shared == {
        (alices_customer.pk, bob.pk),
        (alices_customer.pk, carol.pk),
        (second.pk, bob.pk),
        (second.pk, carol.pk),
    }
    assert Customer.objects.visible_to(carol).count() == 2


def test_sharing_without_choosing_anyone_asks_again(login, alice, alices_customer):
    response = login(alice).post(SHARE, ticked(alices_customer, confirm="1"))
    assert response.status_code == 200 and response.context["form"].errors
    assert not CustomerShare.objects.exists()


def test_nothing_ticked_says_so(login, admin_user):
    response = login(admin_user).post(OWNER, {"next": LIST}, follow=True)
    assert "请先勾选客户" in response.content.decode()


def test_the_export_of_the_selection_holds_the_ticked_customers_only(
    login, admin_user, alices_customer, bobs_customer
):
    make_customer(name="未勾选的客户")
    response = login(admin_user).post(EXPORT, ticked(alices_customer, bobs_customer))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {alices_customer.name, bobs_customer.name}


def test_the_export_of_the_selection_needs_the_export_permission(login, viewer, alices_customer):
    assert login(viewer).post(EXPORT, ticked(alices_customer)).status_code == 403


@pytest.mark.parametrize("action", ["owner", "share"])
def test_an_action_on_six_customers_takes_as_many_queries_as_on_two(
    action, login, admin_user, carol, django_assert_num_queries
):
    client = login(admin_user)
    url, more = (OWNER, {"sales_owner": carol.pk}) if action == "owner" else (SHARE, {"users": [carol.pk]})
    two, six = [make_customer() for _ in range(2)], [make_customer() for _ in range(6)]
    asked = {n: ticked(*cs) for n, cs in ((2, two), (6, six))}  # read the versions before counting
    confirmed = {n: ticked(*cs, confirm="1", **more) for n, cs in ((2, two), (6, six))}
    with CaptureQueriesContext(connection) as confirm_page:
        assert client.post(url, asked[2]).status_code == 200
    with CaptureQueriesContext(connection) as done:
        assert client.post(url, confirmed[2]).status_code == 302
    with django_assert_num_queries(len(confirm_page)):
        assert client.post(url, asked[6]).status_code == 200
    with django_assert_num_queries(len(done)):
        assert client.post(url, confirmed[6]).status_code == 302
    assert Customer.objects.visible_to(carol).count() == 8
