"""The process card carries the process (paper 3.8), and every page prints from where people look."""

import re

from django.urls import reverse

from tests.factories import make_demand, make_part, make_plan
from tests.printing.conftest import read_pdf


def card_text(client, demand):
    response = client.post(reverse("printing:process-card-pdf", args=[demand.pk]))
    assert response.status_code == 200
    _reader, texts = read_pdf(response.content)
    return "\n".join(texts)


def test_the_card_shows_the_approved_plans_set_values_and_limits_per_line(rich_customer, login, engineer):
    demand = rich_customer.rich_demand
    revision = demand.plans.get().revisions.get()

    text = card_text(login(engineer), demand)

    assert f"{revision.plan.code} DC04 冰箱侧板 Rev.1" in text
    assert "批准：李工" in text
    assert "保证 r90 ≥ 1.6" in text  # the plan's requirements
    # Line, parameter (unit), target, lower, upper: as set, without trailing zeros.
    for row in [
        "酸轧 冷轧压下率（%） 78 75 80",
        "酸轧 机架间张力（kN） 120 110 130",
        "连退 均热温度（℃） 820 810 830",
    ]:
        assert re.search(r"\s+".join(map(re.escape, row.split())), text), row


def test_a_card_without_an_approved_plan_says_so(alices_customer, login, alice, engineer):
    demand = make_demand(alices_customer, name="门板用 DC03")
    make_plan(alices_customer, demand=demand, parameters=[("CAL", "SOAK_T", 800, 790, 810, "℃")])  # a draft

    text = card_text(login(alice), demand)

    assert "本需求还没有已批准的工艺控制方案：本工艺卡没有工艺设定值。" in text
    assert "均热温度" not in text


def test_the_part_demand_and_plan_pages_have_their_print_buttons(rich_customer, login, alice, viewer):
    from customers.models import CustomerShare

    part, demand = rich_customer.rich_part, rich_customer.rich_demand
    plan = demand.plans.get()
    sheet_url = reverse("printing:technical-sheet", args=[part.pk])
    card_url = reverse("printing:process-card", args=[demand.pk])
    client = login(alice)

    assert sheet_url in client.get(part.get_absolute_url()).content.decode()
    assert card_url in client.get(demand.get_absolute_url()).content.decode()
    assert card_url in client.get(reverse("quality:plan-detail", args=[plan.pk])).content.decode()

    CustomerShare.objects.create(customer=rich_customer, user=viewer)  # reads, may not print
    client = login(viewer)
    assert sheet_url not in client.get(part.get_absolute_url()).content.decode()
    assert card_url not in client.get(demand.get_absolute_url()).content.decode()


def test_a_plan_without_a_demand_has_no_card_to_print(alices_customer, login, alice):
    revision = make_plan(alices_customer, demand=None)
    page = login(alice).get(reverse("quality:plan-detail", args=[revision.plan.pk])).content.decode()
    assert 'id="print-process-card"' not in page


def test_a_part_without_photos_or_demand_still_prints(alices_customer, login, alice):
    part = make_part(alices_customer, number="BX-7001")
    response = login(alice).post(reverse("printing:technical-sheet-pdf", args=[part.pk]))
    _reader, texts = read_pdf(response.content)
    assert len(texts) == 1 and "本零件未关联客户需求。" in texts[0]
