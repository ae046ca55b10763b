"""Fixtures of the parts tests: small real images and a customer's parts with known weights."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from archive_site.models import DictKind
from archive_site.photos import process_upload, save_photos
from products.models import PartPhoto
from tests.factories import entry, make_demand, make_part


def jpeg(name="part.jpg", size=(64, 48), color=(40, 90, 160)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png(name="part.png", size=(32, 32)):
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 200)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def add_photo(part, caption=""):
    """A photo of `part` stored through the shared pipeline, as the upload views do."""
    (photo,) = save_photos(PartPhoto, [process_upload(jpeg(), caption)], part=part)
    return photo


def part_data(**changes):
    """A valid POST of the part form (without the files)."""
    data = {
        "name": "前门外板",
        "number": "5401011-A01",
        "car_model": entry(DictKind.CAR_MODEL, "OLLIN").pk,
        "usage_location": entry(DictKind.USAGE_LOCATION, "DOOR_OUT").pk,
        "demand": "",
        "blank_thickness": "0.8",
        "blank_width": "1250",
        "blank_length": "1600",
        "gross_weight": "12.560",
        "material_quota": "13.100",
        "net_weight": "8.300",
        "remarks": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def dc04(alices_customer):
    """A demand of alice's customer: delivery grade DC04, production grade DC04."""
    return make_demand(
        alices_customer,
        name="车门外板用 DC04",
        delivery_grade=entry(DictKind.DELIVERY_GRADE, "DC04"),
        production_grade=entry(DictKind.PRODUCTION_GRADE, "DC04"),
    )


@pytest.fixture
def dc01(alices_customer):
    return make_demand(
        alices_customer,
        name="地板用 DC01",
        delivery_grade=entry(DictKind.DELIVERY_GRADE, "DC01"),
        production_grade=entry(DictKind.PRODUCTION_GRADE, "DC01"),
    )


@pytest.fixture
def alices_parts(alices_customer, dc04, dc01):
    """Three parts with hand-checkable totals.

    by car model: 欧铃 2 parts, gross 14, net 10.5, quota 14.7 (75 %);
                  欧马可 1 part, gross 6, net 4.8, quota 6.3 (80 %)
    by delivery grade: DC04 2 parts, gross 16, net 12.3, quota 16.8 (76.875 %);
                       DC01 1 part, gross 4, net 3, quota 4.2 (75 %)
    total: 3 parts, gross 20, net 15.3, quota 21.0 (76.5 %)
    """
    d = Decimal
    return [
        make_part(alices_customer, number="A-1", name="前门外板", car_model="OLLIN", demand=dc04,
                  gross_weight=d("10"), net_weight=d("7.5"), material_quota=d("10.5")),
        make_part(alices_customer, number="A-2", name="地板", car_model="OLLIN", demand=dc01,
                  gross_weight=d("4"), net_weight=d("3"), material_quota=d("4.2")),
        make_part(alices_customer, number="A-3", name="顶盖", car_model="AUMARK", demand=dc04,
                  gross_weight=d("6"), net_weight=d("4.8"), material_quota=d("6.3")),
    ]  # fmt: skip


@pytest.fixture
def bobs_part(bobs_customer):
    return make_part(bobs_customer, number="B-1", name="福田保险杠骨架", car_model="AUMARK")
