"""An objection names the part the customer stamped: the part's page lists its objections, and the
technical sheet's objection section says which part (and car model) each one was about."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_customer, make_demand, make_objection, make_part, make_user
from tests.printing.conftest import read_pdf

pytestmark = pytest.mark.django_db


def test_the_part_page_lists_its_objections_only(login, alice, viewer, alices_customer):
    part = make_part(alices_customer, number="P-DOOR-01")
    other = make_part(alices_customer, number="P-HOOD-02", name="发动机罩")
    mine = make_objection(alices_customer, part=part, description="门板外侧划伤")
    theirs = make_objection(alices_customer, part=other, description="罩板橘皮")
    for user in (alice, viewer):
        page = login(user).get(part.get_absolute_url()).content.decode()
        assert 'id="part-objections"' in page
        assert mine.number in page and mine.get_absolute_url() in page
        assert theirs.number not in page


def test_the_part_page_lists_no_objections_to_whoever_may_not_read_them(login, alices_customer):
    user = make_user("part-reader")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_part", "view_all_customers"]))
    part = make_part(alices_customer)
    make_objection(alices_customer, part=part)
    response = login(user).get(part.get_absolute_url())
    assert response.status_code == 200
    assert 'id="part-objections"' not in response.content.decode()


def test_the_part_page_costs_the_same_queries_with_more_objections(
    login, quality, alices_customer, django_assert_max_num_queries
):
    part = make_part(alices_customer)
    make_objection(alices_customer, part=part)
    client = login(quality)
    client.get(part.get_absolute_url())
    with CaptureQueriesContext(connection) as first:
        client.get(part.get_absolute_url())
    for _ in range(5):
        make_objection(alices_customer, part=part)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(part.get_absolute_url())
    assert len(response.context["objections"]) == 6


def test_the_technical_sheet_names_the_part_of_each_objection(login, alice):
    customer = make_customer(code="C0077", name="测试汽车有限公司", sales_owner=alice)
    demand = make_demand(customer)
    part = make_part(customer, demand=demand, number="P-DOOR-01", name="前门外板")
    make_objection(customer, part=part, description="门板外侧划伤")
    response = login(alice).post(reverse("printing:technical-sheet-pdf", args=[part.pk]))
    assert response.status_code == 200
    _reader, texts = read_pdf(response.content)
    text = "".join("".join(texts).split())  # the line may break anywhere
    assert "零件P-DOOR-01前门外板" in text
    assert part.car_model.name in text
