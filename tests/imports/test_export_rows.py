"""Exports read their rows with `values_list` and write the values the widgets render: the file is
the same as the one written from the records, with one query for the rows however many there are."""

import datetime
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import translation

from imports.modules import all_modules, get_module
from imports.resources import export_reader
from quality.models import Objection
from tests.factories import make_contact, make_customer, make_demand, make_objection, make_order, make_part


@pytest.fixture
def archive(admin_user):
    customer = make_customer(code="C0001", name="北汽福田", remarks="=1+1", sales_owner=admin_user)
    make_contact(customer, name="王工", phone="+86 531")
    demand = make_demand(customer)
    make_part(customer, demand=demand)
    make_order(customer, demand=demand)
    for i in range(3):
        make_objection(
            customer,
            coil_numbers=[f"26C{i:05d}", "26C99999"],
            tonnage=Decimal("12.5"),
            received_date=datetime.date(2026, 3, i + 1),
            handler=admin_user if i else None,
            status=Objection.Status.INVESTIGATING,
        )
    return customer


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def as_rendered(resource, queryset):
    """The sheet written from the records, each value rendered by its field's widget."""
    columns = resource.export_columns()
    return [[c.value(obj) for c in columns] for obj in queryset]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_module_exports_the_values_its_widgets_render(archive, admin_user, language):
    request = request_for(admin_user)
    fast = 0
    with translation.override(language):
        for module in all_modules():
            for cls in module.resources:
                resource = cls(user=admin_user)
                queryset = resource.export_queryset(request)
                columns, rows = resource.export_sheet(queryset)
                written = [[c.value(row) for c in columns] for row in rows]
                assert written == as_rendered(resource, queryset), (module.key, cls.__name__)
                assert [c.header for c in columns] == [c.header for c in resource.export_columns()]
                fast += all(export_reader(resource, f) for f in resource.get_export_fields())
    assert fast >= 8  # customers, contacts, demands, deliveries, dictionaries, objections …


def test_the_objection_export_reads_its_rows_in_one_query(archive, admin_user, django_assert_num_queries):
    resource = get_module("objections").resources[0](user=admin_user)
    assert all(export_reader(resource, f) for f in resource.get_export_fields())
    queryset = resource.export_queryset(request_for(admin_user))
    columns, rows = resource.export_sheet(queryset)
    with django_assert_num_queries(1):
        rows = list(rows)
    assert len(rows) == 3
    handler = columns[[c.header for c in columns].index("处理人")]
    assert sorted(handler.value(row) for row in rows) == ["", str(admin_user), str(admin_user)]
