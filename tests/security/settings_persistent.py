"""Test settings with persistent database connections, as production runs (CONN_MAX_AGE > 0),
for the app server the fault tests start: connection health checks are what recover it."""

from archive_site.settings_test import *  # noqa: F403
from archive_site.settings_test import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 600
assert DATABASES["default"]["CONN_HEALTH_CHECKS"]
