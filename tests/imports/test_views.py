import io

import pytest
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker
from openpyxl import load_workbook

from customers.models import Contact, Customer
from imports.models import ImportRun
from imports.tasks import apply_import, check_import
from tests.factories import make_customer
from tests.imports.helpers import CONTACT_HEADERS, CUSTOMER_HEADERS, upload, xlsx

FILE = xlsx(
    {
        "客户": [CUSTOMER_HEADERS, ["C5001", "烟台汽车配件有限公司", "AUTO", "合作中", "", 80]],
        "联系人": [CONTACT_HEADERS, ["C5001", "赵敏", "经理", "13912345678"]],
    }
)


def work():
    """Run the queued tasks with django-tasks-db's own worker, then stop."""
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


@pytest.mark.django_db(transaction=True)
def test_sales_user_uploads_previews_and_confirms_through_the_worker(login, alice):
    client = login(alice)

    response = client.post(reverse("imports:upload", args=["customers"]), {"file": upload(FILE)})

    run = ImportRun.objects.get()
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    assert run.status == ImportRun.Status.QUEUED and run.file_name == "客户.xlsx"
    work()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CHECKED
    assert (run.created_count, run.error_count, run.total_rows, run.processed_rows) == (2, 0, 2, 2)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "确认导入" in page and "烟台汽车配件有限公司" in page
    assert not Customer.objects.filter(code="C5001").exists()  # previewed, not written

    client.post(reverse("imports:run-confirm", args=[run.pk]))
    work()

    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and run.applied_at
    customer = Customer.objects.get(code="C5001")
    assert customer.sales_owner == alice  # visible to the user who imported it
    assert customer.contacts.get().name == "赵敏"
    assert run.file.read() == FILE  # the uploaded file is kept


def test_status_shows_the_rows_processed(login, alice):
    run = _uploaded(login(alice))
    response = login(alice).get(reverse("imports:run-status", args=[run.pk]))
    assert response.json()["active"] is True and response.json()["status"] == "queued"
    check_import.call(run.pk)
    data = login(alice).get(reverse("imports:run-status", args=[run.pk])).json()
    assert data == {
        "status": "checked",
        "status_label": "待确认",
        "stage": "",
        "processed": 2,
        "total": 2,
        "percent": 100,
        "active": False,
    }


def test_a_file_with_errors_cannot_be_confirmed(login, alice):
    client = login(alice)
    bad = xlsx({"客户": [CUSTOMER_HEADERS, ["C5002", "某公司", "不存在", "合作中", "", ""]]})
    client.post(reverse("imports:upload", args=["customers"]), {"file": upload(bad)})
    run = ImportRun.objects.get()
    check_import.call(run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.INVALID
    assert run.errors[0]["row"] == 2 and run.errors[0]["column"] == "客户类别"
    page = client.get(run.get_absolute_url()).content.decode()
    assert "确认导入" not in page and "不存在" in page

    response = client.post(reverse("imports:run-confirm", args=[run.pk]))

    run.refresh_from_db()
    assert response.status_code == 302 and run.status == ImportRun.Status.INVALID
    assert not Customer.objects.filter(code="C5002").exists()


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"", "客户.xlsx", "文件是空的（0 字节）"),
        (b"%PDF-1.4 not a spreadsheet", "客户.xlsx", "不是有效的 Excel 工作簿"),
        (b"\x00\x01\x02binary", "客户.csv", "不是文本格式的 CSV"),
        (b"a,b\n1,2\n", "客户.txt", "只能导入 .xlsx 或 .csv 文件"),
    ],
)
def test_refused_files_get_a_clear_message_and_nothing_is_stored(login, alice, content, name, message):
    response = login(alice).post(
        reverse("imports:upload", args=["customers"]), {"file": upload(content, name)}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert ImportRun.objects.count() == 0


def test_a_50_mb_file_is_refused_with_the_limit_in_the_message(login, alice):
    big = b"PK\x03\x04" + b"\x00" * (50 * 1024 * 1024)

    response = login(alice).post(reverse("imports:upload", args=["customers"]), {"file": upload(big)})

    page = response.content.decode().replace("\xa0", " ")
    assert "文件太大（50.0 MB），导入文件的上限为 20.0 MB" in page
    assert ImportRun.objects.count() == 0


def test_confirm_applies_all_rows_or_none_when_data_changed_since_the_check(login, alice):
    client = login(alice)
    run = _uploaded(client)
    check_import.call(run.pk)
    client.post(reverse("imports:run-confirm", args=[run.pk]))
    # Someone creates a customer with the same name before the worker applies.
    make_customer(code="C9000", name="烟台汽车配件有限公司", sales_owner=alice)

    apply_import.call(run.pk)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.INVALID
    assert "再次检查时发现错误" in run.message
    assert not Customer.objects.filter(code="C5001").exists()
    assert Contact.objects.filter(name="赵敏").count() == 0


def test_viewer_may_not_import(login, viewer):
    client = login(viewer)
    assert client.get(reverse("imports:index")).status_code == 403
    assert client.get(reverse("imports:upload", args=["customers"])).status_code == 403
    assert client.get(reverse("imports:template", args=["customers"])).status_code == 403


def test_engineer_may_not_import_customers_and_sales_may_not_import_dictionaries(login, engineer, alice):
    assert login(engineer).get(reverse("imports:upload", args=["customers"])).status_code == 403
    response = login(alice).post(reverse("imports:upload", args=["dictionaries"]), {"file": upload(FILE)})
    assert response.status_code == 403
    assert ImportRun.objects.count() == 0


def test_an_unknown_module_is_not_found(login, admin_user):
    assert login(admin_user).get(reverse("imports:upload", args=["nothing"])).status_code == 404


def test_another_user_cannot_see_or_confirm_a_run(login, alice, bob):
    run = _uploaded(login(alice))
    check_import.call(run.pk)
    client = login(bob)
    for name in ("imports:run-detail", "imports:run-status", "imports:run-file"):
        assert client.get(reverse(name, args=[run.pk])).status_code == 404
    assert client.post(reverse("imports:run-confirm", args=[run.pk])).status_code == 404
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CHECKED


def test_an_administrator_sees_every_run_but_only_the_uploader_confirms(login, alice, admin_user):
    run = _uploaded(login(alice))
    check_import.call(run.pk)
    client = login(admin_user)
    assert client.get(run.get_absolute_url()).status_code == 200
    assert client.post(reverse("imports:run-confirm", args=[run.pk])).status_code == 403


def test_confirm_needs_post(login, alice):
    run = _uploaded(login(alice))
    assert login(alice).get(reverse("imports:run-confirm", args=[run.pk])).status_code == 405


def test_template_has_the_columns_an_example_and_drop_down_lists(login, alice):
    response = login(alice).get(reverse("imports:template", args=["customers"]))

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["客户", "联系人", "选项"]
    assert workbook["选项"].sheet_state == "hidden"
    customers = workbook["客户"]
    assert [c.value for c in customers[1]][:4] == ["客户代码", "客户名称", "简称", "客户类别"]
    assert customers["A2"].value == "C0101"
    lists = {str(v.sqref): v.formula1 for v in customers.data_validations.dataValidation}
    assert lists["D2:D1048576"].startswith("'选项'!$")  # 客户类别
    assert lists["E2:E1048576"].startswith("'选项'!$")  # 状态
    options = [row[0] for row in workbook["选项"].iter_rows(values_only=True)]
    assert "汽车板客户" in options


def test_the_template_itself_imports_cleanly(login, alice):
    content = b"".join(login(alice).get(reverse("imports:template", args=["customers"])).streaming_content)
    client = login(alice)
    client.post(reverse("imports:upload", args=["customers"]), {"file": upload(content)})
    run = ImportRun.objects.get()
    check_import.call(run.pk)
    run.refresh_from_db()
    assert run.errors == [] and run.status == ImportRun.Status.CHECKED
    assert (run.created_count, run.updated_count) == (2, 0)


@pytest.mark.parametrize("runs", [1, 4])
def test_run_pages_cost_a_constant_number_of_queries(login, alice, django_assert_num_queries, runs):
    client = login(alice)
    for _ in range(runs):
        run = _uploaded(client)
        check_import.call(run.pk)
    with django_assert_num_queries(QUERIES["list"]):
        assert client.get(reverse("imports:run-list")).status_code == 200
    with django_assert_num_queries(QUERIES["detail"]):
        assert client.get(run.get_absolute_url()).status_code == 200
    with django_assert_num_queries(QUERIES["index"]):
        assert client.get(reverse("imports:index")).status_code == 200


QUERIES = {"list": 7, "detail": 6, "index": 6}


def _uploaded(client):
    client.post(reverse("imports:upload", args=["customers"]), {"file": upload(FILE)})
    return ImportRun.objects.latest("id")
