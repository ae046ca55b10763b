"""`lookups.Ids`: the keys a query selects, read by the database as one array for `__any`."""

import pytest

from archive_site.accounts import roles
from archive_site.lookups import Ids
from customers.models import Customer, CustomerShare
from quality.models import Objection
from tests.factories import make_customer, make_objection, make_user

pytestmark = pytest.mark.django_db


def test_the_keys_select_what_the_query_selects(alice, alices_customer, bobs_customer):
    CustomerShare.objects.create(customer=make_customer(name="共享客户"), user=alice)
    owned = Customer.objects.filter(sales_owner=alice).values("pk")
    shared = CustomerShare.objects.filter(user=alice).values("customer")
    ids = Ids.of(owned.union(shared))
    expected = {alices_customer.pk, Customer.objects.get(name="共享客户").pk}
    assert len(ids) == 2 and set(ids) == expected
    assert set(Customer.objects.filter(pk__any=ids).values_list("pk", flat=True)) == expected
    make_objection(alices_customer)
    make_objection(bobs_customer)
    assert [o.customer for o in Objection.objects.filter(customer__any=ids)] == [alices_customer]


def test_no_keys_select_nothing(alices_customer):
    for ids in (Ids.of(Customer.objects.filter(name="无").values("pk")), Ids.of(Customer.objects.none())):
        assert len(ids) == 0 and list(ids) == []
        assert not Customer.objects.filter(pk__any=ids).exists()


def test_a_salesman_without_customers_lists_nothing(login):
    nobody = make_user("nobody", roles.SALES)
    make_objection(make_customer(name="别人的客户"))
    page = login(nobody).get("/quality/objections/")
    assert page.status_code == 200 and not page.context["page_obj"].object_list
