"""Export every module, import the files into an empty database, export again: the same content."""

import datetime
import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from archive_site.models import DictEntry, DictKind
from customers.models import Contact, Customer
from imports.models import ImportRun
from imports.tasks import apply_import, check_import
from tests.factories import entry, make_contact, make_customer
from tests.imports.helpers import upload


def content_of(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}


def exports(client):
    return (
        content_of(client.get(reverse("customers:customer-export"))),
        content_of(client.get(reverse("imports:export", args=["customers"]))),
        content_of(client.get(reverse("imports:export", args=["dictionaries"]))),
    )


def import_file(client, module, content, name):
    client.post(reverse("imports:upload", args=[module]), {"file": upload(content, name)})
    run = ImportRun.objects.latest("id")
    check_import.call(run.pk)
    run.refresh_from_db()
    assert run.errors == [] and run.status == ImportRun.Status.CHECKED, run.message
    client.post(reverse("imports:run-confirm", args=[run.pk]))
    apply_import.call(run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE, run.message
    return run


def raw(client, name, *args):
    return b"".join(client.get(reverse(name, args=args)).streaming_content)


def test_export_import_into_an_empty_database_export_again(login, admin_user, alices_customer, bobs_customer):
    dealer = DictEntry.objects.create(
        kind=DictKind.CUSTOMER_CATEGORY, code="DEALER", name="经销商客户", name_en="Dealer", sort_order=50
    )
    DictEntry.objects.create(
        kind=DictKind.PACKAGING, code="OLD", name="旧包装", sort_order=99, is_active=False
    )
    full = make_customer(
        code="C0100",
        name="潍柴（济南）车身有限公司",
        short_name="潍柴车身",
        category=dealer,
        status=Customer.Status.SUSPENDED,
        industry="商用车",
        credit_code="91370200163562681G",
        legal_representative="谭某",
        region="山东济南",
        address="济南市章丘区 1 号",
        phone="0531-88888888 转 123",
        website="https://www.example.com",
        annual_demand=Decimal("12345.6"),
        relationship_start=datetime.date(2019, 4, 1),
        sales_owner=admin_user,
        main_business="驾驶室冲压\n焊装",
        remarks="=不是公式",
    )
    make_contact(
        full,
        name="张三",
        title="采购部长",
        phone="0531-12345678",
        mobile="13812345678",
        email="z@example.com",
    )
    make_contact(full, name="李四", mobile="13912345678")
    make_contact(alices_customer, name="王五", email="w@example.com")
    make_customer(code="C0200", name="空白客户", category=entry(DictKind.CUSTOMER_CATEGORY, "OTHER"))
    client = login(admin_user)
    before = exports(client)
    files = {
        "customers": raw(client, "imports:export", "customers"),
        "dictionaries": raw(client, "imports:export", "dictionaries"),
    }
    assert len(before[1]["联系人"]) == 4  # header + three contacts
    Contact.objects.all().delete()
    Customer.objects.all().delete()
    DictEntry.objects.all().delete()

    import_file(client, "dictionaries", files["dictionaries"], "基础数据.xlsx")
    run = import_file(client, "customers", files["customers"], "客户.xlsx")

    assert (run.created_count, run.updated_count) == (4 + 3, 0)
    after = exports(client)
    assert after == before
    assert Customer.objects.get(code="C0100").remarks == "=不是公式"


def test_the_customer_list_export_imports_back_unchanged(login, admin_user, alices_customer, bobs_customer):
    client = login(admin_user)
    listed = raw(client, "customers:customer-export")

    client.post(reverse("imports:upload", args=["customers"]), {"file": upload(listed, "customers.xlsx")})
    run = ImportRun.objects.get()
    check_import.call(run.pk)

    run.refresh_from_db()
    assert run.errors == []
    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 0, 2)


def test_export_follows_the_list_filters_and_leaves_out_other_users_customers(
    login, alice, alices_customer, bobs_customer
):
    make_contact(alices_customer, name="王五")
    make_contact(bobs_customer, name="鲍勃的联系人")
    make_customer(code="C0300", name="另一个客户", sales_owner=alice, region="河北")

    sheets = content_of(
        login(alice).get(reverse("imports:export", args=["customers"]) + "?region=山东&o=-code")
    )

    assert [row[0] for row in sheets["客户"][1:]] == []  # alice's customers are not in 山东
    sheets = content_of(login(alice).get(reverse("imports:export", args=["customers"]) + "?o=-code"))
    assert [row[0] for row in sheets["客户"][1:]] == ["C0300", alices_customer.code]
    assert [row[:2] for row in sheets["联系人"][1:]] == [[alices_customer.code, "王五"]]


def test_viewer_may_not_export_contacts(login, viewer):
    assert login(viewer).get(reverse("imports:export", args=["customers"])).status_code == 403
