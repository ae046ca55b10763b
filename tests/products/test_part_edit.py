"""Creating, editing, copying and deleting parts; bad input is refused whole."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from products.models import Part, PartPhoto
from tests.factories import make_demand, make_part
from tests.products.conftest import jpeg, part_data, png

pytestmark = pytest.mark.django_db


def create_url(customer):
    return reverse("products:part-create") + f"?customer={customer.pk}"


def test_engineer_creates_a_part_with_two_captioned_photos(login, engineer, alices_customer, dc04):
    client = login(engineer)
    data = part_data(
        demand=dc04.pk, photos=[jpeg("front.jpg"), png("blank.png")], caption=["实物正面", "毛坯"]
    )
    response = client.post(create_url(alices_customer), data)

    part = Part.objects.get()
    assert response.status_code == 302 and response.url == part.get_absolute_url()
    assert (part.customer, part.demand, part.number) == (alices_customer, dc04, "5401011-A01")
    assert part.created_by == engineer
    assert part.utilization == Decimal("8.3") / Decimal("12.56")
    photos = list(part.photos.order_by("id"))
    assert [p.caption for p in photos] == ["实物正面", "毛坯"]
    assert [p.original_name for p in photos] == ["front.jpg", "blank.png"]
    for photo in photos:
        assert photo.created_by == engineer
        assert Path(settings.MEDIA_ROOT, photo.image.name).is_file()
        assert Path(settings.MEDIA_ROOT, photo.thumbnail.name).is_file()
        assert photo.image.name.startswith(f"products/parts/{part.pk}/")

    page = client.get(part.get_absolute_url())
    assert "66.1%" in page.content.decode()  # 8.3 ÷ 12.56, shown as a percentage
    assert page.content.decode().count(reverse("products:photo", args=[photos[0].pk, "thumb"])) == 1


def test_the_form_offers_only_the_customers_own_demands(
    login, engineer, alices_customer, dc04, bobs_customer
):
    other = make_demand(bobs_customer, name="福田 DC03 需求")
    page = login(engineer).get(create_url(alices_customer)).content.decode()
    assert dc04.name in page
    assert other.name not in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"net_weight": "13"}, "net_weight", "零件净重（13 kg）不能大于毛坯毛重（12.560 kg）。"),
        ({"blank_thickness": "0"}, "blank_thickness", "必须大于 0。"),
        ({"blank_width": "-1250"}, "blank_width", "必须大于 0。"),
        ({"blank_length": "0"}, "blank_length", "必须大于 0。"),
        ({"gross_weight": "0", "net_weight": "0"}, "gross_weight", "必须大于 0。"),
        ({"material_quota": "-2"}, "material_quota", "必须大于 0。"),
    ],
)
def test_bad_weights_and_sizes_are_refused(login, engineer, alices_customer, changes, field, message):
    response = login(engineer).post(create_url(alices_customer), part_data(photos=[jpeg()], **changes))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert not Part.objects.exists()
    assert not PartPhoto.objects.exists()


def test_a_part_number_reused_for_the_same_customer_is_refused(
    login, engineer, alices_customer, bobs_customer
):
    make_part(alices_customer, number="5401011-A01", name="前门外板（旧）")
    make_part(bobs_customer, number="5401012")
    client = login(engineer)

    response = client.post(create_url(alices_customer), part_data(number=" 5401011-A01 "))
    assert response.context["form"].errors["number"] == [
        "零件编号“5401011-A01”已被该客户的零件“前门外板（旧）”使用，同一客户的零件编号不能重复。"
    ]
    # Another customer may use the same number.
    assert client.post(create_url(bobs_customer), part_data(number="5401011-A01")).status_code == 302
    assert Part.objects.filter(number="5401011-A01").count() == 2


def test_a_demand_of_another_customer_is_refused(login, engineer, alices_customer, bobs_customer):
    bobs_demand = make_demand(bobs_customer, name="福田 DC03 需求")
    response = login(engineer).post(create_url(alices_customer), part_data(demand=bobs_demand.pk))
    assert response.context["form"].errors["demand"] == [
        "所选需求“福田 DC03 需求”属于客户“北汽福田汽车股份有限公司”，不是本零件的客户“青岛海尔股份有限公司”。"
        "请选择本客户的需求。"
    ]
    assert not Part.objects.exists()


def test_a_bad_photo_refuses_the_part_too(login, engineer, alices_customer):
    fake = SimpleUploadedFile("drawing.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    response = login(engineer).post(create_url(alices_customer), part_data(photos=[jpeg(), fake]))
    assert response.status_code == 200
    assert "“drawing.jpg”不是可识别的图片" in str(response.context["photo_form"].errors["photos"])
    assert not Part.objects.exists()
    assert not PartPhoto.objects.exists()


def test_new_part_without_a_customer_chooses_one_with_the_customer_picker(
    login, engineer, alices_customer, bobs_customer, dc04
):
    client = login(engineer)
    page = client.get(reverse("products:part-create"))
    assert page.status_code == 200 and "data-customer-picker" in page.content.decode()
    found = client.get(reverse("customers:customer-picker"), {"q": "海尔", "demands": "1"}).json()["results"]
    assert [(c["code"], [d["id"] for d in c["demands"]]) for c in found] == [
        (alices_customer.code, [dc04.pk])
    ]

    response = client.post(
        reverse("products:part-create"), part_data(customer=found[0]["name"], demand=dc04.pk)
    )
    part = Part.objects.get()
    assert response.status_code == 302 and (part.customer, part.demand) == (alices_customer, dc04)


def test_sales_and_viewer_cannot_create_or_edit_parts(login, alice, viewer, alices_customer):
    part = make_part(alices_customer)
    for user in (alice, viewer):
        client = login(user)
        assert client.get(create_url(alices_customer)).status_code == 403
        assert client.post(create_url(alices_customer), part_data(number="X")).status_code == 403
        assert client.get(reverse("products:part-edit", args=[part.pk])).status_code == 403
        assert client.post(reverse("products:part-delete", args=[part.pk])).status_code == 403
        assert client.get(reverse("products:part-copy", args=[part.pk])).status_code == 403
    assert Part.objects.count() == 1


def test_engineer_cannot_create_a_part_for_a_customer_that_does_not_exist(login, engineer):
    assert login(engineer).get(reverse("products:part-create") + "?customer=999999").status_code == 404


def test_edit_keeps_the_customer_and_records_the_change(login, engineer, alices_customer, dc04):
    part = make_part(alices_customer, number="A-1", gross_weight=Decimal("10"), net_weight=Decimal("7"))
    client = login(engineer)
    data = part_data(number="A-1", demand=dc04.pk, gross_weight="10", net_weight="8", version=part.version)
    response = client.post(reverse("products:part-edit", args=[part.pk]), data)
    assert response.status_code == 302
    part.refresh_from_db()
    assert (part.net_weight, part.demand, part.customer, part.updated_by) == (
        Decimal("8"),
        dc04,
        alices_customer,
        engineer,
    )
    page = client.get(part.get_absolute_url()).content.decode()
    assert "80.0%" in page
    assert "零件净重：<del>7</del> → <ins>8</ins>" in page  # the history, old → new, as the page writes it


def test_a_stale_edit_is_refused(login, engineer, alices_customer):
    part = make_part(alices_customer, number="A-1")
    stale = part.version
    Part.objects.filter(pk=part.pk).update(version=stale + 1)
    response = login(engineer).post(
        reverse("products:part-edit", args=[part.pk]), part_data(number="A-1", name="改名", version=stale)
    )
    assert response.status_code == 200
    assert "他人已保存了这条记录" in str(response.context["form"].non_field_errors())
    assert Part.objects.get().name == "前门外板"


def test_copy_prefills_a_new_part_of_the_same_customer(login, engineer, alices_customer, dc04):
    source = make_part(alices_customer, number="A-1", name="左前门外板", demand=dc04, car_model="PASSAT")
    client = login(engineer)
    url = reverse("products:part-copy", args=[source.pk])
    form = client.get(url).context["form"]
    assert form.initial["name"] == "左前门外板" and form.initial["number"] == ""
    assert form.initial["demand"] == dc04.pk

    data = part_data(name="右前门外板", number="A-2", demand=dc04.pk, car_model=source.car_model_id)
    response = client.post(url, data)
    copy = Part.objects.get(number="A-2")
    assert response.url == copy.get_absolute_url()
    assert (copy.customer, copy.demand, copy.car_model) == (alices_customer, dc04, source.car_model)
    # Copying under the source's own number is the reused-number error.
    response = client.post(url, part_data(number="A-1"))
    assert "零件编号“A-1”已被该客户的零件" in response.context["form"].errors["number"][0]


def test_delete_asks_first_then_removes_the_part_and_its_photo_files(
    login, engineer, alices_customer, django_capture_on_commit_callbacks
):
    client = login(engineer)
    client.post(create_url(alices_customer), part_data(photos=[jpeg()]))
    part = Part.objects.get()
    photo = part.photos.get()
    files = [Path(settings.MEDIA_ROOT, photo.image.name), Path(settings.MEDIA_ROOT, photo.thumbnail.name)]
    url = reverse("products:part-delete", args=[part.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200 and "确定删除" in confirm.content.decode()
    assert Part.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):  # the files go once the deletion commits
        response = client.post(url)
    assert response.url == alices_customer.get_absolute_url()
    assert not Part.objects.exists() and not PartPhoto.objects.exists()
    assert not any(f.exists() for f in files)
