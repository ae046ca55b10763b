"""The judgement check weighs what is known of the coil: part, demand, grade, surface quality, end use.

An objection about the same part or demand, or the same kind of product, blocks 合格 and is
named with the reason; one about the customer's other products does not, and the answer
says how they differ.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from archive_site.models import DictKind
from quality.models import Alert, Closeness, Objection, Question
from tests.factories import entry, make_customer, make_demand, make_objection, make_part

pytestmark = pytest.mark.django_db

PAGE = reverse("quality:judgement")
API = reverse("quality:judgement-api")


@pytest.fixture
def foton(bob):
    """北汽福田: an FB exposed outer panel and an FC inner panel, both DC04."""
    customer = make_customer(
        code="C0001", name="北汽福田汽车股份有限公司", short_name="福田", sales_owner=bob
    )
    outer = make_demand(
        customer,
        name="侧围外板用 DC04",
        surface_quality=entry(DictKind.SURFACE_QUALITY, "FB"),
        end_use=entry(DictKind.END_USE, "AUTO_EXT"),
    )
    inner = make_demand(
        customer,
        name="车门内板用 DC04",
        surface_quality=entry(DictKind.SURFACE_QUALITY, "FC"),
        end_use=entry(DictKind.END_USE, "AUTO_INT"),
    )
    side = make_part(customer, name="侧围外板", number="5401-00123", usage_location="SIDE", demand=outer)
    door = make_part(customer, name="前门内板", number="6101-00456", usage_location="DOOR_IN", demand=inner)
    return customer, outer, inner, side, door


def question(customer, severity=2, **facts):
    return Question(customer, entry(DictKind.DEFECT_TYPE, "SCRATCH"), severity, **facts).complete()


def judge(q):
    return Objection.objects.judge(q, alerts=Alert.objects.all())


def test_a_scratch_on_the_same_part_blocks_and_is_named(foton):
    customer, outer, inner, side, door = foton
    o = make_objection(
        customer, "SCRATCH", 2, part=side, demand=outer, production_grade=outer.production_grade
    )
    answer = judge(question(customer, part=side))
    assert answer.verdict == "not_acceptable" and not answer.may_judge_qualified
    assert answer.matches == [o] and answer.matches[0].match.closeness == Closeness.PART
    assert answer.basis == [f"同一零件 侧围外板，划伤 一般，{o.number}"]


def test_an_outer_panel_complaint_does_not_block_the_inner_panel_and_says_why(foton):
    customer, outer, inner, side, door = foton
    o = make_objection(
        customer, "SCRATCH", 2, part=side, demand=outer, production_grade=outer.production_grade
    )
    answer = judge(question(customer, part=door))
    assert answer.verdict == "caution" and answer.may_judge_qualified
    assert answer.count == 0 and answer.other_count == 1
    (match,) = answer.matches
    assert match == o and match.match.closeness == Closeness.OTHER
    assert str(match.match.reason) == "其他产品：表面质量 FB（本卷 FC）、用途 汽车外板（本卷 汽车内板）"
    assert "它对其他产品的 1 次此类异议与本卷产品不同" in str(answer.message)
    assert "来自其他产品" in str(answer.conclusion)


def test_the_same_grade_and_surface_quality_blocks_another_demand(foton):
    customer, outer, inner, side, door = foton
    make_objection(customer, "SCRATCH", 1, demand=outer, production_grade=outer.production_grade)
    other_outer = make_demand(
        customer,
        name="顶盖用 DC04",
        surface_quality=entry(DictKind.SURFACE_QUALITY, "FB"),
        end_use=entry(DictKind.END_USE, "AUTO_EXT"),
    )
    answer = judge(question(customer, demand=other_outer))
    assert answer.verdict == "not_acceptable"
    (o,) = answer.matches
    assert o.match.closeness == Closeness.PRODUCT
    assert str(o.match.reason) == "同类产品：牌号 DC04、表面质量 FB、用途 汽车外板"


def test_the_same_demand_blocks(foton):
    customer, outer, inner, side, door = foton
    make_objection(customer, "SCRATCH", 2, demand=inner)
    answer = judge(question(customer, demand=inner))
    assert answer.verdict == "not_acceptable"
    assert answer.matches[0].match.closeness == Closeness.DEMAND
    assert str(answer.matches[0].match.reason) == "同一需求 车门内板用 DC04"


def test_an_objection_without_a_product_counts_as_the_same_kind(foton):
    customer, outer, inner, side, door = foton
    make_objection(customer, "SCRATCH", 2)  # no grade, demand or part recorded
    answer = judge(question(customer, part=door))
    assert answer.verdict == "not_acceptable"
    assert str(answer.matches[0].match.reason) == "异议未记录产品，按同类产品对待"


def test_without_product_facts_every_product_of_the_customer_counts(foton):
    customer, outer, inner, side, door = foton
    make_objection(customer, "SCRATCH", 2, part=side, demand=outer)
    answer = judge(question(customer))
    assert answer.verdict == "not_acceptable" and answer.count == 1


def test_milder_questions_still_follow_severity(foton):
    customer, outer, inner, side, door = foton
    make_objection(customer, "SCRATCH", 3, part=side, demand=outer)
    answer = judge(question(customer, severity=2, part=side))
    assert answer.verdict == "acceptable" and answer.harsher_count == 1


def test_the_closest_objections_come_first(foton):
    customer, outer, inner, side, door = foton
    other = make_objection(customer, "SCRATCH", 1, demand=inner, received_date=datetime.date(2026, 5, 1))
    same_kind = make_objection(customer, "SCRATCH", 1, demand=outer, received_date=datetime.date(2026, 4, 1))
    same_part = make_objection(customer, "SCRATCH", 1, part=side, received_date=datetime.date(2025, 1, 1))
    answer = judge(question(customer, part=side))
    assert answer.matches == [same_part, same_kind, other]
    assert answer.blocking == [same_part, same_kind] and answer.others == [other]
    assert answer.count == 2 and answer.other_count == 1


def test_the_page_shows_the_grounds_and_the_difference(login, quality, foton):
    customer, outer, inner, side, door = foton
    o = make_objection(customer, "SCRATCH", 2, part=side, demand=outer)
    client = login(quality)
    page = client.get(PAGE, {"customer": "C0001", "defect": "SCRATCH", "severity": 2, "part": door.number})
    html = page.content.decode()
    assert "可按标准判定，须从严控制" in html
    assert "其他产品：表面质量 FB（本卷 FC）" in html and o.number in html
    page = client.get(PAGE, {"customer": "C0001", "defect": "SCRATCH", "severity": 2, "part": side.number})
    assert f"同一零件 侧围外板，划伤 一般，{o.number}" in page.content.decode()


def test_the_api_names_the_closeness_and_the_reason(login, quality, foton):
    customer, outer, inner, side, door = foton
    o = make_objection(customer, "SCRATCH", 2, part=side, demand=outer)
    data = (
        login(quality)
        .get(API, {"customer": "C0001", "defect": "SCRATCH", "severity": 2, "demand": inner.code})
        .json()
    )
    assert data["verdict"] == "caution" and data["may_judge_qualified"] is True
    assert data["product"]["demand"] == {"code": inner.code, "name": "车门内板用 DC04"}
    assert data["product"]["surface_quality"] == {"code": "FC", "name": "FC"}
    assert data["other_products_count"] == 1 and data["count"] == 0
    (match,) = data["objections"]
    assert match["number"] == o.number and match["blocks"] is False
    assert match["closeness"] == {"value": "other", "label": "其他产品"}
    assert match["reason"].startswith("其他产品：表面质量 FB（本卷 FC）")


def test_a_part_of_another_demand_than_the_one_given_is_refused(login, quality, foton):
    customer, outer, inner, side, door = foton
    query = {
        "customer": "C0001",
        "defect": "SCRATCH",
        "severity": 2,
        "part": side.number,
        "demand": inner.code,
    }
    response = login(quality).get(API, query)
    assert response.status_code == 400
    assert "零件“侧围外板”用的是需求" in response.json()["errors"]["demand"][0]


def test_another_customers_part_is_not_a_choice(login, quality, foton, alices_customer):
    customer, outer, inner, side, door = foton
    query = {"customer": alices_customer.code, "defect": "SCRATCH", "severity": 2, "part": side.number}
    response = login(quality).get(API, query)
    assert response.status_code == 400 and "part" in response.json()["errors"]


def test_thickness_and_width_rank_similar_sizes_first(foton):
    customer, outer, inner, side, door = foton
    grade = outer.production_grade
    far = make_objection(customer, "SCRATCH", 1, production_grade=grade, thickness=Decimal("2.0"), width=900)
    near = make_objection(
        customer,
        "SCRATCH",
        1,
        production_grade=grade,
        thickness=Decimal("0.8"),
        width=1250,
        received_date=datetime.date(2020, 1, 1),
    )
    answer = judge(
        question(customer, production_grade=grade, thickness=Decimal("0.8"), width=Decimal("1260"))
    )
    assert answer.matches == [near, far]
    assert str(answer.matches[0].match.reason) == "同类产品：牌号 DC04、规格相近"


@pytest.mark.parametrize("matches", [1, 12])
def test_a_product_question_runs_a_constant_number_of_queries(
    login, quality, foton, django_assert_num_queries, matches
):
    customer, outer, inner, side, door = foton
    for i in range(matches):
        make_objection(customer, "SCRATCH", 1, part=side if i % 2 else door, demand=outer if i % 2 else inner)
    client = login(quality)
    query = {"customer": "C0001", "defect": "SCRATCH", "severity": 2, "part": side.number}
    client.get(API, query)
    # session, user, savepoint + release, permissions, customer, defect, part (with its
    # demand), the aggregate, the matches, the dictionary entries they name, their photos,
    # the alerts
    with django_assert_num_queries(13):
        assert client.get(API, query).status_code == 200
