"""Storages that fail the way real disks do, for the fault tests."""

import errno
import os

from django.core.files.storage import FileSystemStorage


class FullDiskStorage(FileSystemStorage):
    """A real folder whose disk is full: every save fails with ENOSPC, as os.write would."""

    def _save(self, name, content):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.path(name))


class DiskFillsUpStorage(FileSystemStorage):
    """A real folder with room for `room` more files: the saves after that fail with ENOSPC.

    The files written before the disk filled up are really on disk, so a test
    can check that the failed upload removed them again.
    """

    def __init__(self, *args, room=1, **kwargs):
        self.room = room
        super().__init__(*args, **kwargs)

    def _save(self, name, content):
        if self.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.path(name))
        self.room -= 1
        return super()._save(name, content)
