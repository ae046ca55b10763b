import datetime

from django.core.management.base import BaseCommand, CommandError

from notifications.reminders import send_reminders
from notifications.tasks import send_reminders_task


class Command(BaseCommand):
    help = (
        "Remind each handler of the objection steps due within a day or overdue (once a day per "
        "step, however often it runs). Run daily from cron, or with --enqueue to leave it to the worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to remind of (YYYY-MM-DD), default the local date")
        parser.add_argument("--enqueue", action="store_true", help="queue it for `manage.py db_worker`")

    def handle(self, *args, today=None, enqueue=False, **options):
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today: not a date (YYYY-MM-DD): {today}") from None
        else:
            day = None
        if enqueue:
            result = send_reminders_task.enqueue(day.isoformat() if day else None)
            self.stdout.write(f"queued: {result.id}")
            return
        sent = send_reminders(day)
        self.stdout.write(f"reminders written: {sent.written}, e-mailed: {sent.emailed}")
