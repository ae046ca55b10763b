"""Objections registered by an import are told as the form tells one: the handler each is given
gets its first assignment record and a notification, the customer's followers hear of each
new objection, and a handler is not changed behind the reassignment's reason."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Follow
from notifications.models import Kind, Notification
from quality.models import Objection, ObjectionAssignment
from tests.factories import make_objection
from tests.imports.helpers import messages, run, xlsx

pytestmark = pytest.mark.django_db

HEADERS = ["异议编号", "客户代码", "受理日期", "缺陷类型", "严重程度", "缺陷描述", "处理人"]


def imported(user, customer, n, handler="quality"):
    rows = [["", customer.code, "2026-03-02", "划伤", "一般", f"门外板划伤 {i}", handler] for i in range(n)]
    return run(user, xlsx({"质量异议": [HEADERS, *rows]}), "异议.xlsx", "objections")


def kinds_of(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_each_imported_objection_is_assigned_to_its_handler_who_is_told(
    mailed, admin_user, quality, alices_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = imported(admin_user, alices_customer, 2)
    assert messages(result) == [] and result.counts()["new"] == 2

    records = ObjectionAssignment.objects.order_by("objection__number")
    assert [(a.handler, a.by, a.previous) for a in records] == [(quality, admin_user, None)] * 2
    assert {a.objection_id for a in records} == set(Objection.objects.values_list("pk", flat=True))
    assert kinds_of(quality) == [Kind.ASSIGNED] * 2
    assert sorted(m.to[0] for m in mail.outbox) == ["quality@mill.example"] * 2


def test_the_customers_followers_hear_of_each_imported_objection(
    mailed, admin_user, alice, alices_customer, django_capture_on_commit_callbacks
):
    Follow.objects.create(user=alice, customer=alices_customer)
    with django_capture_on_commit_callbacks(execute=True):
        imported(admin_user, alices_customer, 3, handler="")
    assert kinds_of(alice) == [Kind.NEW_OBJECTION] * 3
    numbers = set(Objection.objects.values_list("number", flat=True))
    assert {n.objection.number for n in Notification.objects.filter(recipient=alice)} == numbers


def test_telling_costs_the_same_queries_for_two_objections_as_for_six(
    admin_user, alice, quality, alices_customer
):
    Follow.objects.create(user=alice, customer=alices_customer)
    imported(admin_user, alices_customer, 1)  # the importer's permissions, read once per request
    counts = []
    for n in (2, 6):
        with CaptureQueriesContext(connection) as queries:
            imported(admin_user, alices_customer, n)
        counts.append(len(queries))
    assert Notification.objects.filter(recipient=quality).count() == 9
    assert counts[0] == counts[1]


def test_an_import_does_not_change_the_handler_of_an_objection(admin_user, quality, alices_customer):
    objection = make_objection(alices_customer, handler=quality)
    row = [objection.number, alices_customer.code, "2026-03-02", "划伤", "一般", "门外板划伤", "admin"]
    result = run(admin_user, xlsx({"质量异议": [HEADERS, row]}), "异议.xlsx", "objections")
    assert any("导入不能改变已有异议的处理人" in m[3] for m in messages(result))
    objection.refresh_from_db()
    assert objection.handler == quality and not ObjectionAssignment.objects.exists()
