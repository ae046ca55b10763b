"""Batches of technical sheets in the background, and laid-out documents kept for reuse."""

import io
import re

import pytest
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker

from archive_site.models import DictEntry, DictKind
from printing import kept, views
from printing.documents import parts_for_print, technical_sheet_key
from printing.models import PrintJob, PrintLog
from printing.tasks import print_batch
from tests.factories import make_customer, make_demand, make_part
from tests.printing.conftest import add_photos, read_pdf


def work():
    """Run the queued tasks with django-tasks-db's own worker (what `manage.py db_worker` runs), then stop."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def pdf_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db(transaction=True)
def test_ticked_parts_of_two_customers_print_as_one_batch_on_two_processes(login, alice, engineer, settings):
    settings.PRINT_PROCESSES = 2  # the sheets are laid out in forked processes, as on the server
    haier = make_customer(name="青岛海尔股份有限公司", code="C0005", sales_owner=alice)
    midea = make_customer(name="美的集团股份有限公司", code="C0006", sales_owner=alice)
    first = make_part(haier, demand=make_demand(haier), number="BX-6001", name="冰箱侧板")
    add_photos(first, engineer, count=2)
    second = make_part(haier, number="BX-6002", name="冰箱门板")
    third = make_part(midea, demand=make_demand(midea), number="KT-1001", name="空调外壳")
    client = login(alice)

    response = client.post(
        reverse("printing:selected-sheets"), {"part": [third.pk, first.pk, second.pk], "next": "/products/"}
    )

    job = PrintJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert (job.status, job.total, job.done, job.user) == (PrintJob.Status.QUEUED, 3, 0, alice)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "data-print-status" in page and "0 / 3" in page
    work()

    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (PrintJob.Status.DONE, 3, 3)
    page = client.get(job.get_absolute_url()).content.decode()
    assert reverse("printing:batch-pdf", args=[job.pk]) in page
    _reader, texts = read_pdf(pdf_of(client.get(reverse("printing:batch-pdf", args=[job.pk]))))
    text = "\n".join(texts)
    assert job.pages == len(texts)
    # In customer and part order, each sheet numbered on its own, each page stamped.
    assert text.index("JSD-C0005-BX-6001") < text.index("JSD-C0005-BX-6002") < text.index("JSD-C0006-KT-1001")
    assert len([t for t in texts if "第 1 页 共" in t]) == 3
    assert all("打印人：王丽" in t and "打印日期" in t for t in texts)
    logs = {log.customer: log for log in PrintLog.objects.all()}
    assert set(logs) == {haier, midea}
    assert logs[haier].kind == PrintLog.Kind.TECHNICAL_SHEETS and "2 个零件" in logs[haier].object_label
    assert logs[haier].pages + logs[midea].pages == len(texts)


def test_the_status_follows_the_sheets_laid_out(login, alice, alices_customer):
    make_part(alices_customer, number="BX-6001")
    client = login(alice)
    client.post(reverse("printing:customer-sheets", args=[alices_customer.pk]))
    job = PrintJob.objects.get()
    url = reverse("printing:batch-status", args=[job.pk])
    assert client.get(url).json() | {"stage": ""} == {
        "status": "queued",
        "status_label": "排队中",
        "stage": "",
        "done": 0,
        "total": 1,
        "percent": 0,
        "active": True,
    }

    print_batch.call(job.pk)

    data = client.get(url).json()
    assert (data["status"], data["done"], data["percent"], data["active"]) == ("done", 1, 100, False)


def test_a_batch_is_its_owners_alone(login, alice, engineer, alices_customer):
    make_part(alices_customer)
    login(alice).post(reverse("printing:customer-sheets", args=[alices_customer.pk]))
    job = PrintJob.objects.get()
    print_batch.call(job.pk)

    client = login(engineer)  # sees the customer, may print, but the copy carries alice's name
    for name in ("printing:batch-detail", "printing:batch-status", "printing:batch-pdf"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert job.label not in client.get(reverse("printing:batch-list")).content.decode()


def test_ticking_a_part_outside_ones_scope_is_404_and_queues_nothing(login, alice, bobs_customer):
    bobs = make_part(bobs_customer)
    response = login(alice).post(reverse("printing:selected-sheets"), {"part": [bobs.pk]})
    assert response.status_code == 404
    assert not PrintJob.objects.exists()


def test_nothing_ticked_or_too_many_parts_say_so(login, alice, alices_customer, monkeypatch):
    client = login(alice)
    response = client.post(reverse("printing:selected-sheets"), {"next": "/products/?q=x"}, follow=True)
    assert response.redirect_chain[-1][0] == "/products/?q=x"
    assert "请先勾选要打印技术单的零件" in response.content.decode()

    monkeypatch.setattr(views, "BATCH_MAX", 2)
    parts = [make_part(alices_customer).pk for _ in range(3)]
    response = client.post(reverse("printing:selected-sheets"), {"part": parts}, follow=True)
    assert "一次最多批量打印 2 个零件的技术单" in response.content.decode()
    assert not PrintJob.objects.exists()


def test_the_part_list_offers_the_selection_to_those_who_may_print(login, alice, viewer, alices_customer):
    part = make_part(alices_customer)
    page = login(alice).get(reverse("products:part-list")).content.decode()
    assert f'name="part" value="{part.pk}" form="print-selection"' in page
    assert reverse("printing:selected-sheets") in page and 'id="print-selected"' in page

    page = login(viewer).get(reverse("products:part-list")).content.decode()
    assert 'id="print-selected"' not in page and "print-selection" not in page


@pytest.fixture
def layouts(monkeypatch):
    """Count the documents actually laid out (the real layout runs)."""
    calls = []
    real = kept.render

    def counting(html, media_names=()):
        calls.append(html)
        return real(html, media_names)

    monkeypatch.setattr(kept, "render", counting)
    return calls


def _sheet_key(user, part):
    """The key the sheet of `part` is kept under: the rows it prints, read fresh."""
    return technical_sheet_key(parts_for_print(user).get(pk=part.pk))


def test_printing_again_reuses_the_kept_layout_and_stamps_each_copy(
    rich_customer, login, alice, engineer, layouts
):
    part = rich_customer.rich_part
    url = reverse("printing:technical-sheet-pdf", args=[part.pk])

    first = login(alice).post(url).content
    laid_out = len(layouts)
    again = login(engineer).post(url).content

    assert kept.find(_sheet_key(alice, part)) is not None  # in storage, for every app server
    assert laid_out and not any("<article" in html for html in layouts[laid_out:])  # only a new stamp
    _r, first_texts = read_pdf(first)
    _r, again_texts = read_pdf(again)
    assert all("打印人：王丽" in t for t in first_texts) and all("打印人：李工" in t for t in again_texts)
    assert [unstamped(t) for t in again_texts] == [unstamped(t) for t in first_texts]
    logs = PrintLog.objects.filter(kind=PrintLog.Kind.TECHNICAL_SHEET, object_id=part.pk)
    assert sorted(log.printed_by.username for log in logs) == ["alice", "engineer"]


def unstamped(text):
    """A page's text without the stamp of who printed it and when."""
    return re.sub(r"打印(人|时间|日期)：\S+( \d\d:\d\d)?", "", text)


def test_a_change_to_anything_printed_lays_the_sheet_out_again(rich_customer, login, alice, layouts):
    part = rich_customer.rich_part
    url = reverse("printing:technical-sheet-pdf", args=[part.pk])
    client = login(alice)
    client.post(url)
    before = _sheet_key(alice, part)

    # Not the part itself: a dictionary name printed on its sheet.
    DictEntry.objects.filter(kind=DictKind.DEFECT_TYPE, code="SCRATCH").update(name="表面划伤")
    count = len(layouts)
    _reader, texts = read_pdf(client.post(url).content)

    assert _sheet_key(alice, part) != before
    assert len(layouts) > count
    assert "表面划伤" in "".join(texts)


def test_old_kept_documents_are_pruned_and_laid_out_again_when_needed(rich_customer, login, alice, layouts):
    import datetime
    import os

    from django.core.files.storage import default_storage
    from django.core.management import call_command

    url = reverse("printing:technical-sheet-pdf", args=[rich_customer.rich_part.pk])
    client = login(alice)
    client.post(url)
    key = _sheet_key(alice, rich_customer.rich_part)
    path = default_storage.path(kept.storage_name(key))
    old = (datetime.datetime.now() - datetime.timedelta(days=100)).timestamp()
    os.utime(path, (old, old))

    call_command("prune_kept_prints", "--days", "90", stdout=io.StringIO())

    assert kept.find(key) is None
    count = len(layouts)
    assert client.post(url).status_code == 200
    assert any("<article" in html for html in layouts[count:])
    assert kept.find(key) is not None


def test_the_kept_sheets_key_changes_with_every_row_it_prints_and_with_nothing_else(
    rich_customer, alice, engineer
):
    from django.contrib.auth import get_user_model
    from django.utils import timezone, translation

    from customers.models import Contact
    from tests.factories import make_objection

    part = rich_customer.rich_part
    keys = [_sheet_key(alice, part)]

    def key_changed():
        keys.append(_sheet_key(alice, part))
        return keys[-1] not in keys[:-1]

    # Read again, and after what the sheet does not show: the same key.
    get_user_model().objects.filter(pk=alice.pk).update(last_login=timezone.now())
    make_part(rich_customer, number="BX-6099", name="另一个零件")
    assert not key_changed()

    first, *_others = part.photos.all()
    add_photos(part, engineer, count=1)
    first.delete()
    assert key_changed(), "a photo replaced"

    DictEntry.objects.filter(kind=DictKind.ELEMENT, code="X01").update(name="钒")
    assert key_changed(), "a dictionary name renamed (a composition row's element)"

    make_objection(rich_customer, defect="WAVE", description="新登记的异议")
    assert key_changed(), "an objection added"

    Contact.objects.filter(customer=rich_customer).update(mobile="13900139000")
    assert key_changed(), "a contact's number, changed without a new version"

    get_user_model().objects.filter(pk=engineer.pk).update(name="李工程师")
    assert key_changed(), "the plan's approver renamed"

    with translation.override("en"):
        assert key_changed(), "the language"
    assert not key_changed()


def test_a_sheet_printed_again_after_an_objection_is_added_shows_it(rich_customer, login, alice):
    from tests.factories import make_objection

    part = rich_customer.rich_part
    url = reverse("printing:technical-sheet-pdf", args=[part.pk])
    client = login(alice)
    client.post(url)

    make_objection(rich_customer, defect="WAVE", description="新登记的异议：边浪")
    _reader, texts = read_pdf(client.post(url).content)

    assert "新登记的异议：边浪" in "".join(texts)
    assert "共 31 条" in "".join(texts)


def test_a_copy_of_one_kept_sheet_is_the_kept_file_with_the_stamp_appended(rich_customer, login, alice):
    part = rich_customer.rich_part
    url = reverse("printing:technical-sheet-pdf", args=[part.pk])
    client = login(alice)
    client.post(url)

    copy = client.post(url).content

    kept_sheet = kept.find(_sheet_key(alice, part))
    assert copy.startswith(kept_sheet)  # nothing of the kept file copied or rewritten
    assert len(copy) - len(kept_sheet) < 64 * 1024  # the stamp, its font subset and a cross-reference
    reader, texts = read_pdf(copy)
    assert len(texts) == PrintLog.objects.filter(object_id=part.pk).first().pages
    assert all("打印人：王丽" in t and "第 " in t for t in texts)
    assert "JSD-" in texts[0] and "化学成分要求" in "".join(texts)
