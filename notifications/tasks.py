"""The daily reminder as a task of the worker (`manage.py db_worker`), for sites that queue it
instead of running `manage.py send_reminders` from cron."""

import datetime

from django_tasks import task

from notifications.reminders import send_reminders


@task()
def send_reminders_task(today=None):
    """`today` as an ISO date (tasks take JSON arguments), or the local date."""
    sent = send_reminders(datetime.date.fromisoformat(today) if today else None)
    return {"written": sent.written, "emailed": sent.emailed}
