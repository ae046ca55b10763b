"""Settings for the customer archive, read from environment variables.

Defaults are safe for production: DEBUG is off unless asked for, a secret key
is required outside debug, cookies are secure when the site runs under HTTPS.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from archive_site.lib.env import envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "archive_site.apps.ArchiveAdminConfig",  # Django's admin site, read-only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_filters",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "archive_site",
    "customers",
    "quality",
    "products",
    "printing",
    "orders",
    "notifications",
    "django_tasks",
    "django_tasks_db",
    "imports",
    "devtools",
]

MIDDLEWARE = [
    "archive_site.middleware.HealthCheckMiddleware",  # /healthz, before the Host and HTTPS checks
    "django.middleware.security.SecurityMiddleware",
    "archive_site.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, cached; nothing below them is
    "archive_site.middleware.PrivateNoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "archive_site.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "archive_site.middleware.OneTimeSubmitMiddleware",
    "archive_site.middleware.StaleEditMiddleware",
    "archive_site.middleware.UnusableInputMiddleware",
]

ROOT_URLCONF = "archive_site.urls"
WSGI_APPLICATION = "archive_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "archive_site.context_processors.site",
            ],
        },
    },
]

# Form widgets render from the project's templates too (customers/widgets/customer_picker.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: DATABASE_URL, set by `make run` / `make test` to the embedded
# PostgreSQL when the operator gives none. There is no SQLite fallback. Without
# it the settings still load, for the commands that need no database
# (compilemessages, collectstatic); anything that touches the database then
# fails with the message of `archive_site.db_missing`.
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=envint("CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("The archive runs on PostgreSQL only")
else:
    DATABASES = {"default": {"ENGINE": "archive_site.db_missing"}}
# Every request is one transaction: a form and its rows are saved whole or not at all.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "archive_site.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "archive_site.accounts.backends.AccountBackend",  # Django's model backend, with the header's counts
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed logins are throttled per username *and* address together, so one
# user mistyping behind the office NAT does not lock out everyone else.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# The username as the throttling store keeps it (no longer than its column).
AXES_USERNAME_CALLABLE = "archive_site.accounts.throttling.login_username"

SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# HTTPS=true (the default outside debug): secure cookies, HTTP redirected to
# HTTPS, HSTS. HTTPS=false serves a closed intranet over plain HTTP: none of
# these, and `check --deploy` then warns about exactly them.
HTTPS = envbool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", HTTPS)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
# The browsers' HSTS preload list is for public domains; an intranet host cannot be on it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A form posted with an outdated CSRF token gets the app's 403 page, saying what to do.
CSRF_FAILURE_VIEW = "archive_site.errors.csrf_failure"

# Content-Security-Policy (archive_site.middleware): no inline scripts, nothing
# from other hosts (the intranet may have no internet). Same shape as Django
# 6's SECURE_CSP, so the upgrade only swaps the middleware.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],  # blob: the upload forms' previews of chosen photos
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads: documents and photos larger than this are refused with a message.
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_MB", 10) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Excel/CSV imports: caps checked before a file is parsed (imports/files.py).
IMPORT_MAX_BYTES = envint("IMPORT_MAX_MB", 20) * 1024 * 1024  # the uploaded file
IMPORT_MAX_UNCOMPRESSED_BYTES = envint("IMPORT_MAX_UNCOMPRESSED_MB", 200) * 1024 * 1024  # an .xlsx unzipped
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 200_000)  # per sheet

# --- Past one machine: object storage, a read replica, stateless app instances ---
# (the README's "Past one machine"). Any number of app instances and workers may
# serve behind a load balancer: sessions, messages, login throttling and the task
# queue live in the database, media in shared storage, and nothing is cached in
# process memory (no local cache: a value cached by one instance would be stale
# in the others).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# Media on S3-compatible object storage (MinIO, Ceph RGW, AWS S3, ...) when
# MEDIA_S3_BUCKET is set; keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or
# the host's role). Files stay private: they are served only through the
# permission-checked views, never by bucket URLs.
MEDIA_S3_BUCKET = os.environ.get("MEDIA_S3_BUCKET", "")
if MEDIA_S3_BUCKET:
    _endpoint = os.environ.get("MEDIA_S3_ENDPOINT_URL") or None
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": _endpoint,
            "region_name": os.environ.get("MEDIA_S3_REGION") or None,
            "location": os.environ.get("MEDIA_S3_PREFIX", "").strip("/"),
            # A store of one's own (MinIO) answers at one host name: the bucket goes in the path.
            "addressing_style": os.environ.get("MEDIA_S3_ADDRESSING_STYLE")
            or ("path" if _endpoint else None),
            "file_overwrite": False,  # as on a disk: an upload never replaces another record's file
            "default_acl": None,  # the bucket's own policy: private
            "max_memory_size": FILE_UPLOAD_MAX_MEMORY_SIZE,  # a file read back spills to disk beyond it
        },
    }

# A PostgreSQL streaming replica (hot standby) for the read-heavy pages when
# DATABASE_REPLICA_URL is set; writes, everything else, and a user's reads until
# the replica has replayed that user's last write stay on the primary
# (archive_site.db_router).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a PostgreSQL streaming replica")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # the replica of the test database
    DATABASE_ROUTERS = ["archive_site.db_router.ReplicaRouter"]
    MIDDLEWARE.append("archive_site.db_router.ReplicaMiddleware")

# Behind a load balancer or reverse proxy: the client's address (for the access
# log and the login throttling) from X-Forwarded-For, trusted only from these
# proxies' addresses or networks (archive_site.proxy).
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or network") from None
if TRUSTED_PROXIES:
    MIDDLEWARE.insert(0, "archive_site.proxy.TrustedProxyMiddleware")
# --- end of "past one machine" ---

# Background work (imports): Django's tasks API on a PostgreSQL-backed queue.
# `manage.py db_worker` runs the queued tasks; `make run` starts one beside runserver.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# E-mail (notifications): SMTP when EMAIL_HOST is set, else printed on the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "archive@localhost")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
# The address the archive is reached at, for the links in e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")

MILL_NAME = os.environ.get("MILL_NAME", _("冷轧厂"))

# Archive health: a customer whose sales owner has not confirmed its data for this
# many days is overdue for verification (report, completeness score).
CUSTOMER_VERIFY_DAYS = envint("CUSTOMER_VERIFY_DAYS", 365)

# One line for each refused request (403, 400, 404, a 503 during a database
# outage); a traceback only for a real error (archive_site/log.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_for_refusals": {"()": "archive_site.log.OneLineForRefusals"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["one_line_for_refusals"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# History: who changed what is taken from the request for writes only.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Events are written by triggers with every value given: a database default
# (a demand's numbering sequence) must not be copied onto the event tables.
PGHISTORY_EXCLUDE_FIELD_KWARGS = {"django.db.models.Field": ["db_default"]}
