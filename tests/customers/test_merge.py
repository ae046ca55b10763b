"""An administrator merges a duplicate customer into the one kept: every record of the duplicate
moves, in one transaction; the history stays and shows on the kept customer's page; the
duplicate's code stays an alias; nothing is left pointing at the duplicate, table by table."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import reverse
from pghistory.models import Events, MiddlewareEvents

from archive_site.history import events_for
from archive_site.models import DictKind
from archive_site.photos import process_upload, save_photos
from customers.forms import CustomerField
from customers.merge import MergeRefused, customer_foreign_keys, generic_foreign_keys, merge_customers
from customers.models import Customer, CustomerAlias, CustomerDocument, DemandAttachment
from orders.models import Delivery
from printing.models import PrintJob, PrintLog
from products.models import PartPhoto
from quality.models import (
    Alert,
    DeadlineRule,
    Decision,
    ObjectionAttachment,
    ObjectionComment,
    ObjectionPhoto,
)
from tests.factories import (
    entry,
    make_contact,
    make_customer,
    make_demand,
    make_objection,
    make_order,
    make_part,
    make_plan,
    make_run,
)
from tests.imports.helpers import CUSTOMER_HEADERS, check, messages, xlsx
from tests.test_permission_matrix import jpeg_upload, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


def contact(customer, tag, **kw):
    return make_contact(customer, name=f"{tag}联系人", mobile="13812345678")


def document(customer, tag, **kw):
    doc = CustomerDocument(customer=customer, kind="contract", title=f"{tag}合同")
    doc.file.save("contract.png", ContentFile(png_bytes()), save=True)
    return doc


def share(customer, tag, users):
    customer.shared_with.add(users["viewer"])


def group_share(customer, tag, users):
    from django.contrib.auth.models import Group

    institute, _ = Group.objects.get_or_create(name="技术研究院")
    customer.shared_with_groups.add(institute)  # both shared with it: the merge keeps one


def follow(customer, tag, users):
    customer.follow(users["viewer"])  # both followed by the same user: the merge keeps one


def notification(customer, tag, users):
    from notifications.models import Kind, Notification

    Notification.objects.create(recipient=users["alice"], kind=Kind.CLOSED, customer=customer, args={})


def demand(customer, tag, **kw):
    d = make_demand(
        customer, name=f"{tag}需求", elements=[("C", None, "0.003")], properties=[("Rm", 270, 350, "MPa")]
    )
    attachment = DemandAttachment(demand=d, title="图纸")
    attachment.file.save("drawing.png", ContentFile(png_bytes()), save=True)
    return d


def plan(customer, tag, users):
    revision = make_plan(customer, name=f"{tag}方案", parameters=[("CAL", "SOAK_T", 820, 800, 840, "℃")],
                         approved_by=users["engineer"])  # fmt: skip
    make_run(revision, f"{tag}RUN", SOAK_T=821)


def objection(customer, tag, users):
    o = make_objection(customer, description=f"{tag}划伤")
    save_photos(ObjectionPhoto, [process_upload(jpeg_upload())], objection=o)
    attachment = ObjectionAttachment(objection=o, title=f"{tag}客户来函")
    attachment.file.save("letter.pdf", ContentFile(pdf_bytes()), save=True)
    ObjectionComment.objects.create(objection=o, author=users["alice"], text=f"{tag}请尽快回复")
    o.transition("investigating", by=users["quality"])


def part(customer, tag, users):
    p = make_part(customer, number=f"{tag}-P1")
    save_photos(PartPhoto, [process_upload(jpeg_upload("part.jpg"))], part=p)


def order(customer, tag, users):
    make_order(customer, number=f"{tag}-DD1", deliveries=[(f"{tag}-C1", datetime.date(2025, 2, 1), 20)])


def print_log(customer, tag, users):
    PrintLog.record(kind="technical_sheets", customer=customer, obj=customer, document_number=f"{tag}-JSD",
                    revision=1, pages=2, user=users["engineer"])  # fmt: skip


def print_job(customer, tag, users):
    PrintJob.objects.create(
        user=users["engineer"], customer=customer, label=f"{tag} 批量", part_ids=[], language="zh-hans"
    )


def decision(customer, tag, users):
    Decision.objects.create(
        customer=customer,
        defect_type=entry(DictKind.DEFECT_TYPE, "SCRATCH"),
        severity=2,
        verdict="not_acceptable",
        answer="…",
        coil_numbers=[f"{tag}-D1"],
        tonnage=Decimal("10"),
        disposition="stock",
        created_by=users["quality"],
    )


def alert(customer, tag, users):
    """A lesson from another customer's objection, sent to this one."""
    source = make_objection(make_customer(code=f"{tag}-SRC", name=f"{tag}同类客户"), description="划伤")
    Alert.objects.create(
        customer=customer,
        objection=source,
        defect_type=source.defect_type,
        message=f"{tag}预警",
        reason="同牌号",
    )


def deadline_rule(customer, tag, users):
    """A key account's own deadlines (another severity for each customer: one rule per severity)."""
    severity = 4 if tag == "K" else 3
    DeadlineRule.objects.create(
        customer=customer,
        severity=severity,
        response_days=1,
        containment_days=1,
        cause_days=5,
        closure_days=10,
    )


def alias(customer, tag, users):
    """The duplicate itself had absorbed a duplicate once: that alias must follow it."""
    CustomerAlias.objects.create(
        customer=customer,
        code=f"{tag}-OLD",
        name=f"{tag}旧客户",
        merged_customer_id=900_000 + ord(tag[0]),
        merged_by=users["admin"],
    )


# One builder per model with a foreign key to Customer. A model added later that refers to
# customers must get a builder here (test_every_kind_of_record_has_a_builder says which).
BUILDERS = {
    "customers.Contact": lambda c, t, u: contact(c, t),
    "customers.CustomerDocument": lambda c, t, u: document(c, t),
    "customers.CustomerShare": share,
    "customers.CustomerGroupShare": group_share,
    "customers.Follow": follow,
    "notifications.Notification": notification,
    "customers.Demand": lambda c, t, u: demand(c, t),
    "customers.CustomerAlias": alias,
    "quality.ProcessPlan": plan,
    "quality.Objection": objection,
    "products.Part": part,
    "orders.Order": order,
    "printing.PrintLog": print_log,
    "printing.PrintJob": print_job,
    "quality.Decision": decision,
    "quality.Alert": alert,
    "quality.DeadlineRule": deadline_rule,
}


def test_every_kind_of_record_has_a_builder():
    kinds = {model._meta.label for model, _fk in customer_foreign_keys()}
    missing = kinds - set(BUILDERS)
    assert not missing, f"Models with a foreign key to Customer that test_merge.py does not build: {missing}"


@pytest.fixture
def users(admin_user, alice, engineer, quality, viewer):
    return {"admin": admin_user, "alice": alice, "engineer": engineer, "quality": quality, "viewer": viewer}


@pytest.fixture
def pair(users, alice):
    kept = make_customer(code="C0005", name="青岛海尔股份有限公司", sales_owner=alice)
    duplicate = make_customer(code="C0099", name="青岛海尔股份有限责任公司", short_name="海尔",
                              address="青岛市崂山区海尔路 1 号", sales_owner=alice)  # fmt: skip
    for build in BUILDERS.values():
        build(kept, "K", users)
        build(duplicate, "D", users)
    return kept, duplicate


def rows_of(customer):
    """{(model, foreign key): ids of the rows referring to `customer`}, every table."""
    return {
        (model._meta.label, fk.name): set(
            model._base_manager.filter(**{fk.name: customer.pk}).values_list("pk", flat=True)
        )
        for model, fk in customer_foreign_keys()
    }


def test_a_merge_moves_every_kind_of_record_and_leaves_no_orphan(pair, users):
    kept, duplicate = pair
    before_kept, before_dup = rows_of(kept), rows_of(duplicate)
    assert all(before_dup.values()), "every kind has a record of the duplicate to move"
    duplicate_id = duplicate.pk
    merge_customers(kept, duplicate, by=users["admin"])

    after = rows_of(kept)
    links = {
        ("customers.CustomerShare", "customer"),
        ("customers.CustomerGroupShare", "customer"),
        ("customers.Follow", "customer"),
    }
    for table, ids in after.items():
        if table in links:  # both were shared with (followed by) the viewer: one share (follow) remains
            assert ids == before_kept[table]
            continue
        expected = before_kept[table] | before_dup[table]
        if table == ("customers.CustomerAlias", "customer"):
            expected = expected | {CustomerAlias.objects.get(code="C0099").pk}  # this merge's own
        assert ids == expected, table
    for model, fk in customer_foreign_keys():  # table by table: nothing points at a customer that is gone
        left = model._base_manager.filter(**{fk.name: duplicate_id}).count()
        orphans = model._base_manager.exclude(**{f"{fk.name}__in": Customer.objects.values("pk")}).exclude(
            **{f"{fk.name}__isnull": True}
        )
        assert (left, orphans.count()) == (0, 0), model._meta.label
    customer_type = ContentType.objects.get_for_model(Customer)
    for model, gfk in generic_foreign_keys():
        pointing = model._base_manager.filter(**{gfk.ct_field: customer_type})
        assert not pointing.exclude(**{f"{gfk.fk_field}__in": Customer.objects.values("pk")}).exists()
        assert (
            pointing.filter(**{gfk.fk_field: kept.pk}).count() == 2
        )  # both batch prints, now the kept one's
    assert not Customer.objects.filter(pk=duplicate_id).exists()
    # The records that hang from the moved ones came along: deliveries, photos, files, comments, rows.
    assert Delivery.objects.filter(order__customer=kept).count() == 2
    assert ObjectionPhoto.objects.filter(objection__customer=kept).count() == 2
    assert ObjectionAttachment.objects.filter(objection__customer=kept).count() == 2
    assert ObjectionComment.objects.filter(objection__customer=kept).count() == 2
    assert PartPhoto.objects.filter(part__customer=kept).count() == 2


def test_a_merge_keeps_the_history_and_records_itself_in_both(pair, users):
    kept, duplicate = pair
    duplicate_id = duplicate.pk
    merge_customers(kept, duplicate, by=users["admin"])
    kept = Customer.objects.get(pk=kept.pk)
    history = list(events_for(*kept.history_objects()))
    labels = {(e.pgh_model, e.pgh_label, e.pgh_obj_id) for e in history}
    # The duplicate's own trail (created ... deleted in the merge) and its contact's creation show here.
    assert ("customers.CustomerEvent", "insert", str(duplicate_id)) in labels
    assert ("customers.CustomerEvent", "delete", str(duplicate_id)) in labels
    dup_contact = kept.contacts.get(name="D联系人")
    assert ("customers.ContactEvent", "insert", str(dup_contact.pk)) in labels
    # The merge in the kept customer's history: its record, who made it, what moved.
    merge = CustomerAlias.objects.get(code="C0099")
    (recorded,) = [
        e for e in history if e.pgh_model == "customers.CustomerAliasEvent" and e.pgh_obj_id == str(merge.pk)
    ]
    assert recorded.user == users["admin"] and recorded.pgh_data["name"] == "青岛海尔股份有限责任公司"
    assert merge.moved["联系人"] == 1 and merge.moved["订单"] == 1
    # The merge in the duplicate's history: its deletion, made by the merge.
    (deleted,) = Events.objects.tracks(Customer(pk=duplicate_id)).filter(pgh_label="delete")
    assert deleted.pgh_context["merge"] == "C0099 → C0005"
    assert (
        MiddlewareEvents.objects.filter(pgh_id=deleted.pgh_id, pgh_model=deleted.pgh_model).first()
        is not None
    )


def test_the_kept_customer_gets_the_duplicates_blank_fields(pair, users):
    kept, duplicate = pair
    merge_customers(kept, duplicate, by=users["admin"])
    kept.refresh_from_db()
    assert (kept.short_name, kept.address, kept.name, kept.version) == (
        "海尔",
        "青岛市崂山区海尔路 1 号",
        "青岛海尔股份有限公司",
        2,
    )


def test_the_old_code_still_names_the_kept_customer(pair, users, alice):
    kept, duplicate = pair
    merge_customers(kept, duplicate, by=users["admin"])
    field = CustomerField(queryset=Customer.objects.visible_to(alice))
    assert field.clean("C0099") == kept


def test_a_new_customer_cannot_take_a_merged_customers_code(pair, users):
    kept, duplicate = pair
    merge_customers(kept, duplicate, by=users["admin"])
    newcomer = Customer(code="C0099", name="新客户", category=kept.category)
    with pytest.raises(Exception) as refused:
        newcomer.full_clean()
    assert "C0099" in str(refused.value) and "已并入" in str(refused.value)


def test_a_clash_refuses_the_merge_and_changes_nothing(pair, users):
    kept, duplicate = pair
    make_part(kept, number="5401-110A")
    make_part(duplicate, number="5401-110A")
    before = rows_of(duplicate)
    with pytest.raises(MergeRefused) as refused:
        merge_customers(kept, duplicate, by=users["admin"])
    assert "5401-110A" in str(refused.value)
    assert rows_of(duplicate) == before and Customer.objects.filter(pk=duplicate.pk).exists()


def test_an_administrator_merges_through_the_page_and_the_old_page_leads_to_the_kept_one(login, pair, users):
    kept, duplicate = pair
    client = login(users["admin"])
    preview = client.get(reverse("customers:customer-merge", args=[kept.pk]), {"duplicate": "C0099"})
    assert preview.context["records"]["联系人"] == 1
    response = client.post(reverse("customers:customer-merge", args=[kept.pk]), {"duplicate": "C0099"})
    assert response.status_code == 302 and response.url == kept.get_absolute_url()
    old_page = client.get(reverse("customers:customer-detail", args=[duplicate.pk]), follow=True)
    assert old_page.redirect_chain == [(kept.get_absolute_url(), 302)]
    assert "已于" in old_page.content.decode() and "并入本客户" in old_page.content.decode()


def test_the_old_page_is_404_for_who_may_not_see_the_kept_customer(login, pair, users, bob):
    kept, duplicate = pair
    merge_customers(kept, duplicate, by=users["admin"])
    response = login(bob).get(reverse("customers:customer-detail", args=[duplicate.pk]))
    assert response.status_code == 404


def test_the_customers_import_refuses_a_new_customer_with_a_merged_code(pair, users):

    kept, duplicate = pair
    merge_customers(kept, duplicate, by=users["admin"])
    rows = [CUSTOMER_HEADERS, ["C0099", "另一家公司", "汽车板客户", "合作中", "", ""]]
    _importer, result = check(users["admin"], xlsx({"客户": rows}))
    ((_sheet, row, column, message),) = messages(result)
    assert (row, column) == (2, "客户代码") and "已并入客户“青岛海尔股份有限公司”（C0005）" in message


def test_a_clash_is_shown_on_the_merge_page(login, pair, users):
    kept, duplicate = pair
    make_part(kept, number="5401-110A")
    make_part(duplicate, number="5401-110A")
    response = login(users["admin"]).post(
        reverse("customers:customer-merge", args=[kept.pk]), {"duplicate": "C0099"}
    )
    assert response.status_code == 200
    assert "零件：5401-110A（两个客户都有）" in str(response.context["form"].errors["duplicate"])
    assert Customer.objects.filter(pk=duplicate.pk).exists()
