"""manage.py restore FILE [--force]: restore a backup archive, then verify it (see archive_site.backup)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from archive_site import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the (empty) database and media folder, "
        "then check every table's row count and every file's checksum against its manifest. "
        "With media in object storage, only the database is restored."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="archive-backup-YYYYmmdd-HHMMSS.tar.gz")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore even into a database with tables or a media folder with files (replaces them)",
        )

    def handle(self, *args, file, force, **options):
        try:
            problems = backup.restore(file, force=force, log=self.stdout.write)
        except backup.BackupError as e:
            raise CommandError(str(e)) from e
        if problems:
            raise CommandError(_("恢复后的数据与备份不一致：") + "\n" + "\n".join(problems))
        done = _("%(file)s：已恢复，行数和文件校验和与清单一致。") % {"file": file}
        self.stdout.write(self.style.SUCCESS(done))
