"""A scoped sales user cannot reach, find or export another user's customer by any URL.

Alice (sales, no "view all customers") and bob (sales) each own a customer; bob has
shared a third customer with alice. Alice must get 404 for every URL of bob's customer
and of anything that belongs to it, must not find it in any list, search or pop-up,
and must not get it in any export — while the shared customer behaves like her own.

To cover a later module, add a line:
- RECORD_URLS: each URL of a record of one customer — `kwargs(w, customer)` builds the
  URL's kwargs for a record of `customer` (create it with the factories). Alice gets
  404 for bob's customer and the URL's usual answer for the shared one.
- LISTINGS: each list, search or pop-up (query parameters that would match bob's
  customer); EXPORTS: each .xlsx export.
"""

import io
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook

from customers.models import Customer, CustomerDocument
from tests.factories import make_contact, make_customer
from tests.test_permission_matrix import customer_form, document_form, png_bytes

pytestmark = pytest.mark.django_db

BOBS = "北汽福田汽车股份有限公司"
SHARED = "长城汽车股份有限公司"
ALICES = "青岛海尔股份有限公司"


@dataclass
class World:
    alice: Any
    bob: Any
    bobs: Customer  # bob's customer, outside alice's scope
    shared: Customer  # bob's, shared with alice
    alices: Customer
    cache: dict = field(default_factory=dict)


def document_of(customer):
    doc = CustomerDocument(customer=customer, kind="contract", title="供货合同")
    doc.file.save("contract.png", ContentFile(png_bytes()), save=True)
    return doc


@dataclass
class RecordUrl:
    name: str
    kwargs: Any  # (world, customer) -> URL kwargs
    method: str = "get"
    data: Any = None  # (world, kwargs) -> POST data: a valid form, so the 404 is the scope's doing
    shared: int = 200  # alice's answer for the shared customer's record (GET only)

    def __str__(self):
        return f"{self.method.upper()} {self.name}"


def the_customer(w, customer):
    return {"pk": customer.pk}


def its_document(w, customer):
    return {"pk": document_of(customer).pk}


RECORD_URLS = [
    RecordUrl("customers:customer-detail", the_customer),
    RecordUrl("customers:customer-edit", the_customer),
    RecordUrl("customers:customer-edit", the_customer, "post", data=customer_form),
    RecordUrl("customers:customer-delete", the_customer),
    RecordUrl("customers:customer-delete", the_customer, "post"),
    RecordUrl("customers:document-create", the_customer),
    RecordUrl("customers:document-create", the_customer, "post", data=document_form),
    RecordUrl("customers:document-download", its_document),
    RecordUrl("customers:document-delete", its_document, "post"),
]

# (URL name, query) matching both of bob's customers: only the shared one may show.
# "{bob}" is replaced by bob's id.
LISTINGS = [
    ("customers:customer-list", {}),
    ("customers:customer-list", {"q": "汽车"}),
    ("customers:customer-list", {"q": "C000"}),
    ("customers:customer-list", {"sales_owner": "{bob}"}),
]

EXPORTS = [
    ("customers:customer-export", {}),
    ("customers:customer-export", {"q": "汽车"}),
    ("customers:customer-export", {"q": "C000"}),
    ("customers:customer-export", {"sales_owner": "{bob}"}),
]


@pytest.fixture
def w(alice, bob):
    bobs = make_customer(name=BOBS, short_name="福田", code="C0001", sales_owner=bob)
    make_contact(bobs, name="福田采购", mobile="13900000001")
    shared = make_customer(name=SHARED, short_name="长城", code="C0009", sales_owner=bob)
    shared.shared_with.add(alice)
    alices = make_customer(name=ALICES, short_name="海尔", code="C0005", sales_owner=alice)
    return World(alice=alice, bob=bob, bobs=bobs, shared=shared, alices=alices)


def fingerprint(customer):
    """What a refused request must leave as it was."""
    return (
        list(Customer.objects.filter(pk=customer.pk).values()),
        list(customer.contacts.values()),
        list(customer.documents.values()),
    )


def query(params, w):
    return {k: v.format(bob=w.bob.pk) for k, v in params.items()}


def text_of(response):
    """The response as text, JSON un-escaped (\\u5317 would hide a leaked name)."""
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def workbook_values(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return {
        str(v)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
        for v in row
        if v is not None
    }


@pytest.mark.parametrize("url", RECORD_URLS, ids=str)
def test_sales_user_gets_404_for_another_users_customer(login, w, url):
    kwargs = url.kwargs(w, w.bobs)
    before = fingerprint(w.bobs)
    client = login(w.alice)
    path = reverse(url.name, kwargs=kwargs)
    if url.method == "post":
        response = client.post(path, url.data(w, kwargs) if url.data else {})
    else:
        response = client.get(path)
    assert response.status_code == 404
    assert fingerprint(w.bobs) == before


@pytest.mark.parametrize("url", [u for u in RECORD_URLS if u.method == "get"], ids=str)
def test_sales_user_reaches_a_customer_shared_with_her(login, w, url):
    response = login(w.alice).get(reverse(url.name, kwargs=url.kwargs(w, w.shared)))
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code == url.shared


@pytest.mark.parametrize(("name", "params"), LISTINGS)
def test_lists_and_searches_do_not_show_another_users_customer(login, w, name, params):
    response = login(w.alice).get(reverse(name), query(params, w))
    assert response.status_code == 200
    text = text_of(response)
    assert BOBS not in text and "C0001" not in text
    assert SHARED in text


@pytest.mark.parametrize(("name", "params"), EXPORTS)
def test_exports_do_not_contain_another_users_customer(login, w, name, params):
    response = login(w.alice).get(reverse(name), query(params, w))
    assert response.status_code == 200
    values = workbook_values(response)
    assert BOBS not in values and "C0001" not in values
    assert SHARED in values


def test_the_same_export_gives_everything_to_a_user_who_sees_all(login, w, quality):
    values = workbook_values(login(quality).get(reverse("customers:customer-export")))
    assert {BOBS, SHARED, ALICES} <= values
