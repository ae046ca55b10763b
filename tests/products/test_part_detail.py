"""The part page and the parts section of the customer archive page: what they show, in few queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from products.sections import ARCHIVE_PARTS
from tests import sections
from tests.factories import make_part
from tests.products.conftest import add_photo

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_detail_runs_a_constant_number_of_queries(
    login, alice, alices_customer, dc04, django_assert_num_queries
):
    part = make_part(alices_customer, demand=dc04)
    add_photo(part, "正面")
    client = login(alice)
    client.get(part.get_absolute_url())  # warm the session and permission caches
    few = count_queries(client, part.get_absolute_url())
    for i in range(8):
        add_photo(part, f"照片{i}")
        part.remarks = f"第 {i} 次修改"
        part.save()
    with django_assert_num_queries(few):
        response = client.get(part.get_absolute_url())
    assert len(response.context["photos"]) == 9
    assert len(response.context["history"]) >= 18


def test_detail_shows_the_grades_of_the_demand_and_the_theoretical_weight(
    login, alice, alices_customer, dc04
):
    part = make_part(alices_customer, demand=dc04)
    page = login(alice).get(part.get_absolute_url()).content.decode()
    assert "车门外板用 DC04" in page
    assert "0.8×1250×1600 mm" in page
    assert "按尺寸理论重 12.56 kg" in page  # 0.8 × 1250 × 1600 mm³ × 7.85 g/cm³, no trailing zero
    assert "66.1%" in page


def test_customer_archive_lists_the_parts_with_thumbnails(login, alice, alices_customer, bobs_customer):
    with_photo = make_part(alices_customer, number="A-1", name="前门外板")
    photo = add_photo(with_photo)
    make_part(alices_customer, number="A-2", name="后门内板")
    make_part(bobs_customer, number="B-1", name="福田保险杠骨架")
    page = login(alice).get(alices_customer.get_absolute_url()).content.decode()
    section = page[page.index('id="parts"') :]
    assert "前门外板" in section and "后门内板" in section
    assert "福田保险杠骨架" not in page
    assert reverse("products:photo", args=[photo.pk, "thumb"]) in section
    assert "无照片" in section
    # sales may read but not add parts
    assert reverse("products:part-create") not in section


def render_section(user, customer):
    return sections.render_section("customer", "products/_customer_parts.html", user, customer)


def test_customer_archive_section_runs_one_query_however_many_parts(
    engineer, alices_customer, django_assert_num_queries
):
    add_photo(make_part(alices_customer))
    engineer.has_perm("products.view_part")  # permissions are cached on the user after the first check
    with django_assert_num_queries(1):
        render_section(engineer, alices_customer)
    for _ in range(ARCHIVE_PARTS + 3):
        add_photo(make_part(alices_customer))
    with django_assert_num_queries(1):
        html = render_section(engineer, alices_customer)
    assert html.count('class="part-card"') == ARCHIVE_PARTS
    assert f"?customer_id={alices_customer.pk}" in html  # more than fit: a link to all of them


def test_customer_archive_section_is_hidden_without_the_permission(django_user_model, alices_customer):
    make_part(alices_customer)
    nobody = django_user_model.objects.create_user("nobody", password="x")
    assert 'id="parts"' not in render_section(nobody, alices_customer)
