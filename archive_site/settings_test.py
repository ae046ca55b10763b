"""Test settings: the production settings with a fast hasher and in-memory mail."""

import tempfile

from archive_site.settings import *  # noqa: F403
from archive_site.settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="archive-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["OPTIONS"] = {"options": "-c synchronous_commit=off"}
AXES_ENABLED = True
STATIC_ROOT = tempfile.mkdtemp(prefix="archive-test-static-")
WHITENOISE_USE_FINDERS = True
