"""manage.py prune_kept_prints [--days N]: delete laid-out documents not written for N days."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from printing import kept


class Command(BaseCommand):
    help = (
        "Delete the print documents and stamps kept for reuse (media printing/kept/) that were "
        "written more than N days ago; any still needed is laid out again at its next print."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="age in days (default: 90)")

    def handle(self, *args, days, **options):
        deleted = kept.prune(timezone.now() - datetime.timedelta(days=days))
        self.stdout.write(f"{deleted} kept print files deleted")
