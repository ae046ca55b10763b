"""Lessons spread to similar customers (举一反三): who is like the objection's customer, and the alerts."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from archive_site.models import DictKind
from customers.models import Customer
from quality.models import Alert, similar_customers
from tests import sections
from tests.factories import entry, make_customer, make_demand, make_objection, make_part

pytestmark = pytest.mark.django_db


def fb_outer(customer, grade="DC04", **fields):
    return make_demand(
        customer,
        production_grade=entry(DictKind.PRODUCTION_GRADE, grade),
        surface_quality=entry(DictKind.SURFACE_QUALITY, "FB"),
        end_use=entry(DictKind.END_USE, "AUTO_EXT"),
        **fields,
    )


@pytest.fixture
def world(bob, alice):
    foton = make_customer(code="C0001", name="北汽福田汽车股份有限公司", short_name="福田", sales_owner=bob)
    demand = fb_outer(foton)
    side = make_part(foton, name="侧围外板", usage_location="SIDE", demand=demand)
    objection = make_objection(
        foton, "SCRATCH", 2, part=side, demand=demand, description="侧围外板表面纵向划伤"
    )
    gwm = make_customer(code="C0012", name="长城汽车股份有限公司", short_name="长城", sales_owner=alice)
    fb_outer(gwm)  # same grade, surface quality and end use
    jac = make_customer(code="C0020", name="安徽江淮汽车集团股份有限公司", short_name="江淮")
    make_part(jac, name="侧围外板", usage_location="SIDE", demand=None)  # stamps the same part
    haier = make_customer(code="C0005", name="青岛海尔股份有限公司", short_name="海尔")
    make_demand(
        haier,
        production_grade=entry(DictKind.PRODUCTION_GRADE, "SPCC"),
        surface_quality=entry(DictKind.SURFACE_QUALITY, "FD"),
        end_use=entry(DictKind.END_USE, "APPLIANCE"),
    )  # nothing alike
    byd = make_customer(code="C0027", name="比亚迪汽车工业有限公司", short_name="比亚迪")
    fb_outer(byd)
    make_objection(byd, "SCRATCH", 3)  # alike, but has complained of scratches itself
    return {"foton": foton, "objection": objection, "gwm": gwm, "jac": jac, "haier": haier, "byd": byd}


def test_similar_customers_are_those_alike_that_have_not_complained(world):
    similar = similar_customers(world["objection"], Customer.objects.all())
    found = {s.customer.code: s.reason for s in similar}
    assert found == {
        "C0012": "同牌号 DC04、同表面质量 FB、同用途 汽车外板",
        "C0020": "冲压同类零件 侧围外板、同使用部位 侧围",
    }
    assert [s.customer.code for s in similar] == ["C0012", "C0020"]  # the most alike first


def test_a_sales_user_sees_only_the_similar_customers_in_scope(world, alice):
    similar = similar_customers(world["objection"], Customer.objects.visible_to(alice))
    assert [s.customer.code for s in similar] == ["C0012"]


def test_quality_staff_alert_similar_customers(login, quality, world):
    client = login(quality)
    url = reverse("quality:objection-lessons", args=[world["objection"].pk])
    page = client.get(url)
    assert page.status_code == 200 and "同牌号 DC04" in page.content.decode()
    message = page.context["form"].initial["message"]
    assert message.startswith(
        f"对划伤敏感：同类客户福田 {world['objection'].number}（一般）侧围外板表面纵向划伤"
    )
    response = client.post(url, {"customers": [world["gwm"].pk, world["jac"].pk], "message": message})
    assert response.status_code == 302
    alerts = Alert.objects.order_by("customer__code")
    assert [a.customer.code for a in alerts] == ["C0012", "C0020"]
    assert all(a.defect_type.code == "SCRATCH" and a.created_by == quality for a in alerts)
    assert alerts[0].reason == "同牌号 DC04、同表面质量 FB、同用途 汽车外板"
    # Sent once: the page no longer offers them.
    again = client.get(url)
    assert list(again.context["form"].fields["customers"].queryset) == []


def test_the_alert_shows_on_the_customer_page_and_in_its_judgement(login, quality, world):
    alert = Alert.objects.create(
        customer=world["gwm"],
        objection=world["objection"],
        defect_type=world["objection"].defect_type,
        message="对划伤敏感：同类客户福田 ZY-…",
        reason="同牌号 DC04",
    )
    html = sections.render_section("customer", "quality/_customer_alerts.html", quality, world["gwm"])
    assert "来自同类客户" in html and "对划伤敏感：同类客户福田" in html
    client = login(quality)
    answer = client.get(
        reverse("quality:judgement"), {"customer": "C0012", "defect": "SCRATCH", "severity": 2}
    ).context["answer"]
    assert answer.verdict == "caution" and answer.alerts == [alert]
    assert "同类客户曾对此类缺陷提出异议" in str(answer.conclusion)
    data = client.get(
        reverse("quality:judgement-api"), {"customer": "C0012", "defect": "SCRATCH", "severity": 2}
    ).json()
    assert data["alerts"][0]["from_similar_customer"] == {
        "name": "北汽福田汽车股份有限公司",
        "objection": world["objection"].number,
    }
    assert data["alerts"][0]["about_this_defect"] is True
    # An alert about another defect is shown but calls for no care here.
    rust = client.get(
        reverse("quality:judgement-api"), {"customer": "C0012", "defect": "RUST", "severity": 2}
    ).json()
    assert rust["verdict"] == "acceptable" and rust["alerts"][0]["about_this_defect"] is False


@pytest.mark.parametrize("alerts", [0, 1, 3])
def test_the_answer_reads_the_alerts_in_a_constant_number_of_queries(
    login, quality, world, django_assert_num_queries, alerts
):
    sources = [world["objection"], *(make_objection(world["foton"], "RUST", 1) for _ in range(alerts - 1))]
    for source in sources[:alerts]:
        Alert.objects.create(
            customer=world["gwm"], objection=source, defect_type=source.defect_type, message=source.number
        )
    client, query = login(quality), {"customer": "C0012", "defect": "SCRATCH", "severity": 2}
    client.get(reverse("quality:judgement-api"), query)
    # session, user, savepoint + release, permissions, customer, defect, the aggregate,
    # the alerts; with any, their defect types and their source objections with their customers
    with django_assert_num_queries(9 + (2 if alerts else 0)):
        data = client.get(reverse("quality:judgement-api"), query).json()
    shown = [(a["defect"]["code"], a["from_similar_customer"]["objection"]) for a in data["alerts"]]
    assert shown == [(s.defect_type.code, s.number) for s in reversed(sources[:alerts])]
    assert {a["from_similar_customer"]["name"] for a in data["alerts"]} <= {"北汽福田汽车股份有限公司"}


def test_an_alert_is_not_sent_to_the_complaining_customer(world):
    alert = Alert(customer=world["foton"], objection=world["objection"], message="…")
    with pytest.raises(ValidationError) as error:
        alert.full_clean()
    assert "预警发给其他同类客户" in str(error.value)


def test_withdrawn_alerts_leave_the_page_and_the_answer(login, quality, world):
    alert = Alert.objects.create(
        customer=world["gwm"],
        objection=world["objection"],
        defect_type=world["objection"].defect_type,
        message="m",
    )
    client = login(quality)
    response = client.post(
        reverse("quality:alert-withdraw", args=[alert.pk]), {"next": "http://evil.example/"}
    )
    assert response.status_code == 302 and response.url == world["gwm"].get_absolute_url()
    alert.refresh_from_db()
    assert not alert.active and alert.updated_by == quality
    assert sections.render_section("customer", "quality/_customer_alerts.html", quality, world["gwm"]) == ""
    answer = client.get(
        reverse("quality:judgement"), {"customer": "C0012", "defect": "SCRATCH", "severity": 2}
    ).context["answer"]
    assert answer.alerts == [] and answer.verdict == "acceptable"


def test_viewers_read_but_do_not_alert(login, viewer, world):
    world["foton"].shared_with.add(viewer)
    url = reverse("quality:objection-lessons", args=[world["objection"].pk])
    page = login(viewer).get(url)
    assert page.status_code == 200 and page.context["form"] is None
    assert login(viewer).post(url, {"customers": [world["gwm"].pk], "message": "x"}).status_code == 403
    assert not Alert.objects.exists()


def test_the_objection_page_links_its_lessons(login, quality, world):
    html = login(quality).get(world["objection"].get_absolute_url()).content.decode()
    assert reverse("quality:objection-lessons", args=[world["objection"].pk]) in html
