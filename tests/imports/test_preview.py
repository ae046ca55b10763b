"""The check's preview shows what each row will be before staff confirm: new rows with the values
read, updates with old → new, and what in the file was not imported."""

from django.urls import reverse

from imports.models import ImportRun
from imports.tasks import check_import
from tests.imports.helpers import upload, xlsx


def checked(client, module, content, name):
    client.post(reverse("imports:upload", args=[module]), {"file": upload(content, name)})
    run = ImportRun.objects.latest("id")
    check_import.call(run.pk)
    run.refresh_from_db()
    return run, client.get(run.get_absolute_url()).content.decode()


def test_a_new_demand_without_a_code_is_shown_as_numbered_on_import(login, alice, alices_customer):
    headers = ["客户代码", "需求名称", "厚度(mm)", "宽度(mm)"]
    content = xlsx({"客户需求": [headers, ["C0005", "车门外板用 DC04", 0.8, 1250]]})

    run, page = checked(login(alice), "demands", content, "需求.xlsx")

    assert run.status == ImportRun.Status.CHECKED
    (row,) = run.preview["sheets"][0]["rows"]
    assert row["label"] == "（导入时自动编号） 车门外板用 DC04"
    assert "DatabaseDefault" not in page and "object at 0x" not in page
    assert "（导入时自动编号） 车门外板用 DC04" in page


def test_new_rows_show_the_values_that_will_be_written(login, alice):
    content = xlsx(
        {
            "客户": [
                ["客户代码", "客户名称", "客户类别", "年需求量(t)", "建立合作日期", "地址"],
                ["C5001", "烟台汽车配件有限公司", "AUTO", "1,250", 45000, None],
            ],
            "旧客户": [["客户代码", "客户名称"], ["C0", "旧有限公司"]],
        },
        hidden=["旧客户"],
    )

    run, page = checked(login(alice), "customers", content, "客户.xlsx")

    assert run.status == ImportRun.Status.CHECKED
    (row,) = run.preview["sheets"][0]["rows"]
    assert row["values"] == [
        ["客户代码", "C5001"],
        ["客户名称", "烟台汽车配件有限公司"],
        ["客户类别", "汽车板客户"],  # the dictionary entry the code named
        ["年需求量(t)", "1250"],
        ["建立合作日期", "2023-03-15"],  # a date serial, as the date it is
    ]
    assert "<strong>年需求量(t)</strong>：1250" in page
    assert "<strong>客户类别</strong>：汽车板客户" in page
    assert "隐藏的工作表“旧客户”没有导入。" in page


def test_rows_in_error_show_what_was_read(login, alice):
    headers = ["客户代码", "客户名称", "客户类别", "年需求量(t)"]
    content = xlsx({"客户": [headers, ["C1", "甲有限公司", "AUTO", "0,8"]]})

    run, page = checked(login(alice), "customers", content, "客户.xlsx")

    assert run.status == ImportRun.Status.INVALID
    (row,) = run.preview["sheets"][0]["rows"]
    assert row["values"] == [["客户代码", "C1"], ["客户名称", "甲有限公司"], ["客户类别", "汽车板客户"]]
    assert "“0,8”中的逗号或空格不是千位分隔符" in page
