"""Each kind of notification reaches its recipient in the app and by e-mail."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Kind, Notification, Preference
from quality.models import Objection
from tests.factories import entry, make_objection, make_user
from tests.notifications.conftest import RECEIVED

pytestmark = pytest.mark.django_db


def measured(objection):
    objection.cause, objection.solution, objection.preventive = "辊面粘附异物", "换辊", "换辊前检查辊面"
    objection.save()
    return objection


def notes_of(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_assigning_an_objection_notifies_the_handler_in_app_and_by_mail(
    mailed, admin_user, quality, alices_customer, django_capture_on_commit_callbacks
):
    objection = make_objection(alices_customer)
    with django_capture_on_commit_callbacks(execute=True):
        objection.assign(quality, by=admin_user, note="请尽快联系客户")

    note = Notification.objects.get(recipient=quality)
    assert note.kind == Kind.ASSIGNED and note.objection == objection
    assert note.text == f"管理员 把质量异议 {objection.number}（青岛海尔股份有限公司）指派给您处理。"
    [message] = mail.outbox
    assert message.to == ["quality@mill.example"]
    assert objection.number in message.subject and "异议指派给我" in message.subject
    assert note.text in message.body
    assert f"http://localhost:8000/quality/objections/{objection.pk}/" in message.body


def test_the_handler_who_takes_an_objection_himself_is_not_told_of_it(
    mailed, quality, alices_customer, django_capture_on_commit_callbacks
):
    objection = make_objection(alices_customer)
    with django_capture_on_commit_callbacks(execute=True):
        objection.assign(quality, by=quality)
    assert notes_of(quality) == [] and mail.outbox == []


def test_closing_an_objection_notifies_the_customers_sales_owner(
    mailed, alice, quality, alices_customer, django_capture_on_commit_callbacks
):
    objection = measured(make_objection(alices_customer, handler=quality))
    with django_capture_on_commit_callbacks(execute=True):
        objection.transition(Objection.Status.INVESTIGATING, by=quality)
        objection.transition(Objection.Status.MEASURES_TAKEN, by=quality)
    assert notes_of(alice) == [], "only the closing is told to the sales owner"
    with django_capture_on_commit_callbacks(execute=True):
        objection.close(by=quality)

    note = Notification.objects.get(recipient=alice)
    assert note.kind == Kind.CLOSED
    assert note.text == f"您负责的客户 青岛海尔股份有限公司 的质量异议 {objection.number} 已由 张质 关闭。"
    [message] = mail.outbox
    assert message.to == ["alice@mill.example"] and note.text in message.body


def test_a_new_objection_notifies_the_followers_of_its_customer(
    mailed, alice, quality, viewer, alices_customer, bobs_customer, django_capture_on_commit_callbacks
):
    alices_customer.follow(quality)
    bobs_customer.follow(viewer)
    with django_capture_on_commit_callbacks(execute=True):
        objection = make_objection(alices_customer, created_by=alice)

    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.objection) == (quality, Kind.NEW_OBJECTION, objection)
    assert note.text == f"您关注的客户 青岛海尔股份有限公司 有一条新的质量异议 {objection.number}：划伤。"
    assert [m.to for m in mail.outbox] == [["quality@mill.example"]]


def test_a_follower_who_may_no_longer_see_the_customer_is_not_told(
    bob, alice, bobs_customer, django_capture_on_commit_callbacks
):
    bobs_customer.shared_with.add(alice)
    bobs_customer.follow(alice)
    bobs_customer.shared_with.remove(alice)
    with django_capture_on_commit_callbacks(execute=True):
        make_objection(bobs_customer, created_by=bob)
    assert notes_of(alice) == []


def test_with_e_mail_off_for_a_kind_the_notification_is_in_the_app_but_not_mailed(
    mailed, admin_user, quality, alices_customer, django_capture_on_commit_callbacks
):
    Preference.objects.create(user=quality, email_off=[Kind.ASSIGNED])
    alices_customer.follow(quality)
    with django_capture_on_commit_callbacks(execute=True):
        objection = make_objection(alices_customer, created_by=admin_user)
        objection.assign(quality, by=admin_user)

    assert sorted(notes_of(quality)) == [Kind.ASSIGNED, Kind.NEW_OBJECTION]
    assert [m.subject for m in mail.outbox] == [f"[客户档案管理系统] 我关注的客户有新异议 {objection.number}"]


def test_the_mail_is_in_the_language_the_recipient_chose(
    mailed, admin_user, quality, alices_customer, django_capture_on_commit_callbacks
):
    Preference.objects.create(user=quality, language="en")
    objection = make_objection(alices_customer)
    with django_capture_on_commit_callbacks(execute=True):
        objection.assign(quality, by=admin_user)
    [message] = mail.outbox
    assert message.subject == f"[Customer Archive] Objection assigned to me {objection.number}"
    assert (
        f"管理员 assigned quality objection {objection.number} (青岛海尔股份有限公司) to you." in message.body
    )


def test_a_user_without_an_e_mail_address_still_gets_the_notification(
    admin_user, alices_customer, django_capture_on_commit_callbacks
):
    handler = make_user("quality2", "质量人员", name="钱质")
    objection = make_objection(alices_customer)
    with django_capture_on_commit_callbacks(execute=True):
        objection.assign(handler, by=admin_user)
    assert notes_of(handler) == [Kind.ASSIGNED] and mail.outbox == []


def test_registering_an_objection_with_a_handler_on_the_page_notifies_the_handler(
    login, mailed, alice, quality, alices_customer, django_capture_on_commit_callbacks
):
    data = {
        "kind": "objection",
        "customer": alices_customer.code,
        "received_date": RECEIVED.isoformat(),
        "handler": quality.pk,
        "defect_type": entry("defect_type", "SCRATCH").pk,
        "severity": 2,
        "tonnage": "1",
        "claim_amount": "0",
        "description": "表面划伤",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = login(alice).post(reverse("quality:objection-create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    objection = Objection.objects.get()
    assert notes_of(quality) == [Kind.ASSIGNED]
    assert [m.to for m in mail.outbox] == [["quality@mill.example"]]
    assert objection.number in mail.outbox[0].body


def test_an_old_reminder_day_does_not_shadow_todays(rules, quality, alices_customer):
    """The reminder's day is kept: a reminder of yesterday is not one of today."""
    from notifications.reminders import send_reminders

    make_objection(alices_customer, handler=quality, received_date=RECEIVED)
    send_reminders(RECEIVED)
    send_reminders(RECEIVED + datetime.timedelta(days=1))
    assert Notification.objects.filter(recipient=quality).values("day").distinct().count() == 2
