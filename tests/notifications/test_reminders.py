"""The daily reminder of steps due within a day or overdue: once a day per step, by task or command."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.management.commands.db_worker import Worker

from notifications.models import Kind, Notification, Preference
from notifications.reminders import send_reminders
from notifications.tasks import send_reminders_task
from quality.models import Objection
from tests.factories import make_objection
from tests.notifications.conftest import RECEIVED

pytestmark = pytest.mark.django_db

D = datetime.date


def reminders_of(user):
    return sorted(
        Notification.objects.filter(recipient=user, day__isnull=False).values_list("day", "kind", "step")
    )


def test_on_the_day_of_receipt_the_response_due_tomorrow_is_due_soon(rules, mailed, quality, alices_customer):
    objection = make_objection(alices_customer, handler=quality, received_date=RECEIVED)
    sent = send_reminders(RECEIVED)
    assert (sent.written, sent.emailed) == (1, 1)
    assert reminders_of(quality) == [(RECEIVED, Kind.DUE_SOON, "response")]
    note = Notification.objects.get(recipient=quality)
    assert (
        note.text == f"质量异议 {objection.number}（青岛海尔股份有限公司）的“首次答复”将于 2026-03-03 到期。"
    )
    [message] = mail.outbox
    assert message.to == ["quality@mill.example"] and note.text in message.body


def test_moving_the_clock_past_the_due_date_makes_the_step_overdue(rules, mailed, quality, alices_customer):
    objection = make_objection(alices_customer, handler=quality, received_date=RECEIVED)
    later = RECEIVED + datetime.timedelta(days=2)  # response due the 3rd, containment the 4th
    send_reminders(later)
    assert reminders_of(quality) == [(later, Kind.DUE_SOON, "containment"), (later, Kind.OVERDUE, "response")]
    overdue = Notification.objects.get(kind=Kind.OVERDUE)
    assert overdue.text == (
        f"质量异议 {objection.number}（青岛海尔股份有限公司）的“首次答复”已于 2026-03-03 到期，尚未完成。"
    )
    assert len(mail.outbox) == 2


def test_running_twice_on_a_day_reminds_once(rules, mailed, quality, alices_customer):
    make_objection(alices_customer, handler=quality, received_date=RECEIVED)
    first = send_reminders(RECEIVED)
    second = send_reminders(RECEIVED)
    assert (first.written, second.written, second.emailed) == (1, 0, 0)
    assert len(reminders_of(quality)) == 1 and len(mail.outbox) == 1
    tomorrow = RECEIVED + datetime.timedelta(days=1)
    send_reminders(tomorrow)  # the next day: reminded again
    assert (tomorrow, Kind.DUE_SOON, "response") in reminders_of(quality)


def test_the_database_refuses_a_second_reminder_of_a_step_on_a_day(rules, quality, alices_customer):
    from django.db import IntegrityError, transaction

    make_objection(alices_customer, handler=quality, received_date=RECEIVED)
    send_reminders(RECEIVED)
    note = Notification.objects.get()
    note.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        note.save()


def test_met_steps_closed_objections_and_objections_without_handler_are_not_reminded(
    rules, quality, alices_customer
):
    make_objection(alices_customer, received_date=RECEIVED)  # nobody handles it
    taken = make_objection(alices_customer, handler=quality, received_date=RECEIVED)
    taken.transition(Objection.Status.INVESTIGATING, by=quality)  # response and containment met
    send_reminders(RECEIVED + datetime.timedelta(days=2))
    assert reminders_of(quality) == []


def test_e_mail_off_for_overdue_steps_keeps_the_reminder_in_the_app(rules, mailed, quality, alices_customer):
    Preference.objects.create(user=quality, email_off=[Kind.OVERDUE])
    make_objection(alices_customer, handler=quality, received_date=RECEIVED)
    sent = send_reminders(RECEIVED + datetime.timedelta(days=2))
    assert sent.written == 2 and [m.subject.split("] ")[1][:8] for m in mail.outbox] == ["异议步骤即将到期"]
    assert send_reminders(RECEIVED + datetime.timedelta(days=2)).emailed == 0, "not mailed later either"


def test_the_command_reminds_once_a_day(rules, mailed, quality, alices_customer):
    make_objection(alices_customer, handler=quality, received_date=RECEIVED)
    out = io.StringIO()
    call_command("send_reminders", "--today", "2026-03-02", stdout=out)
    call_command("send_reminders", "--today", "2026-03-02", stdout=out)
    assert out.getvalue().splitlines() == [
        "reminders written: 1, e-mailed: 1",
        "reminders written: 0, e-mailed: 0",
    ]


@pytest.mark.django_db(transaction=True)  # the worker commits and closes connections as it goes
def test_the_worker_runs_the_queued_reminder(rules, mailed, quality, alices_customer):
    make_objection(alices_customer, handler=quality, received_date=RECEIVED)
    result = send_reminders_task.enqueue("2026-03-02")
    Worker(  # what `manage.py db_worker` runs, stopping when the queue is empty
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()
    result.refresh()
    assert result.return_value == {"written": 1, "emailed": 1}
    assert reminders_of(quality) == [(D(2026, 3, 2), Kind.DUE_SOON, "response")]
