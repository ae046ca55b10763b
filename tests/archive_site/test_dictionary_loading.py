"""Records fetched `with_dictionaries()` carry their dictionary entries, read in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive_site.models import DictEntry, DictionaryForeignKey, load_dictionaries
from customers.models import Demand
from tests.factories import make_customer, make_demand

pytestmark = pytest.mark.django_db

DICTIONARY_FIELDS = [f for f in Demand._meta.concrete_fields if isinstance(f, DictionaryForeignKey)]


def demand_with_every_dictionary(customer):
    """A demand naming an entry in each of its dictionary fields (the last of each kind)."""
    fields = {f.name: DictEntry.objects.of(f.kind).last() for f in DICTIONARY_FIELDS}
    assert all(fields.values()), "the seeded dictionaries have an entry of every kind a demand uses"
    return make_demand(customer, **fields), fields


def test_a_record_and_its_customer_come_with_every_dictionary_entry_in_two_queries(
    django_assert_num_queries,
):
    customer = make_customer()
    demand, expected = demand_with_every_dictionary(customer)
    with django_assert_num_queries(2):  # the demand with its customer, then the entries
        fetched = Demand.objects.select_related("customer").with_dictionaries().get(pk=demand.pk)
    with django_assert_num_queries(0):
        shown = {f.name: getattr(fetched, f.name) for f in DICTIONARY_FIELDS}
        category = fetched.customer.category
    assert shown == expected
    assert [str(e) for e in shown.values()] == [str(e) for e in expected.values()]
    assert category == customer.category


@pytest.mark.parametrize("rows", [1, 20])
def test_a_list_reads_its_entries_in_one_query_whatever_its_length(rows, django_assert_num_queries):
    customer = make_customer()
    for _ in range(rows):
        demand_with_every_dictionary(customer)
    with django_assert_num_queries(2):
        demands = list(Demand.objects.select_related("customer").with_dictionaries())
        names = {str(d.production_grade) for d in demands} | {str(d.customer.category) for d in demands}
    assert len(demands) == rows and len(names) == 2


def test_empty_fields_stay_empty_and_other_shapes_of_result_are_left_alone(django_assert_num_queries):
    demand = make_demand(make_customer())  # only a production grade
    with django_assert_num_queries(2):
        fetched = Demand.objects.with_dictionaries().get(pk=demand.pk)
    with django_assert_num_queries(0):
        assert fetched.welding is None and fetched.production_grade.code == "DC04"
    assert list(Demand.objects.with_dictionaries().values_list("name", flat=True)) == [demand.name]
    # Records gathered otherwise get theirs the same way, after the fetch.
    records = [Demand.objects.get(pk=demand.pk)]
    with CaptureQueriesContext(connection) as queries:
        load_dictionaries(records)
        assert records[0].production_grade.code == "DC04"
    assert len(queries) == 1 and '"archive_site_dictentry"' in queries[0]["sql"]
