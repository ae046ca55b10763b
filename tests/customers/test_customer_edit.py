import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive_site.models import DictKind
from customers.models import Customer
from tests.factories import (
    entry,
    make_contact,
    make_customer,
    make_demand,
    make_objection,
    make_part,
    make_plan,
)

pytestmark = pytest.mark.django_db

VALID_CREDIT_CODE = "91110000102632941M"


def form_data(customer=None, **overrides):
    """The POST of the customer form, with an empty contact formset."""
    data = {
        "code": "C9001",
        "name": "安徽江淮汽车集团股份有限公司",
        "short_name": "江淮",
        "category": entry(DictKind.CUSTOMER_CATEGORY, "AUTO").pk,
        "status": "active",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
    }
    if customer:
        for field in ["code", "name", "short_name", "status", "region", "remarks", "credit_code"]:
            data[field] = getattr(customer, field)
        data["category"] = customer.category_id
        data["version"] = customer.version
        data["sales_owner"] = customer.sales_owner_id or ""
    data.update(overrides)
    return data


def with_contacts(data, *contacts):
    data["contacts-TOTAL_FORMS"] = str(len(contacts))
    for i, contact in enumerate(contacts):
        for key, value in contact.items():
            data[f"contacts-{i}-{key}"] = value
    return data


def test_sales_user_creates_customer_with_contact_and_owns_it(login, alice):
    data = with_contacts(form_data(credit_code=VALID_CREDIT_CODE), {"name": "刘工", "mobile": "13812345678"})
    response = login(alice).post(reverse("customers:customer-create"), data)
    customer = Customer.objects.get(code="C9001")
    assert response.status_code == 302
    assert response.url == customer.get_absolute_url()
    assert customer.sales_owner == alice
    assert customer.created_by == alice
    assert [c.name for c in customer.contacts.all()] == ["刘工"]


def test_scoped_sales_user_cannot_hand_customer_to_someone_else(login, alice, bob):
    login(alice).post(reverse("customers:customer-create"), form_data(sales_owner=bob.pk))
    assert Customer.objects.get(code="C9001").sales_owner == alice


def test_duplicate_name_and_code_are_refused(login, alice, alices_customer):
    data = form_data(code=alices_customer.code, name=alices_customer.name)
    response = login(alice).post(reverse("customers:customer-create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "code" in errors and "name" in errors
    assert Customer.objects.count() == 1


@pytest.mark.parametrize("code", ["91110000102632941A", "123", "91110000102632941I"])
def test_wrong_credit_code_is_refused(login, alice, code):
    response = login(alice).post(reverse("customers:customer-create"), form_data(credit_code=code))
    assert "统一社会信用代码无效" in str(response.context["form"].errors["credit_code"])
    assert not Customer.objects.exists()


def test_credit_code_is_accepted_in_lower_case(login, alice):
    login(alice).post(reverse("customers:customer-create"), form_data(credit_code=VALID_CREDIT_CODE.lower()))
    assert Customer.objects.get().credit_code == VALID_CREDIT_CODE


def test_bad_phone_in_contact_row_saves_nothing(login, alice):
    data = with_contacts(form_data(), {"name": "刘工", "mobile": "12345"})
    response = login(alice).post(reverse("customers:customer-create"), data)
    assert response.status_code == 200
    assert "手机号码格式不正确" in response.content.decode()
    assert not Customer.objects.exists()


def test_script_in_text_fields_is_shown_escaped(login, alice):
    login(alice).post(reverse("customers:customer-create"), form_data(remarks="<script>alert(1)</script>"))
    response = login(alice).get(Customer.objects.get().get_absolute_url())
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_stale_edit_is_refused_and_keeps_the_other_change(login, alice, alices_customer):
    client = login(alice)
    url = reverse("customers:customer-edit", args=[alices_customer.pk])
    stale = form_data(alices_customer, remarks="我的修改")
    # Someone else saves first.
    client.post(url, form_data(alices_customer, remarks="别人的修改"))
    response = client.post(url, stale)
    assert response.status_code == 200
    assert "他人已保存" in response.content.decode()
    alices_customer.refresh_from_db()
    assert alices_customer.remarks == "别人的修改"
    assert alices_customer.version == 2


def test_edit_adds_and_removes_contacts_together(login, alice, alices_customer):
    old = make_contact(alices_customer, name="旧联系人")
    data = form_data(alices_customer)
    data.update({"contacts-INITIAL_FORMS": "1"})
    with_contacts(
        data,
        {
            "id": old.pk,
            "customer": alices_customer.pk,
            "name": old.name,
            "DELETE": "on",
            "version": old.version,
        },
        {"name": "新联系人", "phone": "010-12345678"},
    )
    data["contacts-INITIAL_FORMS"] = "1"
    response = login(alice).post(reverse("customers:customer-edit", args=[alices_customer.pk]), data)
    assert response.status_code == 302
    assert [c.name for c in alices_customer.contacts.all()] == ["新联系人"]


def test_deactivated_category_is_not_accepted_for_a_new_customer(login, alice):
    category = entry(DictKind.CUSTOMER_CATEGORY, "SPECIAL")
    category.is_active = False
    category.save()
    response = login(alice).post(reverse("customers:customer-create"), form_data(category=category.pk))
    assert "category" in response.context["form"].errors
    assert not Customer.objects.exists()


def test_history_shows_old_and_new_values(login, alice, alices_customer):
    client = login(alice)
    client.post(
        reverse("customers:customer-edit", args=[alices_customer.pk]),
        form_data(alices_customer, region="山东青岛"),
    )
    response = client.get(alices_customer.get_absolute_url())
    changes = [c for e in response.context["history"] if e["action"] == "修改" for c in e["changes"]]
    assert ("地区", "", "山东青岛") in changes
    assert response.context["history"][0]["user"] == alice


def test_history_records_bulk_updates_too(login, quality, alices_customer):
    Customer.objects.filter(pk=alices_customer.pk).update(region="北京")
    response = login(quality).get(alices_customer.get_absolute_url())
    changes = [c for e in response.context["history"] for c in e["changes"]]
    assert ("地区", "", "北京") in changes


def test_customer_detail_runs_a_constant_number_of_queries(login, quality):
    """The archive page's query count does not grow with the size of any of its sections."""
    customer = make_customer()

    def add(n):
        for i in range(n):
            make_contact(customer, name=f"联系人{i}")
            Customer.objects.filter(pk=customer.pk).update(remarks=f"第{i}次")
            make_demand(customer)
            make_objection(customer)
            make_part(customer)
            make_plan(customer, parameters=[("CAL", "SPM_EL", 1.2, 0.8, 1.6, "%")])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(customer.get_absolute_url()).status_code == 200
        return len(captured)

    client = login(quality)
    add(2)
    few = queries()
    add(10)
    assert queries() == few
    assert few <= 40, "the archive page needs a query per section, not more"
