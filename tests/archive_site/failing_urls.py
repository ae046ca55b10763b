"""The archive's URLs and two that fail, for the tests of the error pages."""

from django.db import OperationalError
from django.urls import path

from archive_site.urls import *  # noqa: F403  (the URLs and the error handlers)
from archive_site.urls import urlpatterns


def broken(request):
    raise RuntimeError("secret internals: SECRET_KEY=… /srv/archive/settings.py")


def database_gone(request):
    raise OperationalError("connection to server on socket failed: No such file or directory")


urlpatterns = [
    path("test/broken/", broken),
    path("test/database-gone/", database_gone),
    path("quality/api/database-gone", database_gone),
    *urlpatterns,
]
