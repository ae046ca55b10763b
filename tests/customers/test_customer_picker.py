"""One way to choose a customer: `CustomerField`, its picker widget and one endpoint, in every form."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.urls import reverse

from customers.forms import CustomerField, DemandForm
from customers.models import Customer
from products.forms import PartForm
from products.models import Part
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

APPS = ["archive_site", "customers", "quality", "products", "printing", "imports"]


def project_forms():
    """Every form class of the project's modules whose name says forms."""
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if "forms" not in info.name.rpartition(".")[2] and ".forms." not in info.name:
                continue
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == info.name:
                    yield cls


def test_every_form_that_chooses_a_customer_uses_the_customer_field(engineer):
    choosing = {}
    for cls in project_forms():
        for name, field in cls.base_fields.items():
            # Ticking some of a few listed customers (ModelMultipleChoiceField) is not choosing one
            # from the archive.
            if (
                isinstance(field, forms.ModelChoiceField)
                and not isinstance(field, forms.ModelMultipleChoiceField)
                and field.queryset.model is Customer
            ):
                choosing[f"{cls.__name__}.{name}"] = type(field)
    part_form = PartForm(instance=Part(), user=engineer)  # a new part without a customer chooses one
    choosing["PartForm.customer"] = type(part_form.fields["customer"])
    assert len(choosing) >= 6, choosing  # demand, plan, objection, judgement, statistics, part
    assert {name: kind for name, kind in choosing.items() if kind is not CustomerField} == {}


def test_a_customer_is_taken_by_its_code_or_its_full_name_never_by_part_of_it(alice, alices_customer):
    for value, valid in [("C0005", True), ("青岛海尔股份有限公司", True), ("海尔", False), ("C000", False)]:
        form = DemandForm({"customer": value, "name": "x", "thickness": "1", "width": "1"}, user=alice)
        form.is_valid()
        assert ("customer" not in form.errors) is valid, value
        if valid:
            assert form.cleaned_data["customer"] == alices_customer


def test_a_value_that_is_one_customers_code_and_anothers_name_is_refused(admin_user):
    make_customer(code="DUAL", name="甲公司")
    make_customer(code="C0900", name="DUAL")
    form = DemandForm({"customer": "DUAL", "name": "x", "thickness": "1", "width": "1"}, user=admin_user)
    assert not form.is_valid()
    assert form.errors["customer"] == ["“DUAL”既是一个客户的代码，又是另一个客户的名称：请输入客户代码。"]


def test_the_picker_shows_the_name_and_offers_the_magnifier(login, alice, alices_customer):
    page = login(alice).get(reverse("customers:demand-create"), {"customer": alices_customer.pk})
    html = page.content.decode()
    assert 'data-customer-picker data-url="/customers/picker/"' in html
    assert 'value="青岛海尔股份有限公司"' in html and "data-picker-open" in html
    assert "/static/js/customer_picker.js" in html
