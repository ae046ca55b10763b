"""A record page fetches its record with the joins in written order, and leaves the setting as it was."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from archive_site.models import joins_in_written_order
from quality.models import Objection
from quality.views.objections import OBJECTION_RELATED
from tests.factories import make_objection

pytestmark = pytest.mark.django_db


def join_collapse_limit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        return cursor.fetchone()[0]


def test_the_joins_are_in_written_order_inside_and_as_before_after():
    before = join_collapse_limit()
    with joins_in_written_order("default"):
        assert join_collapse_limit() == "1"
    assert join_collapse_limit() == before


def test_a_record_found_missing_or_forbidden_leaves_the_setting_as_it_was(alice, bob, alices_customer):
    before = join_collapse_limit()
    objection = make_objection(alices_customer)
    joined = Objection.objects.select_related(*OBJECTION_RELATED)  # the objection page's nine
    with CaptureQueriesContext(connection) as queries:
        found = joined.get_visible_or_404(alice, objection.pk)
    assert found == objection and found.customer == alices_customer
    assert sum("join_collapse_limit" in q["sql"] for q in queries.captured_queries) == 2
    with pytest.raises(Http404):
        joined.get_visible_or_404(bob, objection.pk)  # not his customer's
    with pytest.raises(PermissionDenied):
        joined.get_visible_or_404(bob, objection.pk, "quality.delete_objection")
    assert Objection.objects.exists()  # the transaction goes on
    assert join_collapse_limit() == before


def test_a_fetch_joining_few_records_is_planned_as_usual(alice, alices_customer):
    objection = make_objection(alices_customer)
    with CaptureQueriesContext(connection) as queries:
        Objection.objects.select_related("customer", "handler").get_visible_or_404(alice, objection.pk)
    assert not any("join_collapse_limit" in q["sql"] for q in queries.captured_queries)


def test_the_pages_of_records_leave_the_setting_as_it_was(login, alice, alices_customer):
    objection = make_objection(alices_customer)
    client = login(alice)
    before = join_collapse_limit()
    assert client.get(objection.get_absolute_url()).status_code == 200
    assert client.get("/quality/objections/999999/").status_code == 404
    assert join_collapse_limit() == before
