"""Supply statistics (paper 3.7): figures equal to hand-computed totals, scope, queries, export."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import make_customer, make_demand, make_part

pytestmark = pytest.mark.django_db

STATS = reverse("products:statistics")
EXPORT = reverse("products:statistics-export")
D = Decimal


def figures(rows):
    return {r["label"]: (r["parts"], r["gross"], r["net"], r["quota"], r["utilization"]) for r in rows}


def test_a_customers_parts_and_totals_by_car_model_and_grade(login, engineer, alices_parts, bobs_part):
    response = login(engineer).get(STATS, {"q": "海尔"})
    ctx = response.context
    assert [p.number for p in ctx["rows"]] == ["A-1", "A-2", "A-3"]  # by car model, then number
    assert figures(ctx["by_car_model"]) == {
        "欧铃": (2, D("14"), D("10.5"), D("14.7"), D("0.75")),
        "欧马可": (1, D("6"), D("4.8"), D("6.3"), D("0.8")),
    }
    assert figures(ctx["by_grade"]) == {
        "DC04": (2, D("16"), D("12.3"), D("16.8"), D("0.76875")),
        "DC01": (1, D("4"), D("3"), D("4.2"), D("0.75")),
    }
    summary = ctx["summary"]
    assert (summary["parts"], summary["gross"], summary["net"], summary["quota"]) == (3, 20, D("15.3"), 21)
    assert summary["utilization"] == D("0.765")
    page = response.content.decode()
    assert "利用率 76.5%" in page
    assert "<svg" in page and "按车型的材料定额合计" in page  # the chart, drawn on the server
    assert "欧铃：14.7kg" in page  # the bar's tooltip


def test_totals_by_production_grade_and_parts_without_a_demand(
    login, engineer, alices_parts, alices_customer
):
    make_part(alices_customer, number="A-4", car_model=None, demand=None, gross_weight=D("2"),
              net_weight=D("1"), material_quota=D("2.5"))  # fmt: skip
    ctx = login(engineer).get(STATS, {"q": "海尔", "grade": "production"}).context
    assert figures(ctx["by_grade"])["（未关联需求或牌号）"] == (1, D("2"), D("1"), D("2.5"), D("0.5"))
    assert figures(ctx["by_grade"])["DC04"][0] == 2
    assert figures(ctx["by_car_model"])["（无车型）"][0] == 1


def test_a_substring_matching_several_customers_counts_them_all_and_one_can_be_chosen(
    login, engineer, alices_parts, alices_customer
):
    other = make_customer(name="海尔智家（佛山）有限公司", short_name="海尔佛山")
    make_part(
        other, number="F-1", car_model=None, gross_weight=D("5"), net_weight=D("4"), material_quota=D("5")
    )
    client = login(engineer)
    ctx = client.get(STATS, {"q": "海尔"}).context
    assert {c.name: c.part_count for c in ctx["matches"]} == {alices_customer.name: 3, other.name: 1}
    assert ctx["summary"]["parts"] == 4
    ctx = client.get(STATS, {"q": "海尔", "customer": other.pk}).context
    assert ctx["stats"].customer == other
    assert ctx["summary"]["parts"] == 1 and ctx["summary"]["quota"] == 5


def test_whole_mill_by_grade_and_by_car_model(login, engineer, alices_parts, bobs_part):
    ctx = login(engineer).get(STATS).context
    assert ctx["stats"].whole_mill
    # bob's part: 欧马可, no demand, gross 12.56, net 8.3, quota 13.1
    assert figures(ctx["by_car_model"]) == {
        "欧马可": (2, D("18.56"), D("13.1"), D("19.4"), D("13.1") / D("18.56")),
        "欧铃": (2, D("14"), D("10.5"), D("14.7"), D("0.75")),
    }
    assert figures(ctx["by_grade"])["（未关联需求或牌号）"][:4] == (1, D("12.56"), D("8.3"), D("13.1"))
    assert [r["customer__code"] for r in ctx["by_customer"]] == ["C0005", "C0001"]
    assert ctx["summary"]["parts"] == 4 and ctx["summary"]["quota"] == D("34.1")


def test_sales_statistics_leave_out_other_customers(login, bob, alices_parts, bobs_part):
    client = login(bob)
    ctx = client.get(STATS, {"q": "海尔"}).context
    assert ctx["matches"] == [] and ctx["summary"]["parts"] == 0
    ctx = client.get(STATS).context
    assert ctx["summary"]["parts"] == 1
    assert list(figures(ctx["by_car_model"])) == ["欧马可"]
    assert [r["customer__code"] for r in ctx["by_customer"]] == ["C0001"]
    book = load_workbook(io.BytesIO(b"".join(client.get(EXPORT).streaming_content)))
    assert [r[0] for r in book["按客户"].iter_rows(min_row=2, values_only=True)] == [
        "北汽福田汽车股份有限公司",
        "合计",
    ]
    book = load_workbook(io.BytesIO(b"".join(client.get(EXPORT, {"q": "海尔"}).streaming_content)))
    assert list(book["零件明细"].iter_rows(min_row=2, values_only=True)) == []


def test_user_without_the_permission_is_refused(login, django_user_model, alices_parts):
    nobody = django_user_model.objects.create_user("nobody", password="x")
    client = login(nobody)
    assert client.get(STATS).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_export_holds_the_tables_of_the_page(login, engineer, alices_parts):
    response = login(engineer).get(EXPORT, {"q": "海尔"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["零件明细", "按车型", "按交货牌号"]
    details = list(book["零件明细"].iter_rows(values_only=True))
    assert [r[4] for r in details[1:]] == ["A-1", "A-2", "A-3"]
    by_model = {r[0]: r[1:] for r in book["按车型"].iter_rows(min_row=2, values_only=True)}
    assert by_model == {
        "欧铃": (2, 14, 10.5, 14.7, 75.0),
        "欧马可": (1, 6, 4.8, 6.3, 80.0),
        "合计": (3, 20, 15.3, 21, 76.5),
    }
    by_grade = {r[0]: r[1:] for r in book["按交货牌号"].iter_rows(min_row=2, values_only=True)}
    assert by_grade["DC04"] == (2, 16, 12.3, 16.8, 76.9)


def make_many(customer, n):
    demand = make_demand(customer, name=f"需求{n}")
    for i in range(n):
        make_part(
            customer, car_model=["OLLIN", "AUMARK", "PASSAT", None][i % 4], demand=demand if i % 2 else None
        )


@pytest.mark.parametrize("query", [{"q": "海尔"}, {}], ids=["customer", "whole-mill"])
def test_statistics_run_a_constant_number_of_queries(
    login, alice, alices_customer, query, django_assert_num_queries
):
    client = login(alice)  # a scoped user: the scope is a subquery, not extra queries
    make_many(alices_customer, 1)
    client.get(STATS, query)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as few:
        client.get(STATS, query)
    # session, user, 2 × permissions, savepoint and release, the search's gram statistics
    # (`search.is_common`), and the page's own five: matching customers, rows, by car model,
    # by grade, totals (or by customer)
    assert len(few.captured_queries) <= 12, "\n".join(q["sql"][:120] for q in few.captured_queries)
    make_many(alices_customer, 15)
    make_many(make_customer(name="海尔别的客户", sales_owner=alice), 5)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(STATS, query)
    assert response.context["summary"]["parts"] == 21
