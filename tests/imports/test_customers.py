import pytest

from customers.models import Contact, Customer
from imports.engine import ImportConflict
from tests.factories import make_contact, make_customer
from tests.imports.helpers import CONTACT_HEADERS, CUSTOMER_HEADERS, check, messages, run, xlsx


@pytest.fixture
def two_sheets():
    return xlsx(
        {
            "客户": [
                CUSTOMER_HEADERS,
                ["C1001", "济南轻骑零部件有限公司", "汽车板客户", "合作中", "0531-88888888", 1200],
                ["C1002", "青岛家电配件有限公司", "APPLIANCE", "", "", "３５０．５"],
            ],
            "联系人": [
                CONTACT_HEADERS,
                ["C1001", "张伟", "采购经理", "13812345678"],
                ["青岛家电配件有限公司", "李娜", "", ""],
            ],
        }
    )


def test_admin_imports_customers_and_their_contacts(admin_user, two_sheets):
    result = run(admin_user, two_sheets)

    assert messages(result) == []
    assert result.counts() == {"new": 4, "update": 0, "unchanged": 0, "error": 0}
    first = Customer.objects.get(code="C1001")
    assert first.category.code == "AUTO"
    assert first.annual_demand == 1200
    assert first.created_by == admin_user
    second = Customer.objects.get(code="C1002")
    assert second.status == Customer.Status.ACTIVE  # blank: the default
    assert str(second.annual_demand) == "350.5"  # full-width digits
    assert list(first.contacts.values_list("name", "mobile")) == [("张伟", "13812345678")]
    assert list(second.contacts.values_list("name", flat=True)) == ["李娜"]


def test_importing_the_same_file_again_changes_nothing(admin_user, two_sheets):
    run(admin_user, two_sheets)

    _importer, result = check(admin_user, two_sheets)

    assert result.counts() == {"new": 0, "update": 0, "unchanged": 4, "error": 0}


def test_a_changed_cell_is_an_update_with_old_and_new_values(admin_user):
    customer = make_customer(code="C2001", name="旧名称有限公司", phone="010-12345678")
    content = xlsx({"客户": [["客户代码", "电话"], ["C2001", "010-87654321"]]})

    _importer, result = check(admin_user, content)

    (sheet,) = result.sheets
    (row,) = sheet.rows
    assert row.status == "update"
    assert row.changes == [("电话", "010-12345678", "010-87654321")]
    assert Customer.objects.get(pk=customer.pk).phone == "010-12345678"  # checked, not written


def test_errors_name_row_column_and_nothing_is_written(admin_user):
    make_contact(make_customer(code="C3000"), name="老联系人")
    content = xlsx(
        {
            "客户": [
                CUSTOMER_HEADERS,
                ["C3001", "甲有限公司", "汽车板客户", "合作中", "", ""],
                ["C3001", "乙有限公司", "汽车板客户", "合作中", "", ""],
                ["C3002", "丙有限公司", "不存在的类别", "合作中", "", "很多"],
            ],
            "联系人": [CONTACT_HEADERS, ["C9999", "王五", "", ""]],
        }
    )
    customers, contacts = Customer.objects.count(), Contact.objects.count()

    result = run(admin_user, content)

    assert messages(result) == [
        ("客户", 3, "客户代码", "与第 2 行重复（C3001）。"),
        ("客户", 4, "客户类别", "“不存在的类别”不是“客户类别”中的代码或名称（请在基础数据中查看可选值）。"),
        ("客户", 4, "年需求量(t)", "“很多”不是有效的数字。"),
        (
            "联系人",
            2,
            "客户代码",
            "找不到客户“C9999”：请填写客户代码或完整的客户名称（或该客户不在您的客户范围内）。",
        ),
    ]
    assert (Customer.objects.count(), Contact.objects.count()) == (customers, contacts)


def test_a_sales_user_imports_customers_that_become_hers(alice):
    content = xlsx(
        {"客户": [["客户代码", "客户名称", "客户类别"], ["C4001", "莱芜钢材加工有限公司", "AUTO"]]}
    )

    result = run(alice, content)

    assert messages(result) == []
    assert Customer.objects.visible_to(alice).filter(code="C4001").exists()
    assert Customer.objects.get(code="C4001").sales_owner == alice


def test_a_sales_user_cannot_update_a_customer_outside_her_scope(alice, bobs_customer, alices_customer):
    content = xlsx(
        {
            "客户": [
                ["客户代码", "客户名称", "客户类别", "电话"],
                [bobs_customer.code, bobs_customer.name, "AUTO", "010-11112222"],
                [alices_customer.code, alices_customer.name, "AUTO", "0532-11112222"],
            ]
        }
    )

    result = run(alice, content)

    assert messages(result) == [
        ("客户", 2, "", f"客户代码“{bobs_customer.code}”已被一个不在您客户范围内的客户使用，您不能修改它。")
    ]
    bobs_customer.refresh_from_db()
    alices_customer.refresh_from_db()
    assert bobs_customer.phone == "" and alices_customer.phone == ""  # nothing written


def test_a_sales_user_cannot_hand_customers_to_someone_else(alice, bob, alices_customer):
    content = xlsx(
        {
            "客户": [
                ["客户代码", "客户名称", "客户类别", "负责销售"],
                ["C4101", "新客户有限公司", "AUTO", "bob"],
                [alices_customer.code, alices_customer.name, "AUTO", "鲍勃"],
            ]
        }
    )

    result = run(alice, content)

    assert [(r, c) for _s, r, c, _m in messages(result)] == [(2, ""), (3, "负责销售")]


def test_a_sales_user_cannot_add_contacts_to_a_customer_she_cannot_see(alice, bobs_customer):
    content = xlsx({"联系人": [CONTACT_HEADERS, [bobs_customer.code, "间谍", "", ""]]})

    result = run(alice, content)

    assert messages(result)[0][1:3] == (2, "客户代码")
    assert not bobs_customer.contacts.exists()


def test_contacts_alone_update_an_existing_customer_by_name(alice, alices_customer):
    make_contact(alices_customer, name="王芳", mobile="13800000000")
    content = xlsx(
        {"Contacts": [["Customer", "Name", "Mobile"], [alices_customer.name, "王芳", "13900000000"]]}
    )

    result = run(alice, content)

    assert messages(result) == []
    assert result.counts()["update"] == 1
    assert alices_customer.contacts.get().mobile == "13900000000"


def test_english_headers_and_a_duplicate_name_within_the_file(admin_user):
    content = xlsx(
        {
            "Customers": [
                ["Customer code", "Customer name", "Category"],
                ["C4201", "同名有限公司", "AUTO"],
                ["C4202", "同名有限公司", "AUTO"],
            ]
        }
    )

    result = run(admin_user, content)

    assert messages(result) == [("Customers", 3, "客户名称", "与第 2 行重复（同名有限公司）。")]


def test_model_rules_are_reported_by_column(admin_user):
    content = xlsx(
        {
            "客户": [
                ["客户代码", "客户名称", "客户类别", "统一社会信用代码", "电话", "建立合作日期"],
                ["C4301", "规则有限公司", "AUTO", "123", "abc", "明天"],
            ]
        }
    )

    result = run(admin_user, content)

    columns = [c for _s, _r, c, _m in messages(result)]
    assert columns == ["建立合作日期", "统一社会信用代码", "电话"]
    assert not Customer.objects.filter(code="C4301").exists()


def test_a_new_customer_without_its_required_columns(admin_user):
    content = xlsx({"客户": [["客户代码", "电话"], ["C4401", "010-12345678"]]})

    result = run(admin_user, content)

    assert messages(result) == [("客户", None, "", "缺少新建记录必填的列：“客户名称”、“客户类别”。")]


def test_apply_refuses_rows_changed_since_the_check_and_writes_nothing(admin_user):
    customer = make_customer(code="C4501", name="并发有限公司")
    content = xlsx(
        {
            "客户": [
                ["客户代码", "客户名称", "客户类别", "电话"],
                ["C4500", "新的有限公司", "AUTO", ""],
                ["C4501", "并发有限公司", "AUTO", "010-12345678"],
            ]
        }
    )
    importer, result = check(admin_user, content)
    Customer.objects.filter(pk=customer.pk).update(version=customer.version + 1, phone="010-99999999")

    with pytest.raises(ImportConflict, match="第 3 行的记录在检查之后被他人修改或删除"):
        importer.apply(result)

    assert not Customer.objects.filter(code="C4500").exists()
    assert Customer.objects.get(pk=customer.pk).phone == "010-99999999"


def test_an_update_is_stamped_and_recorded_in_the_history_with_the_importing_user(admin_user):
    customer = make_customer(code="C4601", name="历史有限公司")
    content = xlsx({"客户": [["客户代码", "电话"], ["C4601", "010-12345678"]]})

    run(admin_user, content)

    customer.refresh_from_db()
    assert (customer.phone, customer.version, customer.updated_by) == ("010-12345678", 2, admin_user)
    event = customer.events.order_by("-pgh_id").first()
    assert event.pgh_label == "update" and event.pgh_context.metadata["user"] == admin_user.pk
