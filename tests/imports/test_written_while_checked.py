"""An objection file written a batch at a time while the rest is checked (`imports.writer`): the
same records, numbers and history as checked then applied, and all rows or none.

The writer has a connection of its own, which sees only what is committed: these tests commit
(transactional), and the files have a few rows with batches of two or three."""

import datetime
import io
import threading

import pytest
from django.db import connection
from django.urls import reverse

from imports import files
from imports.engine import ImportConflict, Importer
from imports.models import ImportRun
from imports.modules import get_module
from imports.writer import Writer
from quality.models import Objection, ObjectionCounter
from tests.factories import make_customer
from tests.imports.helpers import messages, upload, xlsx
from tests.imports.test_views import work

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = ["异议编号", "客户代码", "受理日期", "缺陷类型", "严重程度", "缺陷描述", "原因分析"]


def sheet(*rows):
    return xlsx({"质量异议": [HEADERS, *rows]})


def rows_of(customer, n, year=2026):
    return [
        [
            "",
            customer.code,
            datetime.date(year, 1 + i % 12, 1 + i % 28),
            "划伤",
            "一般",
            f"第 {i} 条划伤",
            "辊面",
        ]
        for i in range(n)
    ]


def write(user, content, progress=None):
    """The file checked and written as the worker does (`check_and_apply`): (result, counts, the
    names of the threads seen alive while the rows were checked)."""
    seen = set()

    def watch(stage, done, total):
        seen.update(t.name for t in threading.enumerate())
        if progress is not None:
            progress(stage, done, total)

    importer = Importer(get_module("objections"), user, progress=watch)
    sheets = files.read(io.BytesIO(content), "异议.xlsx")
    result, counts = importer.check_and_apply(sheets, context={"url": "/imports/test/"})
    return result, counts, seen


def written():
    return list(Objection.objects.order_by("number").values_list("number", "customer__code", "description"))


@pytest.fixture
def batches_of(monkeypatch):
    def set_batch(n):
        monkeypatch.setattr("imports.writer.BATCH", n)
        monkeypatch.setattr("imports.engine.PROGRESS_EVERY", 1)  # progress seen while checking

    return set_batch


def test_rows_are_written_while_checked_as_they_would_be_checked_then_applied(quality, batches_of):
    batches_of(3)
    customer = make_customer(code="C7001", name="苏州精密冲压有限公司")
    content = sheet(*rows_of(customer, 11))

    result, counts, threads = write(quality, content)

    assert messages(result) == [] and counts["new"] == 11
    assert "import-writer" in threads  # the rows went to the writing thread while the file was checked
    streamed = written()
    events = list(
        Objection.pgh_event_model.objects.order_by("pgh_obj__number").values_list(
            "pgh_obj__number", "pgh_label", "pgh_context__metadata__user", "pgh_context__metadata__url"
        )
    )
    assert events == [(number, "insert", quality.pk, "/imports/test/") for number, *_ in streamed]

    Objection.objects.all().delete()
    ObjectionCounter.objects.all().delete()
    importer = Importer(get_module("objections"), quality)
    checked = importer.check(files.read(io.BytesIO(content), "异议.xlsx"))
    importer.apply(checked)
    assert written() == streamed  # the same numbers, customers and texts either way
    assert streamed[0][0] == "ZY-2026-0001" and len({n for n, *_ in streamed}) == 11


def test_a_row_refused_at_the_end_leaves_nothing_written(quality, batches_of):
    batches_of(2)
    customer = make_customer(code="C7002", name="无锡汽车部件有限公司")
    content = sheet(*rows_of(customer, 7), ["", "C9999", "2026-03-01", "划伤", "一般", "没有这个客户", ""])

    result, counts, _threads = write(quality, content)

    assert counts is None
    assert [(row, message[:8]) for _s, row, _c, message in messages(result)] == [(9, "找不到客户“C9")]
    assert Objection.objects.count() == 0
    assert not ObjectionCounter.objects.exists()  # no number drawn: the batches written were rolled back
    assert not Objection.pgh_event_model.objects.exists()


def test_numbers_the_sheet_gives_further_down_are_never_drawn_for_earlier_rows(quality, batches_of):
    batches_of(2)
    customer = make_customer(code="C7003", name="常州车身有限公司")
    given = ["ZY-2026-0004", customer.code, "2026-05-01", "辊印", "轻微", "给定编号", ""]
    content = sheet(*rows_of(customer, 5), given)

    result, counts, _threads = write(quality, content)

    assert messages(result) == [] and counts["new"] == 6
    numbers = [number for number, *_ in written()]
    # Drawn past the number given in the last row, though the first rows were written before it was checked.
    assert numbers == ["ZY-2026-0004", *(f"ZY-2026-{n:04d}" for n in range(5, 10))]


def test_a_customer_deleted_while_the_file_is_checked_refuses_it_all(quality, batches_of):
    batches_of(1000)  # nothing is written before the whole sheet is checked
    customer = make_customer(code="C7004", name="南通座椅有限公司")
    doomed = make_customer(code="C7005", name="扬州门板有限公司")
    content = sheet(*rows_of(customer, 3), *rows_of(doomed, 2))

    def delete_once_checked(stage, done, total):
        if stage.startswith("检查") and done == total and doomed.pk:
            with connection.cursor() as cursor:  # another user's delete, committed at once
                cursor.execute("DELETE FROM customers_customer WHERE id = %s", [doomed.pk])
            doomed.pk = None

    with pytest.raises(ImportConflict) as refused:
        write(quality, content, progress=delete_once_checked)

    assert "未导入任何数据" in str(refused.value)
    assert Objection.objects.count() == 0 and not ObjectionCounter.objects.exists()


def test_the_worker_writes_a_confirmed_file_while_checking_it_again(login, quality, batches_of, monkeypatch):
    batches_of(2)
    writers = []
    start = Writer.__init__

    def counted(self, *args, **kwargs):  # the real writer, counted
        writers.append(self)
        start(self, *args, **kwargs)

    monkeypatch.setattr(Writer, "__init__", counted)
    customer = make_customer(code="C7006", name="嘉兴车灯有限公司")
    client = login(quality)
    client.post(
        reverse("imports:upload", args=["objections"]),
        {"file": upload(sheet(*rows_of(customer, 5)), "异议.xlsx")},
    )
    run = ImportRun.objects.get()
    work()
    client.post(reverse("imports:run-confirm", args=[run.pk]))
    work()

    run.refresh_from_db()
    assert (run.status, run.stage, run.created_count, run.processed_rows) == (ImportRun.Status.DONE, "", 5, 5)
    assert len(writers) == 1  # the confirmed run, not the preview, wrote as it checked
    assert [number for number, *_ in written()] == [f"ZY-2026-{n:04d}" for n in range(1, 6)]
    assert (
        "ZY-2026-0001" in client.get(run.get_absolute_url()).content.decode()
    )  # the preview shows the numbers drawn
