"""Forms and model rules name the record that already holds a unique value only to a user who may
see it (archive_site.scope); to anyone else they say the value is used in the archive.

The walk: every model form of the apps, every unique field or constraint of a scoped model whose
fields the form edits, is tried by a sales user with the value of another salesperson's record.
"""

import importlib
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import UniqueConstraint
from django.urls import reverse
from django.utils import translation

from archive_site import scope
from archive_site.models import DictKind, VersionedModel, VisibleQuerySet
from customers.models import CustomerShare
from orders.forms import OrderForm
from products.models import Part
from quality.forms.plans import PlanForm
from tests.factories import entry, make_demand, make_order, make_part, make_plan

BOB_CREDIT_CODE = "91110000102632941M"
HIDDEN = "已被档案中的另一条记录使用（该记录不在您的查看范围内）。"


def project_model_forms():
    """Every model form of the project's apps (their `forms` modules and packages imported)."""
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)) or ".venv" in config.path:
            continue
        try:
            package = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError as e:
            if e.name != f"{config.name}.forms":
                raise
            continue
        for info in pkgutil.iter_modules(getattr(package, "__path__", [])):
            importlib.import_module(f"{package.__name__}.{info.name}")

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return {f for f in subclasses(forms.ModelForm) if not f.__module__.startswith("django")}


def unique_sets(model):
    sets = [(f.name,) for f in model._meta.fields if f.unique and not f.primary_key]
    sets += [tuple(c.fields) for c in model._meta.constraints if isinstance(c, UniqueConstraint) and c.fields]
    return sets


def test_every_unique_value_a_form_edits_on_a_scoped_model_is_walked_below():
    edited = {
        (form.__name__, fields)
        for form in project_model_forms()
        if form._meta.model is not None
        and isinstance(form._meta.model._default_manager.all(), VisibleQuerySet)
        for fields in unique_sets(form._meta.model)
        if set(fields) <= set(form.base_fields)
        # A value unique within a parent record keeps its constraint's words (archive_site.scope).
        and not any(form._meta.model._meta.get_field(f).is_relation for f in fields)
    }
    assert edited - MILL_WIDE == {(form, fields) for form, fields, _value in WALK}


# Unique among records of no customer: the mill's default deadline rules, one per severity.
MILL_WIDE = {("DeadlineRuleForm", ("severity",))}


WALK = [
    ("CustomerForm", ("code",), "C0001"),
    ("CustomerForm", ("name",), "北汽福田汽车股份有限公司"),
    ("CustomerForm", ("credit_code",), BOB_CREDIT_CODE),
    ("PlanForm", ("code",), "GK-B-01"),
    ("OrderForm", ("number",), "DD-B-01"),
]


def customer_form(client, field, value):
    data = {
        "code": "C9001",
        "name": "安徽江淮汽车集团股份有限公司",
        "category": entry(DictKind.CUSTOMER_CATEGORY, "AUTO").pk,
        "status": "active",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        field: value,
    }
    response = client.post(reverse("customers:customer-create"), data)
    assert response.status_code == 200
    return response.context["form"].errors, response.content.decode()


def plan_form(user, alices_customer, value):
    form = PlanForm({"code": value, "name": "新方案", "customer": alices_customer.code}, user=user)
    assert not form.is_valid()
    return form.errors, str(form.errors)


def order_form(user, alices_customer, value):
    data = {"number": value, "customer": alices_customer.code, "thickness": "0.8", "width": "1250"}
    form = OrderForm({**data, "quantity": "100", "order_date": "2025-01-02", "status": "placed"}, user=user)
    assert not form.is_valid()
    return form.errors, str(form.errors)


FORMS = {"PlanForm": plan_form, "OrderForm": order_form}
NAMED = {
    "CustomerForm": "C0001 北汽福田汽车股份有限公司",
    "PlanForm": "GK-B-01 福田外板方案",
    "OrderForm": "DD-B-01（C0001 北汽福田汽车股份有限公司）",
}


@pytest.fixture
def bobs_archive(bobs_customer, engineer):
    bobs_customer.credit_code = BOB_CREDIT_CODE
    bobs_customer.save()
    make_plan(bobs_customer, code="GK-B-01", name="福田外板方案")
    make_order(bobs_customer, number="DD-B-01")


@pytest.mark.parametrize(("form", "fields", "value"), WALK)
def test_a_value_of_another_salespersons_record_is_refused_without_naming_it(
    login, alice, alices_customer, bobs_archive, form, fields, value
):
    (field,) = fields
    if form == "CustomerForm":
        errors, page = customer_form(login(alice), field, value)
    else:
        errors, page = FORMS[form](alice, alices_customer, value)

    assert errors[field] == [f"“{value}”{HIDDEN}"]
    for bobs in {
        "C0001",
        "北汽福田汽车股份有限公司",
        BOB_CREDIT_CODE,
        "GK-B-01",
        "福田外板方案",
        "DD-B-01",
    } - {value}:
        assert bobs not in page


@pytest.mark.parametrize(("form", "fields", "value"), WALK)
def test_a_user_who_may_see_the_record_is_told_which_it_is(
    login, alice, alices_customer, bobs_customer, bobs_archive, form, fields, value
):
    CustomerShare.objects.create(customer=bobs_customer, user=alice)
    (field,) = fields
    if form == "CustomerForm":
        errors, _page = customer_form(login(alice), field, value)
    else:
        errors, _page = FORMS[form](alice, alices_customer, value)

    assert errors[field] == [f"“{value}”已被“{NAMED[form]}”使用。"]


def test_a_part_number_taken_is_named_only_to_whom_may_see_the_part(alice, admin_user, bobs_customer):
    make_part(bobs_customer, number="5401011-A01", name="前门外板（旧）")
    again = Part(customer=bobs_customer, number="5401011-A01", name="前门外板")

    with pytest.raises(ValidationError) as caught:
        again.clean()
    (error,) = caught.value.error_dict["number"]

    named = "零件编号“5401011-A01”已被该客户的零件“前门外板（旧）”使用，同一客户的零件编号不能重复。"
    assert scope.for_user(admin_user, error).messages == [named]
    assert scope.for_user(alice, error).messages == [f"“5401011-A01”{HIDDEN}"]


STOCK = "具有 "  # Django's "具有 %(field_label)s 的 %(model_name)s 已存在。"
APPS = {"archive_site", "customers", "quality", "products", "orders", "printing", "imports"}


def unique_checks_of_every_model():
    """Every unique check of the records people edit (`VersionedModel`: forms, imports, the API)."""
    for model in apps.get_models():
        if model._meta.app_label not in APPS or not issubclass(model, VersionedModel):
            continue
        for fields in unique_sets(model):
            yield model, fields


@pytest.mark.parametrize(("model", "fields"), list(unique_checks_of_every_model()), ids=str)
def test_no_unique_check_of_the_archive_says_it_in_djangos_words(model, fields):
    """Whatever path shows it (a form, a formset row, an import, the API): the app's own sentence."""
    with translation.override("zh-hans"):
        error = model().unique_error_message(model, fields)
        text = " ".join(error.messages) if hasattr(error, "error_list") else str(error)
    assert STOCK not in text and "已存在" not in text, text
    assert error.code in ("unique", "unique_together")
    assert tuple(error.params["unique_check"]) == tuple(fields)


@pytest.mark.django_db
def test_an_element_given_twice_for_one_demand_is_refused_in_the_apps_words(bobs_customer):
    from decimal import Decimal

    from customers.models import DemandElement

    demand = make_demand(bobs_customer, elements=[("C", Decimal("0"), Decimal("0.05"))])
    again = DemandElement(demand=demand, element=entry(DictKind.ELEMENT, "C"), max_pct=Decimal("0.04"))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        again.full_clean()
    text = " ".join(caught.value.messages)
    assert STOCK not in text and "已有客户需求、化学元素相同的" in text, text
