"""Objection statistics against counts worked out by hand."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import make_objection

pytestmark = pytest.mark.django_db

STATS = reverse("quality:objection-stats")
EXPORT = reverse("quality:objection-stats-export")
d = datetime.date


@pytest.fixture
def data(alices_customer, bobs_customer):
    """Alice's customer: 5 objections over two years; Bob's: one scratch.

    defect     severity  received     t    claim (元)
    SCRATCH    1 轻微    2026-01-05   10    1 000
    SCRATCH    1 轻微    2026-01-20    5        0
    SCRATCH    3 严重    2026-03-02   20    5 000
    ROLL_MARK  2 一般    2026-03-15   40   20 000
    RUST       4 重大    2025-11-11    2      300
    (Bob) SCRATCH 2      2026-02-01    7      700
    """
    for defect, severity, day, tons, claim in [
        ("SCRATCH", 1, d(2026, 1, 5), 10, 1000),
        ("SCRATCH", 1, d(2026, 1, 20), 5, 0),
        ("SCRATCH", 3, d(2026, 3, 2), 20, 5000),
        ("ROLL_MARK", 2, d(2026, 3, 15), 40, 20000),
        ("RUST", 4, d(2025, 11, 11), 2, 300),
    ]:
        make_objection(alices_customer, defect, severity, received_date=day, tonnage=tons, claim_amount=claim)
    make_objection(bobs_customer, "SCRATCH", 2, received_date=d(2026, 2, 1), tonnage=7, claim_amount=700)


def stats_of(client, **params):
    response = client.get(STATS, params)
    assert response.status_code == 200
    return response.context["stats"]


def test_sensitivity_table_of_one_customer(login, quality, alices_customer, data):
    stats = stats_of(login(quality), customer=alices_customer.code)
    table = [(r.code, r.by_severity, r.count, r.tonnage, r.last) for r in stats["rows"]]
    assert table == [
        ("SCRATCH", [2, 0, 1, 0], 3, Decimal(35), d(2026, 3, 2)),
        ("ROLL_MARK", [0, 1, 0, 0], 1, Decimal(40), d(2026, 3, 15)),
        ("RUST", [0, 0, 0, 1], 1, Decimal(2), d(2025, 11, 11)),
    ]
    assert stats["total"] == 5
    assert stats["total_by_severity"] == [2, 1, 1, 1]


def test_pareto_by_count_tonnage_and_claims(login, quality, alices_customer, data):
    stats = stats_of(login(quality), customer=alices_customer.code)

    def pareto(key):
        return [(r.code, float(v), share, cumulative) for r, v, share, cumulative in stats[key]]

    assert pareto("pareto_count") == [
        ("SCRATCH", 3, 60.0, 60.0),
        ("ROLL_MARK", 1, 20.0, 80.0),
        ("RUST", 1, 20.0, 100.0),
    ]
    # 40 / 77 = 51.9 %, (40 + 35) / 77 = 97.4 %
    assert pareto("pareto_tonnage") == [
        ("ROLL_MARK", 40, 51.9, 51.9),
        ("SCRATCH", 35, 45.5, 97.4),
        ("RUST", 2, 2.6, 100.0),
    ]
    # 20 000 / 26 300 = 76.0 %, 26 000 / 26 300 = 98.9 %
    assert pareto("pareto_claims") == [
        ("ROLL_MARK", 20000, 76.0, 76.0),
        ("SCRATCH", 6000, 22.8, 98.9),
        ("RUST", 300, 1.1, 100.0),
    ]


def test_monthly_trend_includes_empty_months(login, quality, alices_customer, data):
    stats = stats_of(login(quality), customer=alices_customer.code)
    assert [(f"{m:%Y-%m}", n) for m, n, _, _ in stats["months"]] == [
        ("2025-11", 1),
        ("2025-12", 0),
        ("2026-01", 2),
        ("2026-02", 0),
        ("2026-03", 2),
    ]


def test_claims_per_year_of_one_customer(login, quality, alices_customer, data):
    claims = stats_of(login(quality), customer=alices_customer.code)["claims"]
    assert claims.years == [2025, 2026]
    assert [(r[0], r[2], r[3], r[4]) for r in claims.rows] == [
        (alices_customer.code, [Decimal(300), Decimal(26000)], Decimal(26300), 5)
    ]


def test_across_customers_in_a_date_range(login, quality, alices_customer, bobs_customer, data):
    stats = stats_of(login(quality), date_from="2026-01-01", date_to="2026-03-31")
    table = [(r.code, r.by_severity, r.count, r.customers) for r in stats["rows"]]
    assert table == [("SCRATCH", [2, 1, 1, 0], 4, 2), ("ROLL_MARK", [0, 1, 0, 0], 1, 1)]
    claims = stats["claims"]
    assert [(r[0], r[3]) for r in claims.rows] == [
        (alices_customer.code, Decimal(26000)),
        (bobs_customer.code, 700),
    ]


def test_across_customers_counts_only_the_users_scope(login, alice, alices_customer, data):
    stats = stats_of(login(alice), date_from="2025-01-01")
    assert stats["total"] == 5  # not Bob's scratch


def test_charts_are_drawn_as_svg(login, quality, alices_customer, data):
    page = login(quality).get(STATS, {"customer": alices_customer.code}).content.decode()
    assert page.count("<svg") == 5  # trend, three Pareto charts, claims
    assert "缺陷类型帕累托图（次数）" in page


def test_a_reversed_date_range_is_refused(login, quality, data):
    response = login(quality).get(STATS, {"date_from": "2026-03-01", "date_to": "2026-01-01"})
    assert response.status_code == 200 and response.context["stats"] is None
    assert "起始日期不能晚于结束日期" in response.content.decode()


def test_export_has_every_table(login, quality, alices_customer, data):
    response = login(quality).get(EXPORT, {"customer": alices_customer.code})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == [
        "敏感度",
        "月度趋势",
        "帕累托-次数",
        "帕累托-吨数",
        "帕累托-索赔",
        "索赔-客户与年份",
        "异议率-月度",
        "异议率-牌号",
        "异议率-用途",
    ]
    sensitivity = list(book["敏感度"].iter_rows(values_only=True))
    assert sensitivity[0][:7] == ("缺陷代码", "缺陷类型", "轻微", "一般", "严重", "重大", "合计次数")
    assert sensitivity[1][:7] == ("SCRATCH", "划伤", 2, 0, 1, 0, 3)
    claims = list(book["索赔-客户与年份"].iter_rows(values_only=True))
    assert claims[0][2:4] == ("2025", "2026") and claims[1][2:5] == (300, 26000, 26300)


def test_viewer_sees_statistics_but_cannot_export_them(login, viewer, data):
    assert login(viewer).get(STATS).status_code == 200
    assert login(viewer).get(EXPORT).status_code == 403


def test_bob_cannot_ask_for_alices_customer(login, bob, alices_customer, data):
    response = login(bob).get(STATS, {"customer": alices_customer.code})
    assert response.context["stats"] is None
    assert "找不到客户" in response.content.decode()
