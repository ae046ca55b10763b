"""Supply statistics use delivered tons beside the parts' material quotas: the last twelve months'
deliveries of the same customers, by the page's grade, in the user's scope, and in the export."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from archive_site.models import DictKind
from tests.factories import entry, make_demand, make_order

pytestmark = pytest.mark.django_db

STATS = reverse("products:statistics")


@pytest.fixture
def shipped(alices_customer, bobs_customer):
    today = timezone.localdate()
    recent, old = today - datetime.timedelta(days=20), today - datetime.timedelta(days=500)
    dc04, dc01 = entry(DictKind.PRODUCTION_GRADE, "DC04"), entry(DictKind.PRODUCTION_GRADE, "DC01")
    panel = make_demand(alices_customer, delivery_grade=entry(DictKind.DELIVERY_GRADE, "DC04"))
    make_order(
        alices_customer,
        demand=panel,
        production_grade=dc04,
        order_date=old,
        deliveries=[("A1", recent, "21.5"), ("A2", recent, "18.5"), ("A0", old, "99")],  # A0: too old
    )
    make_order(alices_customer, production_grade=dc01, order_date=recent, deliveries=[("A3", recent, "12")])
    make_order(bobs_customer, production_grade=dc04, order_date=recent, deliveries=[("B1", recent, "30")])


def delivered(response):
    shown = response.context["delivered"]
    return {r["label"]: (r["tons"], r["coils"]) for r in shown["by_grade"]}, shown["total"]


def test_delivered_tons_by_production_grade_beside_the_quotas(login, alice, shipped):
    rows, total = delivered(login(alice).get(STATS, {"grade": "production"}))
    # alice sees her own customer only: DC04 21.5 + 18.5 (the old coil is outside the twelve months), DC01 12.
    assert rows == {"DC04": (Decimal("40"), 2), "DC01": (Decimal("12"), 1)}
    assert total == {"tons": Decimal("52"), "coils": 3}


def test_delivered_tons_by_delivery_grade_follow_the_orders_demand(login, quality, shipped):
    response = login(quality).get(STATS, {"q": "海尔"})
    rows, total = delivered(response)
    assert rows == {"DC04": (Decimal("40"), 2), "（未关联需求或牌号）": (Decimal("12"), 1)}
    assert "共交货 52 吨，3 卷。" in response.content.decode()


def test_the_export_has_the_delivered_tons_too(login, quality, shipped):
    response = login(quality).get(reverse("products:statistics-export"), {"grade": "production"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    by_grade = [list(r) for r in book["交货-按生产牌号"].iter_rows(values_only=True)]
    assert by_grade == [
        ["生产牌号", "交货吨数(t)", "卷数"],
        ["DC04", 70, 3],
        ["DC01", 12, 1],
        ["合计", 82, 4],
    ]
    by_customer = [list(r) for r in book["交货-按客户"].iter_rows(values_only=True)]
    assert [r[0] for r in by_customer[1:]] == ["C0005", "C0001"]
