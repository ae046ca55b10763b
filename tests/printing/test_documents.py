"""The technical sheet and the process card, read back from the PDF bytes."""

import io
import re

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from printing.models import PrintJob, PrintLog
from printing.tasks import print_batch
from tests.factories import make_demand, make_objection, make_part
from tests.printing.conftest import EXTRA_ELEMENTS, add_photos, pdf_fonts, read_pdf

A4 = (595.28, 841.89)
CJK_SUBSET = re.compile(r"^/[A-Z]{6}\+WenQuanYi")


def assert_a4(reader):
    for page in reader.pages:
        box = page.mediabox
        assert abs(float(box.width) - A4[0]) <= 1 and abs(float(box.height) - A4[1]) <= 1


def assert_cjk_font_embedded(reader):
    fonts = pdf_fonts(reader)
    embedded = [name for name, files in fonts.items() if CJK_SUBSET.match(name) and "/FontFile2" in files]
    assert embedded, f"no embedded subset of a CJK font among {fonts}"


def assert_page_counters(texts):
    """Every page says “第 i 页 共 n 页” with its own number and the true total."""
    for i, text in enumerate(texts, start=1):
        assert f"第 {i} 页 共 {len(texts)} 页" in text


def print_sheet(client, part):
    response = client.post(reverse("printing:technical-sheet-pdf", args=[part.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response


def test_technical_sheet_pdf_has_every_section_in_chinese_on_a4(rich_customer, login, alice):
    part = rich_customer.rich_part
    response = print_sheet(login(alice), part)

    assert "attachment" in response["Content-Disposition"]
    reader, texts = read_pdf(response.content)
    text = "\n".join(texts)
    assert_a4(reader)
    assert_cjk_font_embedded(reader)
    assert_page_counters(texts)
    # 40 composition rows and 30 objections do not fit on two pages.
    assert len(texts) >= 3
    for label in [
        "技 术 单",
        "一、客户信息",
        "二、客户使用情况",
        "三、订货要求",
        "四、化学成分要求",
        "五、力学性能要求",
        "六、使用部位及成型",
        "七、零件照片及毛坯尺寸",
        "八、质量异议",
        "九、过程控制要点",
        "文件编号",
        "版次",
        "打印日期",
        "打印人：王丽",
    ]:
        assert label in text, label
    for value in [
        str(settings.MILL_NAME),
        "青岛海尔股份有限公司",
        "刘工（采购部经理）",
        "冰箱侧板",
        "JSD-C0005-BX-6001",
        "Rev.1",
        "0.8（−0.03/+0.03）",
        "防锈油",
        "0.8–1.5 g/m²",
        "抗拉强度 Rm",
        "270–350 MPa",
        "外壳",
        "深冲",
        "0.8×1250×1600 mm",
        "66.1%",
        "零件照片2：冲压后外观",
        "均热温度",
        "保证 r90 ≥ 1.6",
    ]:
        assert value in text, value
    # Every composition row and every objection is there, none lost at a page break.
    for _code, name, _en in EXTRA_ELEMENTS:
        assert name in text
    assert len(re.findall(r"ZY-\d{4}-\d{4}", text)) == 30
    # Each page the composition table runs onto starts with its header again.
    element_pages = [t for t in texts if "微量元素" in t]
    assert len(element_pages) >= 2
    assert all("化学元素 下限 % 上限 %" in t for t in element_pages)


def test_user_text_is_printed_as_text_not_markup(rich_customer, login, alice):
    response = print_sheet(login(alice), rich_customer.rich_part)
    _reader, texts = read_pdf(response.content)
    text = "\n".join(texts)
    assert "<script>alert(1)</script>" in text
    assert "冰箱侧板用 DC04 <b>高表面</b>" in text


def test_objections_of_the_parts_grade_come_first(rich_customer, login, alice):
    response = print_sheet(login(alice), rich_customer.rich_part)
    _reader, texts = read_pdf(response.content)
    rows = re.findall(r"(★?)ZY-\d{4}-\d{4} \S+ (DC0\d)", "\n".join(texts))
    assert [grade for _star, grade in rows] == ["DC04"] * 15 + ["DC03"] * 15
    assert all(star == "★" for star, grade in rows if grade == "DC04")


def test_photos_are_downscaled_for_print(rich_customer, login, alice):
    response = print_sheet(login(alice), rich_customer.rich_part)
    reader, _texts = read_pdf(response.content)
    # WeasyPrint shares one resource dictionary between pages: count each image once.
    images = {image.name: image.data for page in reader.pages for image in page.images}
    assert len(images) == 3
    for data in images.values():
        width, height = Image.open(io.BytesIO(data)).size
        assert max(width, height) == 1200  # from 2400×1800
    assert len(response.content) < 1_500_000


def test_every_pdf_is_recorded_in_the_print_log(rich_customer, login, alice):
    client = login(alice)
    part = rich_customer.rich_part
    response = print_sheet(client, part)
    reader, _texts = read_pdf(response.content)

    log = PrintLog.objects.get()
    assert log.kind == PrintLog.Kind.TECHNICAL_SHEET
    assert (log.customer, log.printed_object, log.printed_by) == (rich_customer, part, alice)
    assert (log.document_number, log.revision, log.pages) == ("JSD-C0005-BX-6001", 1, len(reader.pages))

    page = client.get(reverse("customers:customer-detail", args=[rich_customer.pk])).content.decode()
    assert 'id="print-log"' in page
    assert "JSD-C0005-BX-6001" in page


def test_process_card_pdf_has_requirements_properties_and_chemistry(rich_customer, login, engineer):
    demand = rich_customer.rich_demand
    response = login(engineer).post(reverse("printing:process-card-pdf", args=[demand.pk]))
    assert response.status_code == 200
    reader, texts = read_pdf(response.content)
    text = "\n".join(texts)
    assert_a4(reader)
    assert_cjk_font_embedded(reader)
    assert_page_counters(texts)
    assert len(texts) == 2  # 40 composition rows run onto a second page
    for expected in [
        "工 艺 卡",
        "一、工艺要求",
        "二、性能要求",
        "三、化学成分",
        f"GYK-C0005-{demand.pk:05d}",
        "表面不得有辊印、划伤",
        "断后伸长率 A80",
        "≥ 38 %",
        "微量元素28 钒铌钛",
        "打印人：李工",
    ]:
        assert expected in text, expected
    log = PrintLog.objects.get()
    assert (log.kind, log.printed_object, log.pages) == (PrintLog.Kind.PROCESS_CARD, demand, 2)


def test_preview_shows_the_sheet_in_the_browser_and_records_nothing(rich_customer, login, alice):
    part = rich_customer.rich_part
    response = login(alice).get(reverse("printing:technical-sheet", args=[part.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "九、过程控制要点" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert reverse("printing:technical-sheet-pdf", args=[part.pk]) in page
    photo = part.photos.first()
    assert reverse("printing:photo", args=[photo.pk]) in page
    assert "print.invalid" not in page
    assert not PrintLog.objects.exists()


def test_preview_photo_is_the_print_copy(rich_customer, login, alice):
    photo = rich_customer.rich_part.photos.first()
    response = login(alice).get(reverse("printing:photo", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (1200, 900)


def test_process_card_preview(rich_customer, login, alice):
    demand = rich_customer.rich_demand
    response = login(alice).get(reverse("printing:process-card", args=[demand.pk]))
    assert response.status_code == 200
    assert "三、化学成分" in response.content.decode()


def test_batch_prints_all_parts_of_the_customer_in_one_pdf(rich_customer, login, alice, engineer):
    demand = make_demand(rich_customer, name="门板用 DC03")
    second = make_part(rich_customer, demand=demand, number="BX-6002", name="冰箱门板")
    add_photos(second, engineer, count=1)
    make_part(rich_customer, number="BX-6003", name="冰箱背板")  # no demand: its sheet says so
    client = login(alice)

    response = client.post(reverse("printing:customer-sheets", args=[rich_customer.pk]))
    job = PrintJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    print_batch.call(job.pk)  # what the worker runs
    response = client.get(reverse("printing:batch-pdf", args=[job.pk]))

    assert response.status_code == 200
    reader, texts = read_pdf(b"".join(response.streaming_content))
    text = "\n".join(texts)
    assert_a4(reader)
    assert_cjk_font_embedded(reader)
    for number in ("JSD-C0005-BX-6001", "JSD-C0005-BX-6002", "JSD-C0005-BX-6003"):
        assert number in text
    assert "本零件未关联客户需求。" in text
    # Each sheet is numbered on its own: three first pages, and the first sheet's total is its own.
    first_pages = [t for t in texts if re.search(r"第 1 页 共 \d+ 页", t)]
    assert len(first_pages) == 3
    log = PrintLog.objects.get()
    assert log.kind == PrintLog.Kind.TECHNICAL_SHEETS
    assert (log.printed_object, log.pages) == (rich_customer, len(texts))
    assert "3 个零件" in log.object_label


def test_batch_of_a_customer_without_parts_says_so(alices_customer, login, alice):
    client = login(alice)
    response = client.post(reverse("printing:customer-sheets", args=[alices_customer.pk]), follow=True)
    assert response.redirect_chain[-1][0] == alices_customer.get_absolute_url()
    assert "还没有零件" in response.content.decode()
    assert not PrintLog.objects.exists()
    assert not PrintJob.objects.exists()


def _part_with_rows(customer, engineer, elements, objections, photos):
    demand = make_demand(customer, elements=[(code, None, "0.01") for code in elements])
    part = make_part(customer, demand=demand)
    add_photos(part, engineer, count=photos)
    for _ in range(objections):
        make_objection(customer)
    return part


def test_preview_costs_the_same_queries_whatever_the_rows(
    alices_customer, login, alice, engineer, django_assert_num_queries
):
    small = _part_with_rows(alices_customer, engineer, ["C"], objections=1, photos=1)
    big = _part_with_rows(
        alices_customer, engineer, ["C", "Si", "Mn", "P", "S", "Als", "Ti", "Nb"], objections=25, photos=3
    )
    client = login(alice)
    small_url = reverse("printing:technical-sheet", args=[small.pk])
    big_url = reverse("printing:technical-sheet", args=[big.pk])
    client.get(small_url)  # warm the caches (content types, translations)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(small_url).status_code == 200
    with django_assert_num_queries(len(queries)):
        assert client.get(big_url).status_code == 200
