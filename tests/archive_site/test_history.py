"""History as a person reads it: one entry per saved change, values as the pages show them."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from archive_site.models import DictKind
from customers.models import Demand
from quality.models import Objection
from tests.factories import entry

pytestmark = pytest.mark.django_db

RAW = ("+00:00", "['", "object at 0x", "quality/objections/")


def jpeg(name):
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 0, 0)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def history_text(page):
    """The text of the page's history table, tags removed."""
    table = page[page.index('<table class="history">') :]
    table = table[: table.index("</table>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))


def test_a_demand_saved_with_its_rows_reads_as_one_entry_with_names(login, alice, alices_customer):
    client = login(alice)
    data = {
        "customer": alices_customer.code,
        "name": "欧铃车门外板",
        "source": "order",
        "production_grade": entry(DictKind.PRODUCTION_GRADE, "DC04").pk,
        "end_use": entry(DictKind.END_USE, "AUTO_EXT").pk,
        "thickness": "0.8",
        "width": "1250",
        "elements-TOTAL_FORMS": 2,
        "elements-INITIAL_FORMS": 0,
        "elements-0-element": entry(DictKind.ELEMENT, "C").pk,
        "elements-0-max_pct": "0.008",
        "elements-1-element": entry(DictKind.ELEMENT, "Mn").pk,
        "elements-1-max_pct": "0.35",
        "properties-TOTAL_FORMS": 1,
        "properties-INITIAL_FORMS": 0,
        "properties-0-property": entry(DictKind.MECHANICAL_PROPERTY, "Rm").pk,
        "properties-0-min_value": "270",
        "properties-0-unit": "MPa",
    }
    assert client.post(reverse("customers:demand-create"), data).status_code == 302
    demand = Demand.objects.get()
    response = client.get(demand.get_absolute_url())
    [entry_] = response.context["history"]
    assert (entry_["user"], entry_["action"], entry_["object"]) == (alice, "新建", "欧铃车门外板")
    assert [r["model"] for r in entry_["records"]][0] == "客户需求"
    assert len(entry_["records"]) == 4  # the demand, two elements, one property
    text = history_text(response.content.decode())
    assert "钢板最终用途： ∅ → 汽车外板" in text
    assert "厚度： ∅ → 0.8 " in text  # as the page writes it, not 0.800  # the dictionary's name, not its id
    assert "需求来源： ∅ → 订单" in text  # the choice's label
    assert f"化学元素： ∅ → {entry(DictKind.ELEMENT, 'Mn')}" in text
    assert text.count("新建") == 4  # one row: the demand's, then its three rows named under it


def test_an_objection_with_photos_shows_coils_joined_and_file_names(login, quality, alices_customer):
    client = login(quality)
    response = client.post(
        reverse("quality:objection-create"),
        {
            "kind": "objection",
            "customer": alices_customer.code,
            "received_date": "2026-03-02",
            "coil_numbers": "H20421201 H20421203",
            "defect_type": entry(DictKind.DEFECT_TYPE, "SCRATCH").pk,
            "severity": 2,
            "tonnage": "12.5",
            "claim_amount": "0",
            "description": "冲压后表面可见划伤",
            "photos": [jpeg("卷头.jpg"), jpeg("卷尾.jpg")],
            "caption": ["卷头", "卷尾"],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    objection = Objection.objects.get()
    page = client.get(objection.get_absolute_url()).content.decode()
    history = client.get(objection.get_absolute_url()).context["history"]
    assert len(history) == 1 and len(history[0]["records"]) == 3
    text = history_text(page)
    assert "卷号： ∅ → H20421201 H20421203" in text
    assert "原文件名： ∅ → 卷头.jpg" in text
    photo = objection.photos.first()
    assert f"→ {photo.image.name.rsplit('/', 1)[-1]}" in text  # the file's name, not its storage path
    assert "状态： ∅ → 已登记" in text and "严重程度： ∅ → " in text
    for raw in RAW:
        assert raw not in text


def test_times_in_the_history_are_local_like_the_page(login, alice, alices_customer):
    client = login(alice)
    client.post(reverse("customers:customer-verify", args=[alices_customer.pk]))
    alices_customer.refresh_from_db()
    text = history_text(client.get(alices_customer.get_absolute_url()).content.decode())
    local = timezone.localtime(alices_customer.verified_at)
    assert f"∅ → {local:%Y-%m-%d %H:%M}" in text
    assert "+00:00" not in text
