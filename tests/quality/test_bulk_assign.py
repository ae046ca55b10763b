"""Work on the objections ticked on the list: give them to one handler (each with its assignment
record and notification, by the rule of the single assignment), export them."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from archive_site.accounts import roles
from notifications.models import Kind, Notification
from quality.models import Objection, ObjectionAssignment
from tests.factories import make_objection, make_user

pytestmark = pytest.mark.django_db

ASSIGN = reverse("quality:objection-bulk-assign")
EXPORT = reverse("quality:objection-bulk-export")
LIST = reverse("quality:objection-list")


@pytest.fixture
def colleague(db):
    return make_user("quality2", roles.QUALITY, name="刘质", email="quality2@mill.example")


def ticked(*objections, **more):
    data = {"ids": [o.pk for o in objections], "next": f"{LIST}?queue=mine"}
    for o in objections:
        data[f"version_{o.pk}"] = Objection.objects.get(pk=o.pk).version
    return data | more


def handlers(*objections):
    return [Objection.objects.get(pk=o.pk).handler for o in objections]


def test_the_list_offers_a_box_per_row_and_the_actions(login, quality, viewer, alices_customer):
    objection = make_objection(alices_customer)
    page = login(quality).get(LIST).content.decode()
    assert f'name="ids" value="{objection.pk}" form="objection-selection"' in page
    assert f'formaction="{ASSIGN}"' in page and f'formaction="{EXPORT}"' in page
    assert 'data-select-all="ids"' in page
    page = login(viewer).get(LIST).content.decode()
    assert 'form="objection-selection"' not in page


def test_the_confirmation_lists_each_objection_with_its_handler_now(login, quality, alices_customer):
    first, second = make_objection(alices_customer, handler=quality), make_objection(alices_customer)
    response = login(quality).post(ASSIGN, ticked(first, second))
    assert response.status_code == 200
    page = response.content.decode()
    assert first.number in page and second.number in page and "张质" in page
    assert handlers(first, second) == [quality, None]
    assert not ObjectionAssignment.objects.exists()


def test_assigning_gives_each_its_record_and_its_handler_a_notification(
    login, quality, colleague, alices_customer, django_capture_on_commit_callbacks, mailoutbox
):
    first, second = make_objection(alices_customer, handler=quality), make_objection(alices_customer)
    data = ticked(first, second, handler=colleague.pk, note="刘质负责该客户", confirm="1")
    with django_capture_on_commit_callbacks(execute=True):
        response = login(quality).post(ASSIGN, data, follow=True)
    assert response.redirect_chain[-1][0] == f"{LIST}?queue=mine"
    assert "2 条异议已指派给 刘质" in response.content.decode()
    assert handlers(first, second) == [colleague, colleague]
    records = ObjectionAssignment.objects.order_by("objection__number")
    assert [(r.previous, r.handler, r.by, r.note) for r in records] == [
        (quality, colleague, quality, "刘质负责该客户"),
        (None, colleague, quality, "刘质负责该客户"),
    ]
    notes = Notification.objects.filter(recipient=colleague, kind=Kind.ASSIGNED)
    assert sorted(n.objection_id for n in notes) == sorted([first.pk, second.pk])
    assert len(mailoutbox) == 2 and all(m.to == ["quality2@mill.example"] for m in mailoutbox)


def test_taking_objections_from_someone_needs_a_note(login, quality, colleague, alices_customer):
    objection = make_objection(alices_customer, handler=quality)
    response = login(quality).post(ASSIGN, ticked(objection, handler=colleague.pk, confirm="1"))
    assert response.status_code == 200 and "note" in response.context["form"].errors
    assert handlers(objection) == [quality]


def test_a_closed_objection_among_them_refuses_all_and_is_named(login, quality, colleague, alices_customer):
    open_one, closed = make_objection(alices_customer), make_objection(alices_customer)
    Objection.objects.filter(pk=closed.pk).update(
        status=Objection.Status.CLOSED, closed_date=closed.received_date
    )
    response = login(quality).post(ASSIGN, ticked(open_one, closed, handler=colleague.pk, confirm="1"))
    assert response.status_code == 200
    assert f"这些异议已关闭，不能再修改：{closed.number}" in response.content.decode()
    assert handlers(open_one, closed) == [None, None]
    assert not ObjectionAssignment.objects.exists()


def test_a_stale_selection_assigns_none(login, quality, colleague, alices_customer):
    first, second = make_objection(alices_customer), make_objection(alices_customer)
    data = ticked(first, second, handler=colleague.pk, confirm="1")
    Objection.objects.filter(pk=second.pk).update(version=second.version + 1)
    response = login(quality).post(ASSIGN, data, follow=True)
    assert "他人已保存了这条记录" in response.content.decode()
    assert handlers(first, second) == [None, None] and not ObjectionAssignment.objects.exists()


def test_an_objection_outside_ones_scope_refuses_the_selection_and_is_named(
    login, alice, quality, alices_customer, bobs_customer
):
    alice.user_permissions.add(
        Permission.objects.get(codename="add_objectionassignment")
    )  # scoped, may assign
    mine, theirs = make_objection(alices_customer), make_objection(bobs_customer)
    response = login(alice).post(ASSIGN, ticked(mine, theirs, handler=quality.pk, confirm="1"))
    assert response.status_code == 404
    assert f"ID {theirs.pk}" in response.content.decode()
    assert handlers(mine, theirs) == [None, None]


def test_assigning_needs_the_permission_of_the_single_assignment(login, viewer, quality, alices_customer):
    objection = make_objection(alices_customer)
    assert login(viewer).post(ASSIGN, ticked(objection, handler=quality.pk, confirm="1")).status_code == 403
    assert handlers(objection) == [None]


def test_the_export_of_the_selection_holds_the_ticked_objections_only(login, quality, alices_customer):
    first, second, _other = (make_objection(alices_customer) for _ in range(3))
    response = login(quality).post(EXPORT, ticked(first, second))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    numbers = {row[header.index("异议编号")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert numbers == {first.number, second.number}


def test_assigning_six_objections_takes_as_many_queries_as_two(
    login, quality, colleague, alices_customer, django_assert_num_queries
):
    client = login(quality)
    two = [make_objection(alices_customer) for _ in range(2)]
    six = [make_objection(alices_customer) for _ in range(6)]
    asked = {2: ticked(*two), 6: ticked(*six)}
    confirmed = {n: ticked(*os, handler=colleague.pk, confirm="1") for n, os in ((2, two), (6, six))}
    with CaptureQueriesContext(connection) as confirm_page:
        assert client.post(ASSIGN, asked[2]).status_code == 200
    with CaptureQueriesContext(connection) as done:
        assert client.post(ASSIGN, confirmed[2]).status_code == 302
    with django_assert_num_queries(len(confirm_page)):
        assert client.post(ASSIGN, asked[6]).status_code == 200
    with django_assert_num_queries(len(done)):
        assert client.post(ASSIGN, confirmed[6]).status_code == 302
    assert Notification.objects.filter(recipient=colleague).count() == 8
