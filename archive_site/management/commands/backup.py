"""manage.py backup [--output DIR]: the database and media in one dated archive (see archive_site.backup)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from archive_site import backup


class Command(BaseCommand):
    help = (
        "Dump the database (pg_dump custom format) and the media folder into "
        "DIR/archive-backup-YYYYmmdd-HHMMSS.tar.gz, with a manifest of row counts and file checksums. "
        "Media kept in object storage is not copied: the store's own versioning backs it up."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default=".", help="folder to write the archive into (default: .)")

    def handle(self, *args, output, **options):
        try:
            result = backup.backup(output, log=self.stdout.write)
        except backup.BackupError as e:
            raise CommandError(str(e)) from e
        if result.object_storage:
            summary = _(
                "%(path)s：%(tables)s 个表，%(rows)s 行；媒体文件不在备份内（保存在对象存储 %(where)s 中）"
            )
        else:
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
                    "where": result.object_storage,
                }
            )
        )
