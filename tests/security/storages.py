"""Storages that fail the way real disks do, for the fault tests."""

import errno
import os

from django.core.files.storage import FileSystemStorage


class FullDiskStorage(FileSystemStorage):
    """A real folder whose disk is full: every save fails with ENOSPC, as os.write would."""

    def _save(self, name, content):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.path(name))
