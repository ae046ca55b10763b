"""Records written with COPY read back exactly as `save()` would have written them."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from archive_site.copy import copy_create
from customers.models import Customer, Demand
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
