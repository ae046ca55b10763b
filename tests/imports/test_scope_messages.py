"""A message about a value another record holds names that record only to a user who may see it.

The walk: every registered import module, every sheet whose records have a record scope, every
unique set it checks (its key and its `unique_checks`). A sales user imports a row of her own
archive carrying the values of that set from another salesperson's record: the row is refused,
and no message shows anything of that record she did not type herself.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from archive_site.models import VisibleQuerySet
from customers.models import Customer, CustomerShare
from imports.modules import all_modules
from tests.factories import (
    make_contact,
    make_demand,
    make_objection,
    make_order,
    make_part,
    make_plan,
    make_run,
)
from tests.imports.helpers import check, messages, xlsx

BOB_CREDIT_CODE = "91110000102632941M"
ALICE_CREDIT_CODE = "91370200163562681G"
PARAMS = [("PLTCM", "RED", 75, 70, 80, "%"), ("CAL", "SOAK_T", 820, 810, 830, "℃")]
BOB, ALICE = {"C0001", "XQ-B-01", "GK-B-01", "DD-B-01"}, {"C0005", "XQ-A-01", "GK-A-01", "DD-A-01"}
# What identifies bob's records besides the values a row of them holds: his customer, and the
# names of the demand and plan his rows belong to.
BOBS = {"C0001", "北汽福田汽车股份有限公司", BOB_CREDIT_CODE, "福田门板", "福田外板方案", "福田前门"}


@pytest.fixture
def archives(admin_user, alices_customer, bobs_customer):
    """The same records in alice's and in bob's archive."""
    for customer, tag, credit_code in (
        (bobs_customer, "B", BOB_CREDIT_CODE),
        (alices_customer, "A", ALICE_CREDIT_CODE),
    ):
        customer.credit_code = credit_code
        customer.address = f"{customer.short_name}路 1 号"
        customer.save()
        make_contact(customer, name=f"{customer.short_name}采购", mobile="13812345678")
        demand = make_demand(
            customer,
            code=f"XQ-{tag}-01",
            name=f"{customer.short_name}门板",
            elements=[("C", None, Decimal("0.01"))],
            properties=[("Rm", 270, 350, "MPa")],
        )
        make_part(customer, number=f"{tag}-100", name=f"{customer.short_name}前门", demand=demand)
        make_objection(customer, description=f"{customer.short_name}的划伤")
        name = f"{customer.short_name}外板方案"
        revision = make_plan(customer, demand, PARAMS, admin_user, code=f"GK-{tag}-01", name=name)
        make_run(revision, f"25{tag}001", SOAK_T=818)
        shipped = [(f"26{tag}001", datetime.date(2025, 2, 1), Decimal("20"))]
        make_order(customer, demand, number=f"DD-{tag}-01", deliveries=shipped)


def exported(client, module):
    response = client.get(reverse("imports:export", args=[module]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}


def row_of(rows, markers):
    return next(r for r in rows[1:] if markers & {str(v) for v in r})


def unique_sets(resource):
    """The columns of each set of values the sheet's records hold uniquely: the key, `unique_checks`."""
    key = [str(resource.fields[n].column_name) for n in resource.key_names()]
    others = [
        [str(f.column_name) for f in resource.fields.values() if f.attribute in attributes and not f.readonly]
        for attributes in resource.unique_checks
    ]
    return [key, *others]


def scoped(resource):
    return isinstance(resource.model._default_manager.all(), VisibleQuerySet)


def may_import(user, module):
    """Give a sales user whatever the module's sheets need, keeping her record scope."""
    needed = set(module.permissions)
    for cls in module.resources:
        needed |= set(cls.permissions)
    for name in needed:
        app, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))


def texts(row):
    return {str(v).strip() for v in row if isinstance(v, str) and len(v.strip()) >= 2}


CASES = [
    (module.key, cls.__name__, columns)
    for module in all_modules()
    if module.importable
    for cls in module.resources
    if scoped(cls())
    for columns in unique_sets(cls())
]


def test_the_walk_covers_every_scoped_sheet_of_every_module():
    covered = {(key, name) for key, name, _columns in CASES}
    assert covered == {
        ("customers", "CustomerResource"),
        ("customers", "ContactResource"),
        ("demands", "DemandResource"),
        ("demands", "DemandElementResource"),
        ("demands", "DemandPropertyResource"),
        ("parts", "PartResource"),
        ("objections", "ObjectionResource"),
        ("plans", "PlanResource"),
        ("plans", "ParameterResource"),
        ("plan-runs", "RunResource"),
        ("orders", "OrderResource"),
        ("orders", "DeliveryResource"),
    }
    assert ("customers", "CustomerResource", ["客户名称"]) in CASES
    assert ("customers", "CustomerResource", ["统一社会信用代码"]) in CASES


@pytest.mark.parametrize(("key", "resource", "columns"), CASES)
def test_a_value_of_another_salespersons_record_is_refused_without_naming_it(
    login, admin_user, alice, archives, key, resource, columns
):
    module = next(m for m in all_modules() if m.key == key)
    cls = next(c for c in module.resources if c.__name__ == resource)
    sheets = exported(login(admin_user), key)
    rows = sheets[str(cls.title)]
    header, bobs, alices = rows[0], row_of(rows, BOB), row_of(rows, ALICE)
    colliding = [bob if name in columns else own for name, bob, own in zip(header, bobs, alices, strict=True)]
    may_import(alice, module)

    _importer, result = check(alice, xlsx({str(cls.title): [header, colliding]}), f"{key}.xlsx", key)

    assert not result.ok
    typed = texts(colliding) | texts(header)
    untyped = (texts(bobs) | BOBS) - typed
    assert "C0001" in untyped or "北汽福田汽车股份有限公司" in untyped
    for _sheet, _row, _column, message in messages(result):
        for text in sorted(typed, key=len, reverse=True):
            message = message.replace(text, "")  # what she typed may be repeated to her
        assert not [text for text in untyped if text in message], message


def test_a_customer_name_or_credit_code_of_another_salesperson_says_only_that_it_is_used(
    alice, bobs_customer
):
    bobs_customer.credit_code = BOB_CREDIT_CODE
    bobs_customer.save()
    headers = ["客户代码", "客户名称", "客户类别", "统一社会信用代码"]
    content = xlsx(
        {
            "客户": [
                headers,
                ["C9001", "北汽福田汽车股份有限公司", "AUTO", ""],
                ["C9002", "新客户有限公司", "AUTO", BOB_CREDIT_CODE],
            ]
        }
    )

    _importer, result = check(alice, content)

    assert messages(result) == [
        (
            "客户",
            2,
            "客户名称",
            "“北汽福田汽车股份有限公司”已被档案中的另一条记录使用（该记录不在您的查看范围内）。",
        ),
        (
            "客户",
            3,
            "统一社会信用代码",
            f"“{BOB_CREDIT_CODE}”已被档案中的另一条记录使用（该记录不在您的查看范围内）。",
        ),
    ]


def test_a_customer_she_may_see_is_named(alice, admin_user, bobs_customer):
    content = xlsx(
        {"客户": [["客户代码", "客户名称", "客户类别"], ["C9001", "北汽福田汽车股份有限公司", "AUTO"]]}
    )
    named = ("客户", 2, "客户名称", "“北汽福田汽车股份有限公司”已被“C0001 北汽福田汽车股份有限公司”使用。")

    assert messages(check(admin_user, content)[1]) == [named]
    CustomerShare.objects.create(customer=bobs_customer, user=alice)
    assert messages(check(alice, content)[1]) == [named]
    assert not Customer.objects.filter(code="C9001").exists()
