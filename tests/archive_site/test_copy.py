"""Records written with COPY read back exactly as `save()` would have written them."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from archive_site.copy import CopyRows, copy_create
from customers.models import Contact, Customer, Demand
from notifications.models import Notification, Preference
from quality.models import Objection
from tests.factories import entry, make_customer, make_objection, make_user

pytestmark = pytest.mark.django_db

AWKWARD = 'tab\there, line\nbreak, carriage\rreturn, back\\slash, "quotes", {braces}, 中文, \\N'


def test_text_with_copys_special_characters_reads_back_unchanged():
    customer = make_customer()
    template = make_objection(customer)
    objs = [
        Objection(
            customer=customer,
            defect_type=template.defect_type,
            severity=3,
            number=f"COPY-{n}",
            description=AWKWARD,
            cause="",
            received_date=datetime.date(2026, 2, 28),
        )
        for n in range(3)
    ]
    copy_create(Objection, objs)
    assert all(obj.pk for obj in objs)
    assert len({obj.pk for obj in objs}) == 3
    for obj in objs:
        stored = Objection.objects.get(pk=obj.pk)
        assert stored.description == AWKWARD
        assert stored.cause == ""
        assert stored.received_date == datetime.date(2026, 2, 28)
        assert stored.customer_id == customer.pk


def test_a_late_field_is_written_as_set_after_the_rest_of_the_text_was_made():
    """An import's checking thread makes a batch's text; the writing thread draws the numbers
    (`late`) and writes it: those are written as drawn, the rest as it was when the text was made."""
    customer = make_customer()
    template = make_objection(customer)
    objs = [
        Objection(
            customer=customer,
            defect_type=template.defect_type,
            severity=2,
            number="ZY-2026-",
            description=f"第 {n} 条\t{AWKWARD}",
            received_date=datetime.date(2026, 3, n + 1),
        )
        for n in range(3)
    ]
    rows = CopyRows(Objection, objs, late=("number",))
    for n, obj in enumerate(objs, start=1):
        obj.number = f"ZY-2026-{9000 + n}"

    rows.write()

    stored = list(Objection.objects.filter(pk__in=[o.pk for o in objs]).order_by("received_date"))
    assert [(o.number, o.description, o.received_date.day) for o in stored] == [
        (f"ZY-2026-{9001 + n}", f"第 {n} 条\t{AWKWARD}", n + 1) for n in range(3)
    ]


def test_nulls_json_datetimes_decimals_and_arrays_read_back():
    user = make_user()
    customer = make_customer()
    when = timezone.now().replace(microsecond=123456)
    args = {"text": AWKWARD, "n": 3, "list": [1, None, "二"]}
    (notification,) = copy_create(
        Notification,
        [Notification(recipient=user, kind="assigned", customer=None, args=args, created_at=when)],
    )
    stored = Notification.objects.get(pk=notification.pk)
    assert stored.args == args
    assert stored.created_at == when
    assert stored.customer_id is None and stored.read_at is None and stored.day is None

    (preference,) = copy_create(Preference, [Preference(user=user, email_off=['a"b', "c\\d", "e,f", "g\th"])])
    assert Preference.objects.get(pk=preference.pk).email_off == ['a"b', "c\\d", "e,f", "g\th"]

    demand = Demand(
        customer=customer,
        code="D-COPY-1",
        name=AWKWARD,
        thickness=Decimal("0.750"),
        width=Decimal("1250"),
        production_grade=entry("production_grade", "DC04"),
    )
    copy_create(Demand, [demand])
    stored = Demand.objects.get(pk=demand.pk)
    assert (stored.name, stored.thickness, stored.width) == (AWKWARD, Decimal("0.750"), Decimal("1250"))


def test_records_whose_values_the_database_draws_are_still_written():
    """A customer's numbered code is drawn by PostgreSQL: such records take `bulk_create`'s path."""
    category = entry("customer_category", "AUTO")
    objs = copy_create(Customer, [Customer(name="复制写入客户甲", category=category)])
    assert Customer.objects.get(pk=objs[0].pk).code


def test_nothing_to_write_writes_nothing():
    assert copy_create(Objection, []) == []


def test_every_model_an_import_writes_is_written_with_copy():
    """Each field of each imported model has a COPY converter: none falls back to bulk_create
    silently (only records whose code the database numbers do, at run time)."""
    from django.db import connection

    from archive_site.copy import _converter
    from imports.modules import all_modules

    models = {cls._meta.model for module in all_modules() if module.importable for cls in module.resources}
    assert len(models) >= 8
    for model in models:
        missing = [f.name for f in model._meta.concrete_fields if _converter(f, connection) is None]
        assert not missing, (model.__name__, missing)


def test_an_array_of_elements_without_a_plain_text_form_goes_through_bulk_create():
    from django.contrib.postgres.fields import ArrayField
    from django.db import connection, models

    from archive_site.copy import _converter

    assert _converter(ArrayField(models.CharField(max_length=9)), connection) is not None
    assert _converter(ArrayField(models.JSONField()), connection) is None
    assert _converter(ArrayField(models.FloatField()), connection) is None


def test_a_value_repeated_down_a_column_is_written_on_every_row_it_is_on():
    """The same object on consecutive rows is converted once: each row still gets its own value,
    and a different value or NULL between them is not taken for the one before."""
    customer = make_customer()
    author = make_user()
    shared, other = "同一个对象", "另一个值"
    titles = [shared, shared, None, shared, other, other, shared]
    contacts = [
        Contact(customer=customer, name=f"联系人{n}", title=t or "", created_by=None if t is None else author)
        for n, t in enumerate(titles)
    ]
    copy_create(Contact, contacts)
    stored = Contact.objects.filter(customer=customer).values_list("name", "title", "created_by")
    expected = [(f"联系人{n}", t or "", None if t is None else author.pk) for n, t in enumerate(titles)]
    assert sorted(stored) == sorted(expected)


def test_the_records_of_one_write_are_stamped_with_its_moment():
    """Created and changed times (`auto_now_add`, `auto_now`) are the moment of the write, one for
    the batch, as a database default `now()` is one for a transaction; a value set beforehand is
    replaced, as `save()` replaces it."""
    customer = make_customer()
    long_ago = timezone.now() - datetime.timedelta(days=400)
    contacts = [Contact(customer=customer, name=f"时刻{n}", created_at=long_ago) for n in range(5)]
    before = timezone.now()
    copy_create(Contact, contacts)
    after = timezone.now()
    stored = list(Contact.objects.filter(customer=customer).values_list("created_at", "updated_at"))
    assert len(stored) == 5
    assert len(set(stored)) == 1
    created, updated = stored[0]
    assert before <= created == updated <= after
    assert all(c.created_at == created for c in contacts)  # the records in memory say the same


def test_a_parent_saved_after_it_was_assigned_gives_its_id_and_an_unsaved_one_is_refused():
    category = entry("customer_category", "AUTO")
    parent = Customer(code="C-COPY-P", name="复制写入父记录", category=category)
    contacts = [Contact(customer=parent, name=f"子记录{n}") for n in range(3)]
    copy_create(Customer, [parent])  # a file's customers are written before their contacts
    copy_create(Contact, contacts)
    assert Contact.objects.filter(customer__code="C-COPY-P").count() == 3
    assert all(c.customer_id == parent.pk for c in contacts)

    unsaved = Customer(code="C-COPY-U", name="未保存的父记录", category=category)
    with pytest.raises(ValueError, match="unsaved related object 'customer'"):
        copy_create(
            Contact, [Contact(customer=make_customer(), name="甲"), Contact(customer=unsaved, name="乙")]
        )
    assert not Contact.objects.filter(name__in=["甲", "乙"]).exists()
