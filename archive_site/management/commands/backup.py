"""manage.py backup [--output DIR]: the database and media in one dated archive (see archive_site.backup)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from archive_site import backup


class Command(BaseCommand):
    help = (
        "Dump the database (pg_dump custom format) and the media folder into "
        "DIR/archive-backup-YYYYmmdd-HHMMSS.tar.gz, with a manifest of row counts and file checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default=".", help="folder to write the archive into (default: .)")

    def handle(self, *args, output, **options):
        try:
            result = backup.backup(output, log=self.stdout.write)
        except backup.BackupError as e:
            raise CommandError(str(e)) from e
        summary = _("%(path)s：%(tables)s 个表，%(rows)s 行，%(files)s 个媒体文件（%(bytes)s 字节）")
        self.stdout.write(
            self.style.SUCCESS(
                summary
                % {
                    "path": result.path,
                    "tables": result.tables,
                    "rows": result.rows,
                    "files": result.files,
                    "bytes": result.media_bytes,
                }
            )
        )
