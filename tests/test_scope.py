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
- MODULE_LISTINGS / MODULE_EXPORTS: the same for the later modules' records (`records_of`
  gives each a marker); each row is also asked by `quality`, who must see bob's records.
"""

import datetime
import io
import itertools
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook

from archive_site.models import DictKind
from customers.models import Customer, CustomerDocument
from imports.modules import registry
from quality.models import Decision
from tests.factories import (
    entry,
    make_contact,
    make_customer,
    make_demand,
    make_objection,
    make_order,
    make_part,
    make_plan,
    make_run,
)
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


def its_order(w, customer):
    return {"pk": make_order(customer, number=f"DD-{customer.code}-{next(_orders)}").pk}


def its_delivery(w, customer):
    order = make_order(customer, deliveries=[(f"COIL-{next(_orders)}", datetime.date(2025, 2, 1), 20)])
    return {"pk": order.deliveries.get().pk}


def delivery_data(w, kwargs):
    return {"coil_number": "26C09999", "date": "2025-03-10", "tons": "20"}


def order_edit_data(w, kwargs):
    from orders.models import Order

    order = Order.objects.get(pk=kwargs["pk"])
    return {
        "number": order.number,
        "customer": order.customer.code,
        "thickness": "0.8",
        "width": "1250",
        "quantity": "100",
        "order_date": "2025-01-02",
        "status": "placed",
        "remarks": "改过",
        "version": order.version,
    }


def its_objection(w, customer):
    return {"pk": make_objection(customer).pk}


_orders = itertools.count(1)

RECORD_URLS = [
    RecordUrl("customers:customer-detail", the_customer),
    RecordUrl("customers:customer-verify", the_customer, "post"),
    RecordUrl("customers:customer-follow", the_customer, "post", data=lambda w, kwargs: {"follow": "1"}),
    RecordUrl("orders:order-detail", its_order),
    RecordUrl("orders:order-edit", its_order),
    RecordUrl("orders:order-edit", its_order, "post", data=order_edit_data),
    RecordUrl("orders:order-delete", its_order),
    RecordUrl("orders:order-delete", its_order, "post"),
    RecordUrl("orders:delivery-create", its_order, "post", data=delivery_data),
    RecordUrl("orders:delivery-delete", its_delivery, "post"),
    RecordUrl("customers:customer-edit", the_customer),
    RecordUrl("customers:customer-edit", the_customer, "post", data=customer_form),
    RecordUrl("customers:customer-delete", the_customer),
    RecordUrl("customers:customer-delete", the_customer, "post"),
    RecordUrl("customers:document-create", the_customer),
    RecordUrl("customers:document-create", the_customer, "post", data=document_form),
    RecordUrl("customers:document-download", its_document),
    RecordUrl("customers:document-delete", its_document, "post"),
    RecordUrl("printing:eight-d", its_objection),
    RecordUrl("printing:eight-d-pdf", its_objection, "post"),
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
    from orders.models import Delivery

    return (
        list(Customer.objects.filter(pk=customer.pk).values()),
        list(customer.contacts.values()),
        list(customer.documents.values()),
        list(customer.orders.order_by("pk").values()),
        list(Delivery.objects.filter(order__customer=customer).order_by("pk").values()),
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


# Later modules: a record of each kind for bob's customer and for the shared one, each
# with a marker of its own, so a leak shows whichever column a page prints.
@dataclass
class Records:
    bobs: set  # markers of bob's customer's records: none may reach alice
    shared: set  # markers of the shared customer's records: they may


def records_of(customer, tag, approver):
    demand = make_demand(customer, name=f"{tag}专用需求")
    revision = make_plan(
        customer,
        demand=demand,
        name=f"{tag}专用方案",
        parameters=[("CAL", "SOAK_T", 820, 800, 840, "℃")],
        approved_by=approver,
    )
    make_run(revision, coil=f"{tag}COIL", SOAK_T=821)
    objection = make_objection(customer, description=f"{tag}门板橘皮缺陷", settlement_note=f"{tag}结算说明")
    part = make_part(customer, name=f"{tag}前门外板")
    order = make_order(
        customer,
        demand=demand,
        number=f"{tag}订单01",
        deliveries=[(f"{tag}交货卷", datetime.date(2025, 2, 1), 20)],
    )
    Decision.objects.create(
        customer=customer,
        defect_type=objection.defect_type,
        severity=objection.severity,
        verdict="not_acceptable",
        answer="…",
        coil_numbers=[f"{tag}判定卷"],
        tonnage=Decimal("10"),
        disposition="stock",
        created_by=approver,
    )
    return {
        order.number,
        f"{tag}交货卷",
        f"{tag}判定卷",
        customer.name,
        demand.name,
        revision.plan.code,
        revision.plan.name,
        f"{tag}COIL",
        objection.number,
        objection.description,
        objection.settlement_note,
        part.number,
        part.name,
    }


@pytest.fixture
def records(w, quality):
    return Records(bobs=records_of(w.bobs, "福田", quality), shared=records_of(w.shared, "长城", quality))


# (URL name, query, whether the shared customer's records show too): bob's customer
# must not show for alice, yet shows to `quality` who sees all (so the fixture is real).
MODULE_LISTINGS = [
    ("customers:demand-list", {}, True),
    ("customers:demand-list", {"customer": "汽车"}, True),
    ("customers:demand-list", {"name": "专用需求"}, True),
    ("customers:customer-picker", {"q": "汽车"}, True),
    ("customers:customer-picker", {"q": "汽车", "demands": "1"}, True),
    ("quality:plan-list", {}, True),
    ("quality:plan-list", {"q": "专用方案"}, True),
    ("quality:plan-reuse", {"production_grade": "{dc04}", "thickness": "0.8", "width": "1250"}, True),
    ("quality:objection-list", {}, True),
    ("quality:objection-list", {"q": "橘皮"}, True),
    ("quality:objection-list", {"customer": "汽车"}, True),
    ("quality:objection-list", {"customer": "C0001"}, False),
    ("quality:judgement", {"customer": "C0001", "defect": "SCRATCH", "severity": "2"}, False),
    ("products:part-list", {}, True),
    ("products:part-list", {"customer": "汽车"}, True),
    ("products:part-list", {"customer_id": "{bobs}"}, False),
    ("products:statistics", {"q": "汽车"}, True),
    ("products:statistics", {"q": "福田"}, False),
    ("orders:order-list", {}, True),
    ("orders:order-list", {"customer": "汽车"}, True),
    ("orders:order-list", {"q": "订单"}, True),
    ("orders:order-list", {"customer_id": "{bobs}"}, False),
    ("orders:delivery-list", {}, True),
    ("orders:delivery-list", {"coil": "福田"}, False),
    ("customers:completeness-report", {}, True),
    ("customers:completeness-report", {"q": "汽车"}, True),
    ("customers:completeness-report", {"sales_owner": "{bob}"}, True),
]

MODULE_EXPORTS = [
    ("customers:demand-export", {}),
    ("customers:demand-export", {"customer": "汽车"}),
    ("quality:plan-export", {}),
    ("quality:objection-export", {}),
    ("quality:objection-export", {"q": "橘皮"}),
    ("quality:objection-stats-export", {"date_from": "2000-01-01"}),
    ("products:part-export", {}),
    ("products:part-export", {"customer": "汽车"}),
    ("products:statistics-export", {"q": "汽车"}),
    ("orders:order-export", {}),
    ("orders:order-export", {"customer": "汽车"}),
    ("orders:delivery-export", {}),
    ("customers:completeness-export", {}),
    ("customers:completeness-export", {"q": "汽车"}),
] + [
    ("imports:export", {"module": key})
    for key in registry
    if key != "dictionaries"  # the dictionaries belong to no customer
]


def module_query(params, w):
    dc04 = entry(DictKind.PRODUCTION_GRADE, "DC04").pk
    return {k: v.format(bob=w.bob.pk, bobs=w.bobs.pk, dc04=dc04) for k, v in params.items()}


def leaked(markers, found):
    """The markers present in `found` (a text, or the set of a workbook's values)."""
    if isinstance(found, str):
        return {m for m in markers if m in found}
    return {m for m in markers if any(m in v for v in found)}


def get_module_listing(client, name, params, w):
    response = client.get(reverse(name), module_query(params, w))
    assert response.status_code == 200
    return text_of(response)


@pytest.mark.parametrize(("name", "params", "shared"), MODULE_LISTINGS)
def test_module_lists_and_searches_do_not_show_another_users_records(
    login, w, records, quality, name, params, shared
):
    text = get_module_listing(login(w.alice), name, params, w)
    assert leaked(records.bobs, text) == set()
    if shared:
        assert leaked(records.shared, text)
    assert leaked(records.bobs, get_module_listing(login(quality), name, params, w))


def export_values(client, name, params):
    kwargs = {"module": params.pop("module")} if "module" in params else None
    response = client.get(reverse(name, kwargs=kwargs), params)
    assert response.status_code == 200
    return workbook_values(response)


@pytest.mark.parametrize(("name", "params"), MODULE_EXPORTS)
def test_module_exports_do_not_contain_another_users_records(login, w, records, quality, name, params):
    # No role both exports objections (or decisions) and is scoped: grant it to alice, so the
    # scope is what is tested.
    for codename in ("export_objection", "export_decision"):
        permission = Permission.objects.get(content_type__app_label="quality", codename=codename)
        w.alice.user_permissions.add(permission)
    values = export_values(login(w.alice), name, dict(params))
    assert leaked(records.bobs, values) == set()
    assert leaked(records.shared, values)
    assert leaked(records.bobs, export_values(login(quality), name, dict(params)))


@pytest.mark.parametrize(
    "params", [{}, {"date_from": "2000-01-01"}, {"customer": "C0009"}], ids=["default", "across", "shared"]
)
def test_objection_statistics_count_only_the_users_objections(login, w, records, quality, params):
    def total(user):
        response = login(user).get(reverse("quality:objection-stats"), params)
        assert response.status_code == 200
        return response.context["stats"]["total"], text_of(response)

    alices, text = total(w.alice)
    assert alices == 1  # the shared customer's objection only
    assert BOBS not in text
    assert total(quality)[0] == (1 if params.get("customer") else 2)


def test_objection_statistics_of_another_users_customer_are_refused(login, w, records):
    response = login(w.alice).get(reverse("quality:objection-stats"), {"customer": "C0001"})
    assert response.status_code == 200
    assert response.context["stats"] is None and "customer" in response.context["form"].errors
    assert leaked(records.bobs - {"C0001"}, text_of(response)) == set()


def test_judgement_api_answers_404_for_another_users_customer(login, w, records, quality):
    query = {"customer": "C0001", "defect": "SCRATCH", "severity": "2"}
    response = login(w.alice).get(reverse("quality:judgement-api"), query)
    assert response.status_code == 404
    assert leaked(records.bobs, text_of(response)) == set()
    response = login(quality).get(reverse("quality:judgement-api"), query)
    assert response.status_code == 200 and response.json()["count"] == 1


def test_judgement_api_counts_the_shared_customers_objection(login, w, records):
    query = {"customer": "C0009", "defect": "SCRATCH", "severity": "2"}
    response = login(w.alice).get(reverse("quality:judgement-api"), query)
    assert response.status_code == 200 and response.json()["count"] == 1


def test_customer_batch_print_of_another_users_customer_is_404(login, w, records, engineer):
    from printing.models import PrintJob
    from printing.tasks import print_batch

    url = reverse("printing:customer-sheets", kwargs={"pk": w.bobs.pk})
    assert login(w.alice).post(url).status_code == 404
    assert login(engineer).post(url).status_code == 302  # who sees all and may print: a batch job
    job = PrintJob.objects.get()
    print_batch.call(job.pk)
    response = login(engineer).get(reverse("printing:batch-pdf", kwargs={"pk": job.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_objection_rates_divide_by_the_deliveries_the_user_may_see(login, w, records, quality):
    def total(user):
        response = login(user).get(reverse("quality:objection-stats"), {"date_from": "2000-01-01"})
        return response.context["stats"]["rates"]["total"]

    alices = total(w.alice)
    assert (alices.objections, alices.delivered) == (1, 20)  # the shared customer's only
    everyone = total(quality)
    assert (everyone.objections, everyone.delivered) == (2, 40)


def test_maintenance_figures_count_only_the_customers_the_user_may_see(login, w, records):
    response = login(w.alice).get(reverse("customers:maintenance"))
    figures = {f.owner: f.customers for f in response.context["figures"]}
    assert figures == {w.alice: 1, w.bob: 1}  # her own, and bob's customer shared with her


def test_work_queues_and_due_dates_do_not_show_another_users_objections(login, w, records, quality):
    """The queue and due-date filters narrow the scoped list, never widen it."""
    from quality.models import DeadlineRule

    DeadlineRule.objects.filter(customer=None, severity=2).delete()
    DeadlineRule.objects.create(severity=2, response_days=0, containment_days=0, cause_days=5, closure_days=9)
    for params in ({"queue": "week"}, {"due_after": "2000-01-01"}):
        text = text_of(login(w.alice).get(reverse("quality:objection-list"), params))
        assert BOBS not in text and "福田" not in text
        assert "长城" in text
        assert "福田" in text_of(login(quality).get(reverse("quality:objection-list"), params))


def test_deadline_rules_of_another_users_customer_do_not_show(login, w, quality):
    """Key accounts' rules name their customer: a reader of the rules sees only those in scope."""
    from quality.models import DeadlineRule

    days = {"response_days": 1, "containment_days": 1, "cause_days": 5, "closure_days": 9}
    for customer in (w.bobs, w.shared):
        DeadlineRule.objects.create(severity=3, customer=customer, **days)
    w.alice.user_permissions.add(Permission.objects.get(codename="view_deadlinerule"))
    text = text_of(login(w.alice).get(reverse("quality:deadline-rule-list")))
    assert BOBS not in text and SHARED in text and "所有客户" in text
    assert BOBS in text_of(login(quality).get(reverse("quality:deadline-rule-list")))


# Sharing with a role or department (a group): each member sees the customer and its records,
# exactly as if it were shared with them; leaving the group takes it out of their scope.


@pytest.fixture
def department(w):
    """Alice's department; the customer bob shared with her is shared with it instead."""
    institute = Group.objects.create(name="技术研究院")
    w.alice.groups.add(institute)
    w.shared.shared_with.remove(w.alice)
    w.shared.shared_with_groups.add(institute)
    return institute


@pytest.mark.parametrize("url", [u for u in RECORD_URLS if u.method == "get"], ids=str)
def test_a_member_reaches_a_customer_shared_with_her_department(login, w, department, url):
    response = login(w.alice).get(reverse(url.name, kwargs=url.kwargs(w, w.shared)))
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code == url.shared


@pytest.mark.parametrize(("name", "params"), LISTINGS)
def test_lists_show_a_customer_shared_with_the_users_department_and_no_other(
    login, w, department, name, params
):
    text = text_of(login(w.alice).get(reverse(name), query(params, w)))
    assert SHARED in text
    assert BOBS not in text and "C0001" not in text


@pytest.mark.parametrize(("name", "params", "shared"), MODULE_LISTINGS)
def test_module_lists_show_the_records_of_a_customer_shared_with_the_users_department(
    login, w, department, records, name, params, shared
):
    text = get_module_listing(login(w.alice), name, params, w)
    assert leaked(records.bobs, text) == set()
    if shared:
        assert leaked(records.shared, text)


def test_leaving_the_department_takes_its_shared_customer_out_of_scope(login, w, department, records):
    from quality.models import Objection

    w.alice.groups.remove(department)
    assert login(w.alice).get(reverse("customers:customer-detail", args=[w.shared.pk])).status_code == 404
    assert not Customer.objects.visible_to(w.alice).filter(pk=w.shared.pk).exists()
    assert not Objection.objects.visible_to(w.alice).filter(customer=w.shared).exists()


def test_a_customer_shared_with_another_department_stays_out_of_scope(login, w, department):
    w.bobs.shared_with_groups.add(Group.objects.create(name="销售公司"))
    assert login(w.alice).get(reverse("customers:customer-detail", args=[w.bobs.pk])).status_code == 404
    assert set(Customer.objects.visible_to(w.alice)) == {w.shared, w.alices}


def test_the_customer_form_shares_with_a_department(login, w, department):
    data = customer_form(w, {"pk": w.alices.pk})
    data["shared_with_groups"] = [department.pk]
    response = login(w.alice).post(reverse("customers:customer-edit", args=[w.alices.pk]), data)
    assert response.status_code == 302
    assert list(w.alices.shared_with_groups.all()) == [department]
    page = login(w.alice).get(reverse("customers:customer-detail", args=[w.alices.pk])).content.decode()
    assert "技术研究院" in page
