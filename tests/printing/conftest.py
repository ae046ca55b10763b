"""A rich customer to print: many composition rows, 30 objections, an approved plan, 3 photos."""

import functools
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from archive_site.models import DictEntry, DictKind
from archive_site.photos import process_upload, save_photos
from products.models import PartPhoto
from tests.factories import (
    entry,
    make_contact,
    make_demand,
    make_objection,
    make_part,
    make_plan,
)

# Extra elements so the composition table runs over a page and must repeat its header.
EXTRA_ELEMENTS = [(f"X{i:02d}", f"微量元素{i:02d} 钒铌钛", f"Trace {i:02d}") for i in range(1, 29)]


@functools.cache
def _camera_jpeg(size):
    noise = Image.effect_noise(size, 40).convert("RGB")
    gradient = Image.linear_gradient("L").resize(size).convert("RGB")
    out = io.BytesIO()
    Image.blend(noise, gradient, 0.6).save(out, "JPEG", quality=90)
    return out.getvalue()


def camera_photo(name="part.jpg", size=(2400, 1800)):
    """A JPEG like a phone camera's: noisy enough that it does not compress to nothing."""
    return SimpleUploadedFile(name, _camera_jpeg(size), content_type="image/jpeg")


def add_photos(part, user, count=3):
    processed = [
        process_upload(camera_photo(f"photo{i}.jpg"), f"零件照片{i}：冲压后外观") for i in range(count)
    ]
    return save_photos(PartPhoto, processed, user=user, part=part)


def pdf_fonts(reader):
    """{BaseFont: has an embedded FontFile2/3} over every page's fonts, descendants included."""
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]:
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                embedded = [k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor]
                fonts[str(descendant["/BaseFont"])] = embedded
    return fonts


def read_pdf(content):
    assert content[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(content))
    texts = [page.extract_text() for page in reader.pages]
    return reader, texts


@pytest.fixture
def rich_customer(alices_customer, alice, engineer):
    customer = alices_customer
    customer.address = "山东省青岛市崂山区海尔路1号"
    customer.industry = "家电制造"
    customer.main_business = "冰箱、洗衣机、空调"
    customer.annual_demand = Decimal("36000")
    customer.save()
    make_contact(customer, name="刘工", title="采购部经理", mobile="13800138000")
    DictEntry.objects.bulk_create(
        DictEntry(kind=DictKind.ELEMENT, code=code, name=name, name_en=en, sort_order=500 + i)
        for i, (code, name, en) in enumerate(EXTRA_ELEMENTS)
    )
    seeded = list(DictEntry.objects.filter(kind=DictKind.ELEMENT).order_by("sort_order"))
    elements = [(e.code, Decimal("0.0010"), Decimal("0.0500")) for e in seeded]
    demand = make_demand(
        customer,
        name="冰箱侧板用 DC04 <b>高表面</b>",
        elements=elements,
        properties=[
            ("ReL", Decimal("140"), Decimal("210"), "MPa"),
            ("Rm", Decimal("270"), Decimal("350"), "MPa"),
            ("A80", Decimal("38"), None, "%"),
            ("r90", Decimal("1.6"), None, ""),
            ("n90", Decimal("0.18"), None, ""),
        ],
        standard="GB/T 5213-2019",
        thickness_tol_minus=Decimal("0.03"),
        thickness_tol_plus=Decimal("0.03"),
        surface_quality=entry(DictKind.SURFACE_QUALITY, "FD"),
        end_use=entry(DictKind.END_USE, "APPLIANCE"),
        cold_forming=entry(DictKind.COLD_FORMING, "DEEP"),
        oil_type=entry(DictKind.OIL_TYPE, "ANTIRUST"),
        oil_min=Decimal("0.8"),
        oil_max=Decimal("1.5"),
        annual_volume=Decimal("12000"),
        special_requirements="表面不得有辊印、划伤；<script>alert(1)</script> 卷内径 610 mm",
    )
    grades = [entry(DictKind.PRODUCTION_GRADE, "DC04"), entry(DictKind.PRODUCTION_GRADE, "DC03")]
    defects = ["SCRATCH", "ROLL_MARK", "INCLUSION", "OIL_STAIN", "WAVE"]
    for i in range(30):
        make_objection(
            customer,
            defect=defects[i % len(defects)],
            severity=1 + i % 4,
            production_grade=grades[i % 2],
            thickness=Decimal("0.8"),
            width=Decimal("1250"),
            tonnage=Decimal("12.5"),
            description=f"第{i + 1}卷 冲压后发现表面缺陷，位置距边部 50 mm，频次每米 2 处",
        )
    make_plan(
        customer,
        demand=demand,
        approved_by=engineer,
        name="DC04 冰箱侧板",
        requirements="保证 r90 ≥ 1.6；控制平整延伸率防止橘皮",
        parameters=[
            ("PLTCM", "RED", 78, 75, 80, "%"),
            ("PLTCM", "TENSION", 120, 110, 130, "kN"),
            ("CAL", "SOAK_T", 820, 810, 830, "℃"),
            ("CAL", "OA_T", 400, 390, 410, "℃"),
            ("CAL", "SPM_EL", 1.2, 1.0, 1.4, "%"),
        ],
    )
    part = make_part(
        customer,
        demand=demand,
        number="BX-6001",
        name="冰箱侧板",
        car_model=None,
        usage_location="SHELL",
    )
    add_photos(part, engineer)
    customer.rich_part = part
    customer.rich_demand = demand
    return customer
