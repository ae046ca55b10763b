"""Objection rates per 10 000 t delivered, on the statistics page and in its export: equal to the
rates worked out by hand from the objections and the deliveries of the range."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from archive_site.models import DictKind
from tests.factories import entry, make_customer, make_demand, make_objection, make_order

pytestmark = pytest.mark.django_db

RANGE = {"date_from": "2025-01-01", "date_to": "2025-02-28"}


@pytest.fixture
def archive(alices_customer):
    """Two customers, their deliveries and objections in January and February 2025 (and one of each
    outside the range, which no rate may count)."""
    haier = alices_customer
    foton = make_customer(code="C0002", name="北汽福田汽车股份有限公司")
    dc04, dc01 = entry(DictKind.PRODUCTION_GRADE, "DC04"), entry(DictKind.PRODUCTION_GRADE, "DC01")
    panel = make_demand(haier, production_grade=dc04, end_use=entry(DictKind.END_USE, "APPLIANCE"))
    door = make_demand(foton, production_grade=dc01, end_use=entry(DictKind.END_USE, "AUTO_EXT"))
    day = datetime.date
    make_order(
        haier,
        demand=panel,
        production_grade=dc04,
        order_date=day(2024, 12, 1),
        deliveries=[
            ("H1", day(2025, 1, 10), 1500),
            ("H2", day(2025, 1, 20), 1500),
            ("H3", day(2025, 2, 5), 2000),
        ],
    )
    make_order(
        foton,
        demand=door,
        production_grade=dc01,
        order_date=day(2024, 12, 1),
        deliveries=[("F1", day(2025, 1, 15), 5000), ("F0", day(2024, 12, 20), 9000)],  # F0: before the range
    )

    def objection(customer, demand, grade, received, tons):
        make_objection(customer, demand=demand, production_grade=grade, received_date=received, tonnage=tons)

    objection(haier, panel, dc04, day(2025, 1, 12), Decimal("10"))
    objection(haier, panel, dc04, day(2025, 1, 25), Decimal("5"))
    objection(haier, panel, dc04, day(2025, 2, 8), Decimal("3"))
    objection(foton, door, dc01, day(2025, 1, 18), Decimal("20"))
    objection(foton, door, dc01, day(2024, 12, 28), Decimal("99"))  # before the range
    return haier, foton


def rates(client, **params):
    response = client.get(reverse("quality:objection-stats"), {**RANGE, **params})
    assert response.status_code == 200
    return response.context["stats"]["rates"]


def figures(row):
    return (row.objections, row.claimed, row.delivered, row.rate, row.claimed_rate)


def test_rates_per_10000_tons_equal_the_rates_worked_out_by_hand(login, quality, archive):
    r = rates(login(quality))
    # 4 objections and 10 + 5 + 3 + 20 = 38 t objected to, over 1500 + 1500 + 2000 + 5000 = 10 000 t.
    assert figures(r["total"]) == (4, Decimal("38"), Decimal("10000"), Decimal("4.000"), Decimal("38.000"))
    # Haier: 3 objections, 18 t over 5 000 t → 6 and 36 per 10 000 t; Foton: 1, 20 t over 5 000 t.
    assert [(c.label, *figures(c)) for c in r["customers"]] == [
        ("青岛海尔股份有限公司", 3, Decimal("18"), Decimal("5000"), Decimal("6.000"), Decimal("36.000")),
        ("北汽福田汽车股份有限公司", 1, Decimal("20"), Decimal("5000"), Decimal("2.000"), Decimal("40.000")),
    ]
    assert [(g.label, g.rate, g.claimed_rate) for g in r["grades"]] == [
        ("DC04", Decimal("6.000"), Decimal("36.000")),
        ("DC01", Decimal("2.000"), Decimal("40.000")),
    ]
    assert [(u.label, u.rate) for u in r["end_uses"]] == [
        ("家电面板", Decimal("6.000")),
        ("汽车外板", Decimal("2.000")),
    ]
    # January: 3 objections, 35 t over 8 000 t; February: 1, 3 t over 2 000 t.
    assert [(m.label, *figures(m)) for m in r["months"]] == [
        ("2025-01", 3, Decimal("35"), Decimal("8000"), Decimal("3.750"), Decimal("43.750")),
        ("2025-02", 1, Decimal("3"), Decimal("2000"), Decimal("5.000"), Decimal("15.000")),
    ]


def test_one_customers_rates_count_its_own_deliveries(login, quality, archive):
    haier, _foton = archive
    r = rates(login(quality), customer=haier.code)
    assert figures(r["total"]) == (3, Decimal("18"), Decimal("5000"), Decimal("6.000"), Decimal("36.000"))
    assert r["customers"] is None  # the page is about one customer already


def test_a_group_without_deliveries_has_no_rate(login, quality, archive):
    haier, _foton = archive
    make_objection(
        haier,
        production_grade=entry(DictKind.PRODUCTION_GRADE, "SPCC"),
        received_date=datetime.date(2025, 2, 1),
    )
    grades = rates(login(quality))["grades"]
    assert [(g.label, g.objections, g.rate) for g in grades][-1] == ("SPCC", 1, None)


def test_the_page_draws_the_rates_and_the_export_carries_them(login, quality, archive):
    client = login(quality)
    html = client.get(reverse("quality:objection-stats"), RANGE).content.decode()
    assert "异议率（每万吨交货）" in html and html.count("<svg") >= 8
    response = client.get(reverse("quality:objection-stats-export"), RANGE)
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    customers = [list(r) for r in book["异议率-客户"].iter_rows(values_only=True)]
    assert customers[0] == [
        "客户代码",
        "客户名称",
        "异议次数",
        "异议吨数(t)",
        "交货吨数(t)",
        "异议次数/万吨",
        "异议吨数/万吨",
    ]
    assert customers[1] == ["C0005", "青岛海尔股份有限公司", 3, 18, 5000, 6, 36]
    months = [list(r) for r in book["异议率-月度"].iter_rows(values_only=True)]
    assert months[-1] == ["合计", 4, 38, 10000, 4, 38]
