from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from archive_site.models import DictEntry, DictionaryForeignKey, DictKind
from customers.models import Demand, DemandElement, DemandProperty
from tests.factories import entry, make_customer, make_demand, make_plan

pytestmark = pytest.mark.django_db


def demand_post(customer, elements=(), properties=(), **fields):
    """The POST of the demand form: header fields and the two row formsets."""
    data = {
        "customer": customer.code,
        "name": "欧铃车门外板",
        "source": "order",
        "production_grade": entry(DictKind.PRODUCTION_GRADE, "DC04").pk,
        "thickness": "0.8",
        "width": "1250",
        "elements-TOTAL_FORMS": len(elements),
        "elements-INITIAL_FORMS": 0,
        "properties-TOTAL_FORMS": len(properties),
        "properties-INITIAL_FORMS": 0,
    }
    for i, (code, low, high) in enumerate(elements):
        data[f"elements-{i}-element"] = entry(DictKind.ELEMENT, code).pk
        data[f"elements-{i}-min_pct"] = low
        data[f"elements-{i}-max_pct"] = high
    for i, (code, low, high, unit) in enumerate(properties):
        data[f"properties-{i}-property"] = entry(DictKind.MECHANICAL_PROPERTY, code).pk
        data[f"properties-{i}-min_value"] = low
        data[f"properties-{i}-max_value"] = high
        data[f"properties-{i}-unit"] = unit
    data.update(fields)
    return data


def test_sales_creates_demand_with_composition_and_property_rows(login, alice, alices_customer):
    data = demand_post(
        alices_customer,
        elements=[("C", "", "0.008"), ("Mn", "0.10", "0.35")],
        properties=[("Rm", "270", "350", "MPa"), ("A80", "38", "", "%")],
        surface_quality=entry(DictKind.SURFACE_QUALITY, "FD").pk,
        ra_min="0.9",
        ra_max="1.3",
    )
    response = login(alice).post(reverse("customers:demand-create"), data)
    demand = Demand.objects.get()
    assert response.status_code == 302 and response.url == demand.get_absolute_url()
    assert demand.customer == alices_customer and demand.created_by == alice
    assert sorted(e.element.code for e in demand.elements.all()) == ["C", "Mn"]
    assert demand.properties.get(property__code="Rm").max_value == Decimal("350")


def test_new_demand_form_from_the_customer_page_shows_its_basic_data(login, alice, alices_customer):
    response = login(alice).get(reverse("customers:demand-create") + f"?customer={alices_customer.pk}")
    page = response.content.decode()
    assert 'value="青岛海尔股份有限公司"' in page
    assert "C0005" in page


@pytest.mark.parametrize(
    "change, message",
    [
        ({"elements": [("C", "0.05", "0.01")]}, "成分下限 %不能大于上限 %。"),
        ({"elements": [("Mn", "0", "120")]}, "百分比应在 0 到 100 之间。"),
        ({"elements": [("Mn", "-1", "1")]}, "百分比应在 0 到 100 之间。"),
        ({"properties": [("Rm", "400", "300", "MPa")]}, "性能下限不能大于上限。"),
        ({"ra_min": "1.5", "ra_max": "0.9"}, "Ra 下限不能大于上限。"),
        ({"thickness": "0"}, "厚度必须大于 0。"),
    ],
)
def test_bad_demand_input_is_refused_and_nothing_is_saved(login, alice, alices_customer, change, message):
    elements = change.pop("elements", [("C", "", "0.008")])
    properties = change.pop("properties", [("Rm", "270", "350", "MPa")])
    data = demand_post(alices_customer, elements=elements, properties=properties, **change)
    response = login(alice).post(reverse("customers:demand-create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (
        not Demand.objects.exists()
        and not DemandElement.objects.exists()
        and not DemandProperty.objects.exists()
    )


def test_a_bad_row_keeps_the_header_unsaved_on_edit(login, alice, alices_customer):
    demand = make_demand(alices_customer, name="原名称")
    data = demand_post(alices_customer, elements=[("C", "0.5", "0.1")], name="新名称", version=demand.version)
    response = login(alice).post(reverse("customers:demand-edit", args=[demand.pk]), data)
    assert response.status_code == 200
    demand.refresh_from_db()
    assert demand.name == "原名称"


def test_cannot_pick_a_customer_outside_ones_scope(login, alice, bobs_customer):
    response = login(alice).post(reverse("customers:demand-create"), demand_post(bobs_customer))
    assert "所选客户不存在或您无权查看。" in response.content.decode()
    assert not Demand.objects.exists()


def test_edit_removes_and_adds_rows(login, alice, alices_customer):
    demand = make_demand(alices_customer, elements=[("C", None, Decimal("0.008"))])
    row = demand.elements.get()
    data = demand_post(alices_customer, version=demand.version)
    data.update(
        {
            "elements-TOTAL_FORMS": 2,
            "elements-INITIAL_FORMS": 1,
            "elements-0-id": row.pk,
            "elements-0-demand": demand.pk,
            "elements-0-element": row.element_id,
            "elements-0-max_pct": "0.008",
            "elements-0-version": row.version,
            "elements-0-DELETE": "on",
            "elements-1-element": entry(DictKind.ELEMENT, "Als").pk,
            "elements-1-min_pct": "0.02",
        }
    )
    response = login(alice).post(reverse("customers:demand-edit", args=[demand.pk]), data)
    assert response.status_code == 302
    assert [e.element.code for e in demand.elements.all()] == ["Als"]


def test_bob_cannot_see_alices_demand(login, bob, alices_customer):
    demand = make_demand(alices_customer)
    client = login(bob)
    for name in ("demand-detail", "demand-edit", "demand-delete"):
        assert client.get(reverse(f"customers:{name}", args=[demand.pk])).status_code == 404
    assert client.post(reverse("customers:demand-copy", args=[demand.pk])).status_code == 404
    assert demand.name not in client.get(reverse("customers:demand-list")).content.decode()


def test_viewer_cannot_edit_copy_or_delete_demands(login, viewer, alices_customer):
    demand = make_demand(alices_customer)
    client = login(viewer)
    assert client.get(reverse("customers:demand-create")).status_code == 403
    assert client.get(reverse("customers:demand-edit", args=[demand.pk])).status_code == 403
    assert client.post(reverse("customers:demand-copy", args=[demand.pk])).status_code == 403
    assert client.post(reverse("customers:demand-delete", args=[demand.pk])).status_code == 403
    assert Demand.objects.count() == 1


def test_engineer_reads_but_does_not_keep_demands(login, engineer, alices_customer):
    demand = make_demand(alices_customer)
    client = login(engineer)
    assert client.get(demand.get_absolute_url()).status_code == 200
    assert client.get(reverse("customers:demand-edit", args=[demand.pk])).status_code == 403


def test_customer_picker_finds_by_part_of_the_chinese_name_within_scope(
    login, alice, alices_customer, bobs_customer
):
    client = login(alice)
    found = client.get(reverse("customers:customer-picker"), {"q": "海尔"}).json()["results"]
    assert [c["name"] for c in found] == ["青岛海尔股份有限公司"]
    assert found[0]["code"] == "C0005" and found[0]["category"]
    assert client.get(reverse("customers:customer-picker"), {"q": "福田"}).json()["results"] == []


def test_copy_makes_a_new_demand_with_the_same_rows(login, alice, alices_customer):
    demand = make_demand(
        alices_customer, elements=[("C", None, Decimal("0.008"))], properties=[("Rm", 270, 350, "MPa")]
    )
    response = login(alice).post(reverse("customers:demand-copy", args=[demand.pk]))
    copy = Demand.objects.exclude(pk=demand.pk).get()
    assert response.url == reverse("customers:demand-edit", args=[copy.pk])
    assert copy.name.endswith("（副本）") and copy.created_by == alice
    assert copy.elements.count() == 1 and copy.properties.count() == 1
    assert demand.elements.count() == 1


def test_delete_asks_first_then_deletes(login, alice, alices_customer):
    demand = make_demand(alices_customer, elements=[("C", None, Decimal("0.008"))])
    client = login(alice)
    assert "确认删除" in client.get(reverse("customers:demand-delete", args=[demand.pk])).content.decode()
    response = client.post(reverse("customers:demand-delete", args=[demand.pk]))
    assert response.url == alices_customer.get_absolute_url()
    assert not Demand.objects.exists()


def test_a_demand_served_by_a_plan_cannot_be_deleted(login, admin_user, alices_customer):
    demand = make_demand(alices_customer)
    make_plan(alices_customer, demand=demand)
    response = login(admin_user).post(reverse("customers:demand-delete", args=[demand.pk]))
    assert response.status_code == 200
    assert "不能删除" in response.content.decode()
    assert Demand.objects.filter(pk=demand.pk).exists()


def test_attachment_is_checked_and_kept(login, alice, alices_customer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demand = make_demand(alices_customer)
    client = login(alice)
    url = reverse("customers:demand-attachment-create", args=[demand.pk])
    fake = SimpleUploadedFile("drawing.pdf", b"not a pdf", content_type="application/pdf")
    client.post(url, {"title": "图纸", "file": fake}, follow=True)
    assert not demand.attachments.exists()
    pdf = SimpleUploadedFile("drawing.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    client.post(url, {"title": "图纸", "file": pdf})
    attachment = demand.attachments.get()
    download = client.get(reverse("customers:demand-attachment-download", args=[attachment.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_list_filters_by_grade_and_thickness(login, alice, alices_customer):
    make_demand(alices_customer, name="薄规格", thickness=Decimal("0.6"))
    make_demand(alices_customer, name="厚规格", thickness=Decimal("1.5"))
    make_demand(alices_customer, name="其他牌号", production_grade=entry(DictKind.PRODUCTION_GRADE, "DC01"))
    dc04 = entry(DictKind.PRODUCTION_GRADE, "DC04").pk
    page = login(alice).get(
        reverse("customers:demand-list"), {"production_grade": dc04, "thickness_max": "1.0"}
    )
    text = page.content.decode()
    assert "薄规格" in text and "厚规格" not in text and "其他牌号" not in text


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"customer": "海尔"}, {"海尔 FD 外板", "海尔 FB 背板"}),
        ({"customer": "C0005"}, {"海尔 FD 外板", "海尔 FB 背板"}),
        ({"delivery_grade": ("delivery_grade", "DC04")}, {"海尔 FD 外板", "美的宽板"}),
        ({"surface_quality": ("surface_quality", "FD")}, {"海尔 FD 外板", "美的宽板"}),
        ({"end_use": ("end_use", "APPL_BACK")}, {"海尔 FB 背板"}),
        ({"width_min": "1400", "width_max": "1600"}, {"美的宽板"}),
        ({"thickness_min": "0.5", "thickness_max": "0.6"}, {"海尔 FB 背板"}),
        ({"customer": "海尔", "surface_quality": ("surface_quality", "FD")}, {"海尔 FD 外板"}),
    ],
)
def test_list_filters_by_customer_grade_surface_end_use_and_spec(
    login, admin_user, alices_customer, query, expected
):
    kinds = {
        "delivery_grade": DictKind.DELIVERY_GRADE,
        "surface_quality": DictKind.SURFACE_QUALITY,
        "end_use": DictKind.END_USE,
    }

    def e(field, code):
        return entry(kinds[field], code)

    midea = make_customer(code="C0031", name="美的集团股份有限公司", short_name="美的")
    make_demand(
        alices_customer,
        name="海尔 FD 外板",
        delivery_grade=e("delivery_grade", "DC04"),
        surface_quality=e("surface_quality", "FD"),
        end_use=e("end_use", "APPLIANCE"),
    )
    make_demand(
        alices_customer,
        name="海尔 FB 背板",
        thickness=Decimal("0.5"),
        delivery_grade=e("delivery_grade", "SPCC"),
        surface_quality=e("surface_quality", "FB"),
        end_use=e("end_use", "APPL_BACK"),
    )
    make_demand(
        midea,
        name="美的宽板",
        width=Decimal("1500"),
        delivery_grade=e("delivery_grade", "DC04"),
        surface_quality=e("surface_quality", "FD"),
    )
    params = {k: (e(*v).pk if isinstance(v, tuple) else v) for k, v in query.items()}
    page = login(admin_user).get(reverse("customers:demand-list"), params).content.decode()
    shown = {name for name in ("海尔 FD 外板", "海尔 FB 背板", "美的宽板") if f">{name}</a>" in page}
    assert shown == expected


def test_export_has_the_filtered_rows(login, alice, alices_customer):
    from io import BytesIO

    from openpyxl import load_workbook

    make_demand(alices_customer, name="导出这条")
    response = login(alice).get(reverse("customers:demand-export"))
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 2 and sheet.cell(2, 2).value == "导出这条"


def _fill(customer, n):
    for i in range(n):
        make_demand(
            customer,
            name=f"需求{i}",
            elements=[("C", None, Decimal("0.01")), ("Mn", Decimal("0.1"), Decimal("0.3"))],
            properties=[("Rm", 270, 350, "MPa")],
        )


def count_queries(client, url):
    """The number of queries one GET of `url` runs (after a first GET warmed the caches)."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_demand_list_runs_the_same_queries_for_1_or_30_rows(login, alice, alices_customer):
    client = login(alice)
    url = reverse("customers:demand-list")
    _fill(alices_customer, 1)
    few, _ = count_queries(client, url)
    _fill(alices_customer, 29)
    many, page = count_queries(client, url)
    assert "共 30 条需求" in page and "需求28" in page
    assert few == many


def test_filtered_demand_list_runs_the_same_queries_for_1_or_30_rows(login, alice, alices_customer):
    client = login(alice)
    fd = entry(DictKind.SURFACE_QUALITY, "FD")
    url = reverse("customers:demand-list") + f"?surface_quality={fd.pk}&customer=海尔&width_min=1000"
    make_demand(alices_customer, surface_quality=fd)
    few, _ = count_queries(client, url)
    for _i in range(29):
        make_demand(alices_customer, surface_quality=fd)
    many, page = count_queries(client, url)
    assert "共 30 条需求" in page
    assert few == many


def _demand_with_rows(customer, rows):
    demand = make_demand(customer)
    codes = ["C", "Si", "Mn", "P", "S", "Als", "Ti", "Nb"][:rows]
    for code in codes:
        DemandElement.objects.create(
            demand=demand, element=entry(DictKind.ELEMENT, code), max_pct=Decimal("0.1")
        )
    for code in ["ReL", "Rm", "A80", "r90", "n90", "BH2"][:rows]:
        DemandProperty.objects.create(
            demand=demand, property=entry(DictKind.MECHANICAL_PROPERTY, code), min_value=1
        )
    for _ in range(rows):
        make_plan(customer, demand=demand)
    return demand


def test_demand_detail_runs_the_same_queries_for_1_or_6_rows_and_plans(login, alice, alices_customer):
    client = login(alice)
    few, _ = count_queries(client, _demand_with_rows(alices_customer, 1).get_absolute_url())
    many, page = count_queries(client, _demand_with_rows(alices_customer, 6).get_absolute_url())
    assert "<td>Als 酸溶铝</td>" in page and "<td>烘烤硬化值 BH2</td>" in page  # the sixth rows
    assert few == many


def test_customer_page_lists_demands_and_plans_in_constant_queries(login, alice, alices_customer):
    """The archive page holds other modules' sections too: compare its query count, 1 row vs 6."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(alice)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(alices_customer.get_absolute_url())
        return len(queries), response.content.decode()

    _demand_with_rows(alices_customer, 1)
    client.get(alices_customer.get_absolute_url())
    few, _ = count()
    for _i in range(5):
        _demand_with_rows(alices_customer, 1)
    many, page = count()
    assert few == many
    assert (
        'id="demands"' in page and 'id="plans"' in page and page.count("车门外板用 DC04") >= 12
    )  # demands and the plans serving them


def test_other_customers_demands_do_not_appear_on_the_customer_page(login, admin_user, alices_customer):
    other = make_customer(name="另一客户")
    make_demand(other, name="别人的需求")
    page = login(admin_user).get(alices_customer.get_absolute_url()).content.decode()
    assert "别人的需求" not in page


def test_the_list_export_carries_the_composition_and_property_rows(login, alice, alices_customer):
    """The list's export is the demands module's: its rows come along, and the file imports back."""
    from io import BytesIO

    from openpyxl import load_workbook

    make_demand(
        alices_customer,
        code="XQ-X-01",
        elements=[("C", None, Decimal("0.008"))],
        properties=[("Rm", 270, 350, "MPa")],
    )
    response = login(alice).get(reverse("customers:demand-export"))
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames[:3] == ["客户需求", "化学成分", "力学性能"]
    assert [c.value for c in workbook["化学成分"][2]][:2] == ["XQ-X-01", "C 碳"]
    assert [c.value for c in workbook["力学性能"][2]][:4] == ["XQ-X-01", "抗拉强度 Rm", 270, 350]


def test_the_demand_page_reads_its_record_with_few_joins_and_shows_every_dictionary_entry(
    login, alice, alices_customer
):
    """Joined, a demand's 15 dictionary entries made PostgreSQL search join orders for 40–70 ms
    to plan a 10 ms query: they come in one query of their own, the record with a few joins."""
    fields = [f for f in Demand._meta.concrete_fields if isinstance(f, DictionaryForeignKey)]
    entries = {f.name: DictEntry.objects.of(f.kind).last() for f in fields}
    demand = make_demand(alices_customer, **entries)
    client = login(alice)
    for url in (demand.get_absolute_url(), reverse("customers:demand-edit", args=[demand.pk])):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        record_queries = [q["sql"] for q in queries if 'FROM "customers_demand" ' in q["sql"]]
        # The record's four joins, and the scope's subquery of the shares with the user's roles.
        assert record_queries and max(sql.count(" JOIN ") for sql in record_queries) <= 5
        if url == demand.get_absolute_url():
            assert all(escape(str(e)) in page for e in entries.values())
