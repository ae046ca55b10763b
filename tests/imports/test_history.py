"""An import keeps the archive's history whole: every row it writes has its event, with the importing user."""

from django.db import connection

from customers.models import Contact, Customer
from quality.models import Objection
from tests.factories import make_customer
from tests.imports.helpers import CONTACT_HEADERS, CUSTOMER_HEADERS, run, xlsx


def events_by_object(model, label, user):
    """{record id: number of `label` events recorded with `user` as the acting user}."""
    events = model.pgh_event_model.objects.filter(pgh_label=label, pgh_context__metadata__user=user.pk)
    counts = {}
    for obj_id in events.values_list("pgh_obj_id", flat=True):
        counts[obj_id] = counts.get(obj_id, 0) + 1
    return counts


def test_every_customer_and_contact_an_import_creates_has_its_event_with_the_importing_user(admin_user):
    customers = [[f"H{i:04d}", f"历史客户{i:04d}有限公司", "汽车板客户", "合作中", "", i] for i in range(60)]
    contacts = [[f"H{i:04d}", f"联系人{i}-{j}", "采购", ""] for i in range(60) for j in range(2)]
    content = xlsx({"客户": [CUSTOMER_HEADERS, *customers], "联系人": [CONTACT_HEADERS, *contacts]})

    result = run(admin_user, content)

    assert result.counts()["new"] == 180
    customer_ids = set(Customer.objects.filter(code__startswith="H").values_list("pk", flat=True))
    contact_ids = set(Contact.objects.filter(customer_id__in=customer_ids).values_list("pk", flat=True))
    assert len(customer_ids) == 60 and len(contact_ids) == 120
    assert events_by_object(Customer, "insert", admin_user) == dict.fromkeys(customer_ids, 1)
    assert events_by_object(Contact, "insert", admin_user) == dict.fromkeys(contact_ids, 1)
    event = Customer.pgh_event_model.objects.get(pgh_obj__code="H0007")
    assert (event.name, event.created_by_id) == ("历史客户0007有限公司", admin_user.pk)


def test_every_customer_an_import_changes_has_one_update_event_and_an_unchanged_one_none(admin_user):
    kept = [make_customer(code=f"U{i:03d}", name=f"更新客户{i:03d}", phone="010-12345678") for i in range(30)]
    rows = [[c.code, "010-87654321" if i % 3 else "010-12345678"] for i, c in enumerate(kept)]

    result = run(admin_user, xlsx({"客户": [["客户代码", "电话"], *rows]}))

    assert result.counts() == {"new": 0, "update": 20, "unchanged": 10, "error": 0}
    changed = {c.pk for i, c in enumerate(kept) if i % 3}
    assert events_by_object(Customer, "update", admin_user) == dict.fromkeys(changed, 1)
    event = Customer.pgh_event_model.objects.filter(pgh_obj=kept[1], pgh_label="update").get()
    assert (event.phone, event.version, event.updated_by_id) == ("010-87654321", 2, admin_user.pk)


def test_every_objection_an_import_creates_has_its_event_with_the_importing_user(quality, alices_customer):
    headers = ["异议编号", "客户代码", "受理日期", "缺陷类型", "严重程度", "缺陷描述"]
    rows = [["", alices_customer.code, "2026-03-02", "划伤", "一般", f"划伤第 {i} 卷"] for i in range(40)]

    result = run(quality, xlsx({"质量异议": [headers, *rows]}), "异议.xlsx", "objections")

    assert result.counts()["new"] == 40
    ids = set(Objection.objects.values_list("pk", flat=True))
    assert len(ids) == 40
    assert events_by_object(Objection, "insert", quality) == dict.fromkeys(ids, 1)
    numbers = set(Objection.pgh_event_model.objects.values_list("number", flat=True))
    assert numbers == set(Objection.objects.values_list("number", flat=True))  # drawn before written


def test_history_is_recorded_once_per_statement_not_once_per_row(admin_user):
    """A bulk write of many rows pays one trigger call: every history trigger is statement-level."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE 'pgtrigger_%%' AND t.tgname ~ '^pgtrigger_(insert_insert|update_update|"
            "delete_delete)_' AND (t.tgtype & 1) = 1"
        )
        row_level = cursor.fetchall()
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t "
            "WHERE t.tgname ~ '^pgtrigger_insert_insert_' AND (t.tgtype & 1) = 0"
        )
        statement_level = cursor.fetchone()[0]

    assert row_level == []
    assert statement_level >= 30
