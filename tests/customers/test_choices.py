"""The customer's choices fit the field: its sales owner is someone who keeps customers (by
permission, so a role an administrator makes counts), its code may be left to be numbered, and a
demand's property rows are in the dictionary's unit."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive_site.models import DictKind
from customers.forms import CustomerForm, DemandPropertyForm
from customers.models import Customer, DemandProperty
from quality.models import Objection
from tests.customers.test_customer_edit import form_data
from tests.factories import entry, make_demand, make_user
from tests.imports.helpers import run, xlsx

pytestmark = pytest.mark.django_db

NOT_SALES = "“李工”不负责客户（没有维护客户的权限），不能做负责销售：请选择销售人员。"
CUSTOMER_HEADERS = ["客户代码", "客户名称", "客户类别", "负责销售"]


def role_with(name, *perms):
    """A role an administrator made, holding `perms` ("app_label.codename")."""
    group = Group.objects.create(name=name)
    for perm in perms:
        app_label, codename = perm.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


def import_customers(user, *rows):
    return run(user, xlsx({"客户": [CUSTOMER_HEADERS, *rows]}))


# Sales owner --------------------------------------------------------------------


def test_the_sales_owner_list_offers_only_active_users_who_keep_customers(
    admin_user, alice, bob, engineer, quality, viewer
):
    retired = make_user("retired", "客服/销售", is_active=False)
    key_accounts = make_user("ka", name="大客户经理")
    key_accounts.groups.add(role_with("大客户部", "customers.change_customer"))
    # The permission given to the person, not through a role, counts too.
    own = make_user("own", name="特批销售")
    own.user_permissions.add(
        Permission.objects.get(content_type__app_label="customers", codename="change_customer")
    )
    offered = set(CustomerForm(user=admin_user).fields["sales_owner"].queryset)
    assert offered == {admin_user, alice, bob, key_accounts, own}
    assert retired not in offered


def test_the_customer_list_filter_offers_the_same_sales_owners(login, admin_user, alice, engineer):
    page = login(admin_user).get(reverse("customers:customer-list")).content.decode()
    assert f'<option value="{alice.pk}">王丽</option>' in page
    assert f'<option value="{engineer.pk}">' not in page


def test_a_customer_given_to_someone_who_keeps_no_customers_is_refused(login, admin_user, engineer):
    data = form_data(sales_owner=engineer.pk)
    form = CustomerForm(data, user=admin_user)
    assert not form.is_valid()
    # The list does not offer him; the model's rule says why if he is posted anyway.
    assert form.errors["sales_owner"]
    customer = Customer(code="C9002", name="某公司", category=entry(DictKind.CUSTOMER_CATEGORY, "AUTO"))
    customer.sales_owner = engineer
    with pytest.raises(ValidationError) as refused:
        customer.full_clean()
    assert refused.value.message_dict["sales_owner"] == [NOT_SALES]


def test_the_import_refuses_the_same_sales_owner_with_the_same_message(admin_user, engineer):
    result = import_customers(admin_user, ["C9003", "某某公司", "汽车板客户", "engineer"])
    assert [(e.column, e.message) for e in result.errors] == [("负责销售", NOT_SALES)]
    assert not Customer.objects.filter(code="C9003").exists()


def test_an_owner_who_lost_the_role_keeps_his_customers_until_they_are_given_away(
    login, admin_user, alice, alices_customer
):
    alice.groups.clear()
    data = form_data(alices_customer, remarks="重点客户")
    form = CustomerForm(data, instance=alices_customer, user=admin_user)
    assert alice in form.fields["sales_owner"].queryset
    assert form.is_valid(), form.errors


def test_objection_handlers_are_whoever_holds_the_permission_whatever_the_role(quality, alice, engineer):
    lab = make_user("lab", name="检测中心")
    lab.groups.add(role_with("检测中心", "quality.handle_objection"))
    assert set(Objection.handlers()) == {quality, lab}


# Customer codes ------------------------------------------------------------------


def test_a_customer_saved_without_a_code_is_numbered(login, admin_user):
    client = login(admin_user)
    page = client.get(reverse("customers:customer-create")).content.decode()
    assert "留空则自动编号" in page
    client.post(
        reverse("customers:customer-create"),
        form_data(code="", name="江苏沙钢集团有限公司", short_name="沙钢"),
    )
    client.post(
        reverse("customers:customer-create"),
        form_data(code=" ", name="宝山钢铁股份有限公司", short_name="宝钢"),
    )
    first = Customer.objects.get(name="江苏沙钢集团有限公司")
    second = Customer.objects.get(name="宝山钢铁股份有限公司")
    assert first.code.startswith("C") and second.code.startswith("C")
    assert first.code != second.code


def test_a_typed_code_is_kept_and_a_drawn_number_skips_it(login, admin_user):
    client = login(admin_user)
    client.post(
        reverse("customers:customer-create"),
        form_data(code="C100001", name="江苏沙钢集团有限公司", short_name="沙钢"),
    )
    client.post(
        reverse("customers:customer-create"),
        form_data(code="", name="宝山钢铁股份有限公司", short_name="宝钢"),
    )
    assert Customer.objects.get(name="江苏沙钢集团有限公司").code == "C100001"
    assert Customer.objects.get(name="宝山钢铁股份有限公司").code not in ("C100001", "")


def test_a_customers_code_cannot_be_emptied_later(login, admin_user, alices_customer):
    data = form_data(alices_customer, code="")
    form = CustomerForm(data, instance=alices_customer, user=admin_user)
    assert not form.is_valid()
    assert form.errors["code"]


def test_the_import_numbers_a_customer_without_a_code(admin_user, alice):
    result = import_customers(
        admin_user, ["", "丙公司", "汽车板客户", "alice"], ["", "丁公司", "汽车板客户", ""]
    )
    assert result.ok, [(e.column, e.message) for e in result.errors]
    codes = list(Customer.objects.filter(name__in=["丙公司", "丁公司"]).values_list("code", flat=True))
    assert len(codes) == 2 and all(code.startswith("C") for code in codes) and codes[0] != codes[1]
    assert Customer.objects.get(name="丙公司").sales_owner == alice


# Units of demand rows ------------------------------------------------------------


def test_a_property_row_takes_the_dictionarys_unit_and_does_not_ask_for_it(alice, alices_customer):
    demand = make_demand(alices_customer)
    rm = entry(DictKind.MECHANICAL_PROPERTY, "Rm")
    form = DemandPropertyForm(
        {"property": rm.pk, "min_value": "270", "max_value": "350"},
        instance=DemandProperty(demand=demand),
        user=alice,
    )
    assert "unit" not in form.fields
    assert "抗拉强度 Rm (MPa)" in [label for _value, label in form.fields["property"].choices]
    assert form.is_valid(), form.errors
    assert form.save().unit == "MPa"


def test_the_demand_import_refuses_another_unit(alice, alices_customer):
    make_demand(alices_customer, code="XQ-U-01")
    headers = ["需求编号", "力学性能项目", "下限", "上限", "单位"]
    result = run(
        alice, xlsx({"力学性能": [headers, ["XQ-U-01", "Rm", 270, 350, "N/mm2"]]}), "需求.xlsx", "demands"
    )
    assert [(e.column, e.message) for e in result.errors] == [
        ("单位", "“抗拉强度 Rm”的单位是 MPa（基础数据），不是 N/mm2。")
    ]


def test_the_migration_fills_units_and_lines_from_the_rows_in_use():
    from importlib import import_module

    fill = import_module("quality.migrations.0014_units_and_lines_from_use")
    assert fill.most_common_units([(1, "℃"), (1, "℃"), (1, "K"), (2, ""), (3, "%"), (3, "MPa")]) == {
        1: "℃",
        3: "%",
    }


def queries_to_import(user, count, start):
    rows = [["", f"批量公司{start + i}", "汽车板客户", "alice"] for i in range(count)]
    with CaptureQueriesContext(connection) as queries:
        result = import_customers(user, *rows)
    assert result.ok, [(e.column, e.message) for e in result.errors]
    return len(queries)


def test_numbered_codes_and_owners_cost_no_query_per_imported_row(admin_user, alice):
    queries_to_import(admin_user, 1, 0)  # the user's permissions, loaded once per request
    assert queries_to_import(admin_user, 30, 100) == queries_to_import(admin_user, 3, 200)


def test_a_customer_code_is_never_kept_empty():
    customer = Customer(code="", name="某钢贸公司", category=entry(DictKind.CUSTOMER_CATEGORY, "AUTO"))
    with pytest.raises(ValidationError) as refused:
        customer.full_clean()
    assert "客户代码不能为空：留空保存新客户时会自动编号。" in refused.value.messages
