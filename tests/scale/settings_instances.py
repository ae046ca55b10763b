"""Test settings for app instances run as servers of their own (tests/scale/test_instances.py):
the test settings, with media where the production settings put it (MEDIA_S3_* of the environment)."""

from archive_site import settings as production
from archive_site.settings_test import *  # noqa: F403
from archive_site.settings_test import STORAGES

STORAGES = {**STORAGES, "default": production.STORAGES["default"]}
