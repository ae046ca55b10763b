"""The part list: filters, scope, constant queries, and the .xlsx export of exactly its rows."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from archive_site.models import DictKind
from tests.factories import entry, make_customer, make_part
from tests.products.conftest import add_photo, jpeg

pytestmark = pytest.mark.django_db

LIST = reverse("products:part-list")
EXPORT = reverse("products:part-export")


def numbers(response):
    return [p.number for p in response.context["page_obj"]]


def test_filters_by_customer_car_model_grade_and_usage_location(login, engineer, alices_parts, bobs_part):
    client = login(engineer)
    assert sorted(numbers(client.get(LIST))) == ["A-1", "A-2", "A-3", "B-1"]
    assert numbers(client.get(LIST, {"customer": "海尔"})) == ["A-1", "A-2", "A-3"]
    assert numbers(client.get(LIST, {"customer_id": alices_parts[0].customer_id})) == ["A-1", "A-2", "A-3"]
    aumark = entry(DictKind.CAR_MODEL, "AUMARK").pk
    assert numbers(client.get(LIST, {"car_model": aumark, "o": "number"})) == ["A-3", "B-1"]
    dc01 = entry(DictKind.DELIVERY_GRADE, "DC01").pk
    assert numbers(client.get(LIST, {"delivery_grade": dc01})) == ["A-2"]
    dc04 = entry(DictKind.PRODUCTION_GRADE, "DC04").pk
    assert numbers(client.get(LIST, {"production_grade": dc04, "o": "number"})) == ["A-1", "A-3"]
    roof = entry(DictKind.USAGE_LOCATION, "ROOF").pk
    alices_parts[2].usage_location_id = roof
    alices_parts[2].save()
    assert numbers(client.get(LIST, {"usage_location": roof})) == ["A-3"]
    assert numbers(client.get(LIST, {"q": "地板"})) == ["A-2"]
    # Sorted by utilization in SQL: A-1 75 %, A-2 75 %, A-3 80 %, B-1 66 %.
    assert numbers(client.get(LIST, {"o": "-utilization"}))[0] == "A-3"


def test_sales_user_sees_only_the_parts_of_her_customers(login, alice, bob, alices_parts, bobs_part):
    assert sorted(numbers(login(alice).get(LIST))) == ["A-1", "A-2", "A-3"]
    assert numbers(login(bob).get(LIST)) == ["B-1"]
    assert numbers(login(bob).get(LIST, {"customer": "海尔"})) == []


def test_bob_gets_404_for_alices_part_and_its_photos(login, bob, alices_parts):
    part = alices_parts[0]
    photo = add_photo(part)
    client = login(bob)
    assert client.get(part.get_absolute_url()).status_code == 404
    assert client.get(reverse("products:photo", args=[photo.pk, "thumb"])).status_code == 404
    assert client.get(reverse("products:photo", args=[photo.pk, "full"])).status_code == 404


def test_viewer_reads_every_part_but_cannot_change_them(login, viewer, alices_parts):
    part = alices_parts[0]
    client = login(viewer)
    page = client.get(part.get_absolute_url())  # not shared with him: he reads the whole archive
    assert page.status_code == 200
    assert reverse("products:part-edit", args=[part.pk]) not in page.content.decode()
    assert client.get(reverse("products:part-edit", args=[part.pk])).status_code == 403
    assert (
        client.post(reverse("products:photo-upload", args=[part.pk]), {"photos": [jpeg()]}).status_code == 403
    )


def test_list_runs_a_constant_number_of_queries(login, engineer, django_assert_num_queries):
    client = login(engineer)
    customer = make_customer()
    make_part(customer)
    client.get(LIST)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    # session, user, 2 × permissions, savepoint and release, count, the page's ids, page
    # (thumbnails in the same query), and the four dictionary filters' choices
    assert len(few.captured_queries) <= 13, "\n".join(q["sql"][:120] for q in few.captured_queries)
    for i in range(12):
        part = make_part(make_customer(), car_model="PASSAT" if i % 2 else None)
        add_photo(part)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["page_obj"]) == 13


def test_export_holds_exactly_the_filtered_rows(login, engineer, alices_parts, bobs_part):
    response = login(engineer).get(EXPORT, {"customer": "海尔", "o": "number"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:5] == ("客户代码", "客户名称", "车型", "零件名称", "零件编号")
    assert [r[4] for r in rows[1:]] == ["A-1", "A-2", "A-3"]
    first = dict(zip(header, rows[1], strict=True))
    assert first["交货牌号"] == "DC04"
    assert first["毛坯毛重(kg)"] == 10 and first["零件净重(kg)"] == 7.5 and first["材料定额(kg)"] == 10.5
    assert first["利用率(%)"] == 75.0


def test_bobs_export_leaves_out_alices_parts(login, bob, alices_parts, bobs_part):
    response = login(bob).get(EXPORT)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [r[4] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["B-1"]
