"""The 8D report of a quality objection: printed from the objection's own fields, kept, logged."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from archive_site.models import DictKind
from archive_site.photos import process_upload, save_photos
from printing import kept
from printing.documents import EIGHT_D_TEMPLATE, eight_d_report, objections_for_print, sheet_html
from printing.models import PrintLog
from quality.models import Objection, ObjectionPhoto
from tests.factories import entry, make_objection, make_part
from tests.printing.conftest import camera_photo, read_pdf
from tests.printing.test_batches import layouts, unstamped  # noqa: F401 — `layouts` is a fixture
from tests.printing.test_layout import _content_boxes, boxes_outside, has_class, laid_out

DISCIPLINES = [
    "D1 成立小组",
    "D2 问题描述",
    "D3 临时遏制措施",
    "D4 根本原因分析",
    "D5 纠正措施",
    "D6 纠正措施的实施与验证",
    "D7 预防再发生",
    "D8 关闭与确认",
]


@pytest.fixture
def closed_objection(alices_customer, quality):
    """An objection of alice's customer with every 8D field written, two photos, closed by 张质."""
    part = make_part(alices_customer, number="BX-7001", name="冰箱门板")
    objection = make_objection(
        alices_customer,
        defect="SCRATCH",
        severity=3,
        created_by=quality,
        handler=quality,
        part=part,
        production_grade=entry(DictKind.PRODUCTION_GRADE, "DC04"),
        thickness=Decimal("0.8"),
        width=Decimal("1250"),
        tonnage=Decimal("36.5"),
        coil_numbers=["C26A0101", "C26A0102"],
        received_date=datetime.date(2026, 3, 2),
        description="冲压后门板外侧出现纵向划伤，长约 30 mm，每卷 5 处",
        containment="在途 3 卷就地封锁，库存同批次全部复检",
        blocked_location="青岛中转库",
        blocked_coil_count=7,
        blocked_tonnage=Decimal("84.2"),
        cause="平整机工作辊表面粘附异物，辊面检查周期过长",
        cause_evidence="复现试验：同辊期钢卷 3 卷均有划伤",
        responsible_line=entry(DictKind.PRODUCTION_LINE, "CAL"),
        solution="更换工作辊并清理辊面，缩短辊面检查周期为每班一次",
        verification="后续 20 卷跟踪检验无划伤",
        preventive="辊面点检纳入班组标准作业，工艺控制方案增加辊期限制",
        claim_amount=Decimal("12000"),
        disposition=Objection.Disposition.CONCESSION,
        settled_amount=Decimal("8000"),
    )
    processed = [process_upload(camera_photo("defect.jpg", (1600, 1200)), "门板划伤近照")]
    save_photos(ObjectionPhoto, processed, user=quality, objection=objection)
    for status in ("investigating", "measures_taken"):
        objection.transition(status, by=quality)
    objection.close(by=quality, note="客户确认整改有效", closed_date=datetime.date(2026, 3, 20))
    return objection


def print_8d(client, objection):
    response = client.post(reverse("printing:eight-d-pdf", args=[objection.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response


def test_the_8d_pdf_has_every_discipline_filled_from_the_objection(closed_objection, login, alice):
    response = print_8d(login(alice), closed_objection)

    assert "attachment" in response["Content-Disposition"]
    _reader, texts = read_pdf(response.content)
    text = "".join("\n".join(texts).split())  # the lines of a long cell wrap anywhere
    for heading in DISCIPLINES:
        assert "".join(heading.split()) in text, heading
    for own in [
        closed_objection.number,
        "青岛海尔股份有限公司",
        "张质",  # handler, registering user and who closed it
        "王丽",  # the customer's sales owner
        "冲压后门板外侧出现纵向划伤",
        "BX-7001冰箱门板",
        "".join(str(closed_objection.part.car_model).split()),
        "C26A0101C26A0102",
        "2026-03-02",
        "在途3卷就地封锁",
        "青岛中转库",
        "84.2t",
        "平整机工作辊表面粘附异物",
        "复现试验：同辊期钢卷3卷均有划伤",
        "更换工作辊并清理辊面",
        "后续20卷跟踪检验无划伤",
        "辊面点检纳入班组标准作业",
        "12000元",
        "8000元",
        "让步接收",
        "2026-03-20",
        "客户确认整改有效",
        "门板划伤近照",
        "第1页共1页" if len(texts) == 1 else "第1页共",
    ]:
        assert own in text, own
    assert "未填写" not in text
    assert "打印人：王丽" in "\n".join(texts)


def test_what_is_not_written_yet_says_so(alices_customer, login, alice):
    objection = make_objection(alices_customer, description="边部浪形")

    _reader, texts = read_pdf(print_8d(login(alice), objection).content)

    text = "\n".join(texts)
    assert "边部浪形" in text
    assert text.count("未填写") >= 8  # containment, cause, evidence, solution, verification, preventive…
    assert "没有缺陷照片。" in text and "还没有状态变更。" in text
    assert "关闭人" in text and "平整机" not in text


def test_users_out_of_scope_get_404_and_without_the_print_permission_403(
    closed_objection, login, bob, viewer
):
    urls = [
        ("get", reverse("printing:eight-d", args=[closed_objection.pk])),
        ("post", reverse("printing:eight-d-pdf", args=[closed_objection.pk])),
    ]
    for user, expected in [(bob, 404), (viewer, 403)]:
        client = login(user)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == expected, (user, url)
    assert not PrintLog.objects.exists()


def test_the_objection_page_offers_the_8d_report_to_who_may_print_it(
    closed_objection, login, alice, quality, viewer
):
    url = closed_objection.get_absolute_url()
    link = reverse("printing:eight-d", args=[closed_objection.pk])

    assert link in login(alice).get(url).content.decode()
    assert link in login(quality).get(url).content.decode()  # quality staff print the objections they handle
    assert link not in login(viewer).get(url).content.decode()

    preview = login(alice).get(link)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "D4 根本原因分析" in page and "平整机工作辊表面粘附异物" in page
    assert reverse("printing:eight-d-pdf", args=[closed_objection.pk]) in page
    assert not PrintLog.objects.exists()  # a preview prints nothing


def test_quality_staff_print_the_8d_report_of_an_objection_they_handle(closed_objection, login, quality):
    client = login(quality)
    assert client.get(reverse("printing:eight-d", args=[closed_objection.pk])).status_code == 200
    response = client.post(reverse("printing:eight-d-pdf", args=[closed_objection.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert PrintLog.objects.filter(printed_by=quality).count() == 1


def _key(user, objection):
    sheet = eight_d_report(objections_for_print().visible_to(user).get(pk=objection.pk), for_pdf=True)
    return kept.document_key(sheet_html(EIGHT_D_TEMPLATE, sheet))


def test_a_reprint_reuses_the_kept_report_and_a_change_lays_it_out_again(
    closed_objection,
    login,
    alice,
    engineer,
    quality,
    layouts,  # noqa: F811
):
    objection = closed_objection
    first = print_8d(login(alice), objection).content
    count = len(layouts)
    again = print_8d(login(engineer), objection).content

    assert count and not any("<article" in html for html in layouts[count:])  # only a new stamp
    assert kept.find(_key(alice, objection)) is not None
    _r, first_texts = read_pdf(first)
    _r, again_texts = read_pdf(again)
    assert [unstamped(t) for t in again_texts] == [unstamped(t) for t in first_texts]

    before = _key(alice, objection)
    objection.transition("investigating", by=quality, note="客户再次投诉，重新调查")
    count = len(layouts)
    _r, texts = read_pdf(print_8d(login(alice), objection).content)

    assert _key(alice, objection) != before
    assert any("<article" in html for html in layouts[count:])
    assert "客户再次投诉，重新调查" in "".join(texts)


def test_every_8d_print_is_recorded_in_the_print_log(closed_objection, login, alice, engineer):
    print_8d(login(alice), closed_objection)
    print_8d(login(engineer), closed_objection)

    logs = PrintLog.objects.filter(kind=PrintLog.Kind.EIGHT_D).order_by("id")
    assert [(log.printed_by.username, log.object_id) for log in logs] == [
        ("alice", closed_objection.pk),
        ("engineer", closed_objection.pk),
    ]
    log = logs[0]
    assert log.customer == closed_objection.customer
    assert log.document_number == f"8D-{closed_objection.number}"
    assert log.revision == closed_objection.version and log.pages >= 1
    assert log.object_label == closed_objection.number


@pytest.mark.parametrize("which", ["full", "empty"])
def test_no_box_of_an_8d_report_lies_outside_the_content_area(which, request, alices_customer, alice):
    if which == "full":
        objection = request.getfixturevalue("closed_objection")
    else:
        objection = make_objection(alices_customer)
    sheet = eight_d_report(objections_for_print().get(pk=objection.pk), for_pdf=True)
    document = laid_out(EIGHT_D_TEMPLATE, sheet)

    assert boxes_outside(document) == []
    assert any(has_class(box, "signoff") for page in document.pages for box in _content_boxes(page._page_box))
