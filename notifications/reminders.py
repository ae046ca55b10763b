"""The daily reminder: each handler hears of the steps of their open objections that are due
within a day or overdue.

Run by the worker (`notifications.tasks.send_reminders_task`) or by cron
(`manage.py send_reminders`). A step is reminded of once a day, however often it runs:
the constraint `notifications_reminder_once_a_day` keeps one reminder per handler,
objection, step and day, and what was already written that day is not written or
e-mailed again.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from notifications.models import Kind, Notification
from notifications.notify import objection_args, send_emails
from quality.models import Objection, StepState
from quality.models.deadlines import DUE_SOON_DAYS

KIND_OF_STATE = {StepState.DUE_SOON: Kind.DUE_SOON, StepState.OVERDUE: Kind.OVERDUE}


@dataclass
class Sent:
    written: int  # notifications written today by this run
    emailed: int


def due_objections(today):
    """Open objections with a handler and a step due by tomorrow (or overdue), their deadlines
    computed in SQL (`with_deadlines`)."""
    return (
        Objection.objects.exclude(status=Objection.Status.CLOSED)
        .filter(handler__isnull=False, handler__is_active=True)
        .due_between(None, today + datetime.timedelta(days=DUE_SOON_DAYS))
        .with_deadlines()
        .select_related("customer", "handler")
        .order_by("pk")
    )


def reminders(today):
    """The reminders of `today`, unsaved: one per step due within a day or overdue."""
    found = []
    for objection in due_objections(today):
        for deadline in objection.deadlines(today):
            kind = KIND_OF_STATE.get(deadline.state)
            if kind is None:
                continue
            found.append(
                Notification(
                    recipient=objection.handler,
                    kind=kind,
                    objection=objection,
                    customer=objection.customer,
                    step=deadline.step,
                    day=today,
                    args=objection_args(objection, due=deadline.due.isoformat()),
                )
            )
    return found


def send_reminders(today=None):
    """Write today's reminders not written yet and e-mail them."""
    today = today or timezone.localdate()
    found = reminders(today)
    with transaction.atomic():
        done = set(Notification.objects.filter(day=today).values_list("recipient_id", "objection_id", "step"))
        new = [n for n in found if (n.recipient_id, n.objection_id, n.step) not in done]
        # A run at the same moment elsewhere: the constraint keeps one of each.
        Notification.objects.bulk_create(new, ignore_conflicts=True)
    unsent = Notification.objects.filter(day=today, emailed_at__isnull=True).values_list(
        "pk", "recipient_id", "objection_id", "step"
    )
    ids = [pk for pk, *key in unsent if tuple(key) not in done]
    return Sent(written=len(new), emailed=send_emails(ids) if ids else 0)
