"""Settings for the TKDN-IK portal: one module, every value from the environment.

Defaults are safe for production (DEBUG off, no hosts, secure cookies, a missing SECRET_KEY stops
start-up). Development values come from the Makefile's ``run`` target and ``docker-compose.yml``;
``.env.example`` lists every variable. Without ``DATABASE_URL`` the portal uses SQLite in ``var/``;
without ``CELERY_BROKER_URL``/``REDIS_URL`` Celery uses kombu's filesystem transport under ``var/``,
so a worker runs as a real separate process with no broker server.
"""

import datetime
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

import environ
from celery.schedules import crontab
from kombu import Queue
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent
# Runtime files of the embedded defaults: SQLite database, filesystem broker, media, mail.
VAR_DIR = Path(os.environ.get("TKDN_VAR_DIR") or BASE_DIR / "var")

env = environ.Env()


def _secret(name: str, default: str | None = None) -> str | None:
    """Read a secret from ``NAME`` or from the file named by ``NAME_FILE`` (Docker secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return env.str(name, default=default)


DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = _secret("SECRET_KEY", default=None)
if not SECRET_KEY:
    if DEBUG:
        # Only for local development; never used when DEBUG is off.
        SECRET_KEY = "django-insecure-development-only-key-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_prometheus",
    "accounts",
    "applications",
    "registry",
]

MIDDLEWARE = [
    # First (and, before axes, last): request counts and latency of the whole stack
    # (django-prometheus).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The request id (X-Request-ID) for every log line of this request and its Celery tasks.
    "tkdnportal.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tkdnportal.middleware.SecurityHeadersMiddleware",
    # Before anything reads the body (CSRF, sessions, uploads): 413 on the declared length.
    "tkdnportal.middleware.RequestSizeLimitMiddleware",
    # Before any view, session or database read: a NUL in the path or query, or a date no
    # database column can take, is a 400.
    "tkdnportal.middleware.RefuseOddInputMiddleware",
    # Before anything reads the database (sessions, views): may this request read the replica?
    "tkdnportal.db_router.ReplicaReadsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.AdminTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-prometheus' second half, just inside everything but axes: it counts the response
    # as it leaves, the lockout page included.
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tkdnportal.urls"
WSGI_APPLICATION = "tkdnportal.wsgi.application"

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
                "tkdnportal.context_processors.portal",
            ],
        },
    },
    # Hot fragments only, asked for by name with ``using="jinja2"`` (tkdnportal/jinja.py).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "tkdnportal.jinja.environment"},
    },
]

# --- Database ----------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
# Read replica (tkdnportal/db_router.py, docs/operations.md): the public register's anonymous
# GET requests (DATABASE_REPLICA_PATHS) read from it; writes and everything else use "default".
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
DATABASE_REPLICA_ALIAS = "replica" if DATABASE_REPLICA_URL else ""
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
DATABASE_REPLICA_PATHS = [
    "/registri/",
    "/sertifikat/",
    "/verify/",
    "/verifikasi/",
    "/statistik/",
    "/pemasok/",
    "/api/v1/certificates/",
    "/api/v1/verify/",
    "/api/v1/verify-file/",
    "/api/v1/suppliers/",
]
DATABASE_ROUTERS = ["tkdnportal.db_router.ReplicaRouter"]
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        # Persistent connections (seconds; 0 closes after each request), checked before reuse.
        _database.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
        _database["CONN_HEALTH_CHECKS"] = True
        # Behind PgBouncer in transaction mode a cursor cannot outlive its transaction: turn
        # server-side cursors (QuerySet.iterator()) off there.
        _database["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
            "DISABLE_SERVER_SIDE_CURSORS", default=False
        )
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    # SQLite: wait for a lock instead of failing at once when web and worker write together.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
    # Take the write lock when a transaction starts: a read-then-write transaction (two officials
    # deciding at once) otherwise fails with "database is locked" without waiting.
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Source maps are for developer tools only: compressing the large ones made collectstatic (run in
# every image build) take minutes.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
if DEBUG:
    # Development: serve static files straight from the app folders, no collectstatic needed.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
MEDIA_URL = "media/"
# Uploaded evidence (invoices, licences) and certificate PDFs. Never served from a public path:
# downloads go through views that check access.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Object storage (S3 API: AWS S3, MinIO, Ceph; django-storages, docs/operations.md): with a bucket
# named, every media file (evidence, documents, certificate PDFs and the superseded ones) lives
# there instead of MEDIA_ROOT, so any web or worker machine reads what another wrote. The bucket
# stays private (no ACL is set on objects; the bucket policy must not allow public reads) and
# downloads still go through the portal's views, which check access and stream the object
# (registry.views.certificate_pdf, applications.views.file_download): no storage URL is ever
# shown. Should code ever ask the storage for a URL, it gets a signed one that dies after
# AWS_QUERYSTRING_EXPIRE seconds. `manage.py move_media --to s3|local` copies the files across.
# Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or _FILE), else boto3's own chain.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="")
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="")
AWS_ACCESS_KEY_ID = _secret("AWS_ACCESS_KEY_ID", default="")
AWS_SECRET_ACCESS_KEY = _secret("AWS_SECRET_ACCESS_KEY", default="")
AWS_LOCATION = env.str("AWS_LOCATION", default="")
AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=60)
# The options of django-storages' S3Storage (also used by move_media while the default is disk).
MEDIA_S3_OPTIONS = {
    "bucket_name": AWS_STORAGE_BUCKET_NAME,
    "endpoint_url": AWS_S3_ENDPOINT_URL or None,
    "region_name": AWS_S3_REGION_NAME or None,
    "access_key": AWS_ACCESS_KEY_ID or None,
    "secret_key": AWS_SECRET_ACCESS_KEY or None,
    "location": AWS_LOCATION,
    # Private objects: no ACL header, so the bucket's own (private) setting applies.
    "default_acl": None,
    "querystring_auth": True,
    "querystring_expire": AWS_QUERYSTRING_EXPIRE,
    # As on disk: a second file of one name gets another name, never replaces the first
    # (a stored certificate PDF never changes: its SHA-256 is public).
    "file_overwrite": False,
    "signature_version": "s3v4",
    # Path-style URLs work with every S3-compatible store (MinIO, Ceph), any bucket name.
    "addressing_style": "path" if AWS_S3_ENDPOINT_URL else None,
    "object_parameters": {"CacheControl": "private, no-store"},
}
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": MEDIA_S3_OPTIONS}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Request size (tkdnportal.middleware.RequestSizeLimitMiddleware, deploy/nginx.conf): 413 before
# the body is read. Pages that take uploads accept UPLOAD_REQUEST_MAX_SIZE (a few evidence files
# at once), everything else REQUEST_MAX_SIZE; the form fields of any request (not its files)
# may hold DATA_UPLOAD_MAX_MEMORY_SIZE, and each file MAX_UPLOAD_SIZE.
MAX_UPLOAD_SIZE = env.int("MAX_UPLOAD_SIZE", default=5 * 1024 * 1024)
UPLOAD_REQUEST_MAX_SIZE = env.int("UPLOAD_REQUEST_MAX_SIZE", default=25 * 1024 * 1024)
REQUEST_MAX_SIZE = env.int("REQUEST_MAX_SIZE", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
UPLOAD_URL_PREFIXES = ("/ikm/", "/verify/", "/verifikasi/", "/admin/", "/api/v1/verify-file/")
# Largest picture (width × height) an evidence upload may declare: 50 million pixels holds a
# 48-megapixel phone photo; decoding it takes about 150 MB. More is refused before decoding.
UPLOAD_IMAGE_MAX_PIXELS = env.int("UPLOAD_IMAGE_MAX_PIXELS", default=50_000_000)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail ----------------------------------------------------------------
# EMAIL_URL: consolemail:// (default), filemail://, smtp+tls://user:password@host:587
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
if EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
    # filemail://: each message in a file under EMAIL_FILE_PATH, one log line per message.
    EMAIL_BACKEND = "tkdnportal.mail.FileEmailBackend"
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _secret("EMAIL_HOST_PASSWORD", default="") or _email.get(
    "EMAIL_HOST_PASSWORD", ""
)
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="TKDN-IK Portal <noreply@tkdn-ik.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))

# --- Cache ----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Shared by the web server and the worker (make run): the statistics the worker refreshes and
    # the page-cache generations must be seen by every process, which a per-process memory cache
    # would not do.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery ----------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        # kombu's filesystem transport: a broker that needs no server, for development and tests.
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        # Exchange bindings and remote-control messages; the default is ./control in the CWD.
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
        # Look for new messages every 0.2 s (kombu's default is 1 s): an owner waits for the value.
        "polling_interval": 0.2,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
# Late acknowledgement: a worker killed mid-task leaves the message on the broker for another try;
# tasks are idempotent, so a second run never creates a second certificate.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# WeasyPrint's memory grows with every render: recycle a worker child after 50 tasks (the
# command lines in the Makefile and docker-compose.yml say the same).
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=50)
CELERY_WORKER_SEND_TASK_EVENTS = False
# Queues: computing (the TKDN-IK value, fast, an owner waits for it) apart from rendering (PDF
# issue and render: WeasyPrint, slow and memory-hungry), so a burst of approvals never delays an
# owner's value. Everything else (e-mail, sweeps, statistics) goes to the default queue.
# A worker started without -Q consumes all three (make run, the tests); docker-compose.yml runs
# one worker service per queue.
CELERY_TASK_DEFAULT_QUEUE = "celery"
# The request-id and task-metric signal handlers, connected in every worker (the web process
# loads them through its middleware and URLs).
CELERY_IMPORTS = ["tkdnportal.logs", "tkdnportal.metrics"]
CELERY_TASK_QUEUES = [Queue("celery"), Queue("compute"), Queue("render")]
CELERY_TASK_ROUTES = {
    "applications.tasks.application_calculate_task": {"queue": "compute"},
    "registry.tasks.certificate_issue_task": {"queue": "render"},
    "registry.tasks.certificate_render_pdf_task": {"queue": "render"},
}
# Periodic tasks (celery beat): queue again work whose message was lost (submitted or approved
# while the broker was down) and move applications with a run-out certificate to EXPIRED.
_sweep_interval = env.int("TKDN_SWEEP_INTERVAL_SECONDS", default=120)
CELERY_BEAT_SCHEDULE = {
    "sweep-stalled": {
        "task": "applications.tasks.sweep_stalled_task",
        "schedule": _sweep_interval,
    },
    "sweep-approved": {
        "task": "registry.tasks.sweep_approved_task",
        "schedule": _sweep_interval,
    },
    "expire-certificates": {
        "task": "registry.tasks.certificates_expire_task",
        "schedule": 3600,
    },
    # Expiry reminders (90/30/7 days before): daily at 08:00 Jakarta; a rerun sends nothing twice.
    "certificate-reminders": {
        "task": "registry.tasks.certificate_reminders_sweep_task",
        "schedule": crontab(hour=8, minute=0),
    },
    # Outreach events: the e-mail of the day before (sent once per registration).
    "event-reminders": {
        "task": "applications.tasks.event_reminders_task",
        "schedule": 3600,
    },
    # The public statistics are cached; changes also queue a refresh (at most once a minute).
    "refresh-statistics": {
        "task": "registry.tasks.registry_statistics_refresh_task",
        "schedule": 900,
    },
}
# How long an application may wait in SUBMITTED/APPROVED before the sweep queues it again.
TKDN_SWEEP_AFTER_SECONDS = env.int("TKDN_SWEEP_AFTER_SECONDS", default=300)

# --- Security ----------------------------------------------------------------
# Reverse proxies in front of gunicorn whose X-Forwarded-For hop is trusted (docker-compose.yml:
# one, nginx). 0 without a proxy: a client-sent X-Forwarded-For must never pick the address.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# X-Forwarded-Proto says "https" only when our own proxy set it (NUM_PROXIES > 0: nginx in
# docker-compose.yml overwrites whatever the client sent); without a proxy a client could claim
# HTTPS on a plain connection.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if NUM_PROXIES > 0 else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Scripts only from our origin, never inline; inline style attributes stay allowed (Bootstrap
# components and the admin set them). Images may be data: URIs (QR codes).
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# --- Brute-force protection (django-axes) and two-factor login for officials (django-otp) ---
# AXES_FAILURE_LIMIT failed logins for one username from one address lock that pair out for
# AXES_COOLOFF_MINUTES (owner login and admin login alike); a successful login resets the count.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=30)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
# The address of a failed login is the client's as our own proxies report it (NUM_PROXIES), the
# same answer the rate limits use: behind the proxy, one person cannot lock out everybody.
AXES_CLIENT_IP_CALLABLE = "tkdnportal.throttling.client_address"
# Its log lines name the client by pseudonyms, never the e-mail address or IP (tkdnportal/logs.py).
AXES_CLIENT_STR_CALLABLE = "tkdnportal.logs.axes_client_str"
# Officials' admin accounts must confirm a TOTP code after the password (enrolment on first use).
TKDN_ADMIN_2FA = env.bool("TKDN_ADMIN_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = "Portal TKDN-IK"

# --- TKDN-IK domain settings ----------------------------------------------------------------
# Rule sets (IK-2022, IK-2025) are data of applications/calculation.py, each with its default
# in-force date (IK-2025: submissions from 2025-12-12, spec §8); applications/rules.py applies
# these two settings on top. Re-date a set: TKDN_RULE_SET_IN_FORCE_FROM="IK-2025=2025-12-11".
# Confirm a provisional set once its small-industry annex is known:
# TKDN_CONFIRMED_RULE_SETS=IK-2025.
TKDN_RULE_SET_IN_FORCE_FROM = env.dict("TKDN_RULE_SET_IN_FORCE_FROM", default={})
TKDN_CONFIRMED_RULE_SETS = env.list("TKDN_CONFIRMED_RULE_SETS", default=[])
# Printed on the certificate (spec §1: the issuing authority is a setting, so a ministry or a
# regional office can operate the same software).
TKDN_ISSUER_NAME = env.str(
    "TKDN_ISSUER_NAME", default="Kementerian Perindustrian Republik Indonesia"
)
TKDN_SIGNATORY_NAME = env.str("TKDN_SIGNATORY_NAME", default="Kepala Pusat P3DN")
TKDN_SIGNATORY_POSITION = env.str(
    "TKDN_SIGNATORY_POSITION", default="Pusat Peningkatan Penggunaan Produk Dalam Negeri"
)
# The legal basis printed on a certificate is its rule set's (applications/calculation.py).
TKDN_DISCLAIMER = env.str("TKDN_DISCLAIMER", default="")
# An official's NIP is printed with their name when they approve; this one when no official
# profile names the signatory.
TKDN_SIGNATORY_NIP = env.str("TKDN_SIGNATORY_NIP", default="")

# --- Certificate signing (registry/signing.py, docs/certificates.md) -------------------------
# Every certificate PDF carries a PAdES signature. Production: a PKCS#12 file and its passphrase
# (or a PKCS#11 token for an HSM). Without either, a development CA and signing key are created
# once under var/signing/ ("development — not trusted"); `check --deploy` warns about it.
TKDN_SIGNING_PKCS12_FILE = env.str("TKDN_SIGNING_PKCS12_FILE", default="")
TKDN_SIGNING_PKCS12_PASSPHRASE = _secret("TKDN_SIGNING_PKCS12_PASSPHRASE", default="")
TKDN_SIGNING_PKCS11_MODULE = env.str("TKDN_SIGNING_PKCS11_MODULE", default="")
TKDN_SIGNING_PKCS11_TOKEN_LABEL = env.str("TKDN_SIGNING_PKCS11_TOKEN_LABEL", default="")
TKDN_SIGNING_PKCS11_KEY_LABEL = env.str("TKDN_SIGNING_PKCS11_KEY_LABEL", default="")
TKDN_SIGNING_PKCS11_CERT_FILE = env.str("TKDN_SIGNING_PKCS11_CERT_FILE", default="")
TKDN_SIGNING_PKCS11_PIN = _secret("TKDN_SIGNING_PKCS11_PIN", default="")
# PEM files of the roots a signature must chain to (the signing chain's own root is always one);
# keep the roots of earlier keys here after a rotation so older certificates still verify.
TKDN_SIGNING_TRUST_ROOTS = env.list("TKDN_SIGNING_TRUST_ROOTS", default=[])
# A RFC 3161 timestamp authority makes the signature PAdES B-T; with revocation fetching on
# (the CA publishes OCSP/CRL and the network reaches it) the validation data is embedded (B-LT).
TKDN_SIGNING_TSA_URL = env.str("TKDN_SIGNING_TSA_URL", default="")
TKDN_SIGNING_FETCH_REVOCATION = env.bool("TKDN_SIGNING_FETCH_REVOCATION", default=False)
TKDN_SIGNING_DEV_DIR = VAR_DIR / "signing"
# Four eyes: when on, the official who approves must differ from the one who checked.
TKDN_FOUR_EYES = env.bool("TKDN_FOUR_EYES", default=False)

# --- Rate limits (tkdnportal/throttling.py; the client address: NUM_PROXIES) -----------------
# Per client address: POSTs to each of registration, password reset and resend confirmation.
ACCOUNTS_RATE = env.str("ACCOUNTS_RATE", default="10/hour")
# Per client address: POST /api/v1/calculator/ (the /kalkulator/ page computes without it).
CALCULATOR_API_RATE = env.str("CALCULATOR_API_RATE", default="60/min")

# --- Public registry API (registry/api.py) ---------------------------------------------
# Read-only and anonymous; throttled per client address (REGISTRY_API_RATE, e.g. "120/min").
REGISTRY_API_RATE = env.str("REGISTRY_API_RATE", default="120/min")
# Seconds a public response may be cached by browsers and proxies (Cache-Control: max-age).
REGISTRY_CACHE_SECONDS = env.int("REGISTRY_CACHE_SECONDS", default=60)
# Server-side cache of the public lookup page's HTML per full URL (anonymous readers only);
# a certificate save starts a new generation at once. 0 turns it off.
REGISTRY_PAGE_CACHE_SECONDS = env.int("REGISTRY_PAGE_CACHE_SECONDS", default=10)
# Largest PDF accepted by the "check a PDF" form of the verification page.
REGISTRY_VERIFY_MAX_PDF = env.int("REGISTRY_VERIFY_MAX_PDF", default=10 * 1024 * 1024)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["registry.throttling.ClientAddressThrottle"],
    # Behind a reverse proxy set this to the number of proxies, so X-Forwarded-For is trusted.
    # 0 (not None): without a proxy a client-sent X-Forwarded-For must never pick the bucket.
    "NUM_PROXIES": NUM_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Registri TKDN-IK",
    "DESCRIPTION": "Open, read-only API of the public TKDN-IK certificate register.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI and ReDoc served from our static files (drf-spectacular-sidecar), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No deep links: each operation's path would be a link inside its expand button (axe:
    # nested-interactive, serious); templates/drf_spectacular/swagger_ui.html does the rest.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    # The calculator (applications/api.py) is a plain Django view: registry/openapi.py adds it.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "registry.openapi.add_calculator",
        "registry.openapi.document_registry",
    ],
}

# --- Logs (tkdnportal/logs.py, docs/operations.md "Logs") ------------------------------
# LOG_FORMAT=json (the default): one JSON object per line on standard error, with the request id
# (X-Request-ID: taken from the proxy when well formed, else made here; sent back in the
# response and carried into the Celery tasks the request queues), e-mail addresses blanked.
# LOG_FORMAT=text: readable lines for development (`make run`), nothing blanked. No personal
# data in production logs: see the policy in docs/operations.md.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "tkdnportal.logs.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "tkdnportal.logs.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# Celery keeps the logging configured above (tkdnportal/celery.py, setup_logging signal).

# --- Health and metrics (tkdnportal/health.py, tkdnportal/metrics.py, docs/deploy.md) ---------
# /health/ runs these checks; "critical" ones turn it 503 (a load balancer takes the instance
# out), the others are reported only. Add a check with one entry (name, class, options).
HEALTH_CHECKS = [
    {"name": "database", "check": "health_check.checks.Database", "options": {"alias": "default"}},
    {"name": "cache", "check": "health_check.checks.Cache", "options": {"alias": "default"}},
    {"name": "broker", "check": "tkdnportal.health.Broker"},
    {"name": "migrations", "check": "tkdnportal.health.Migrations"},
    {"name": "storage", "check": "health_check.checks.Storage", "options": {"alias": "default"}},
    {"name": "workers", "check": "tkdnportal.health.Workers", "critical": False},
    {"name": "disk", "check": "tkdnportal.health.Disk", "critical": False},
]
if "replica" in DATABASES:
    HEALTH_CHECKS.insert(
        1,
        {
            "name": "replica",
            "check": "health_check.checks.Database",
            "options": {"alias": "replica"},
        },
    )
# Seconds /health/ waits for the Celery workers to answer (each probe pays it once).
HEALTH_WORKER_TIMEOUT = env.float("HEALTH_WORKER_TIMEOUT", default=1.0)
# ...and keeps the outcome this long in the shared cache (0: ask on every probe), so several
# replicas probed every few seconds cost one wait, not one each.
HEALTH_WORKER_CACHE_SECONDS = env.int("HEALTH_WORKER_CACHE_SECONDS", default=20)
HEALTH_DISK_MAX_PERCENT = env.float("HEALTH_DISK_MAX_PERCENT", default=90.0)
# /metrics (Prometheus text format) answers only clients in these networks (CIDR), the client
# being the address our own proxies vouch for (NUM_PROXIES); everyone else gets 403. Default:
# this machine only. docker-compose.yml adds the private ranges of its internal network, and
# deploy/nginx.conf refuses /metrics from outside anyway.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
# Port on which each Celery worker serves its own /metrics (0: none). Task metrics of prefork
# children are gathered through prometheus_client's multiprocess mode
# (PROMETHEUS_MULTIPROC_DIR, one empty folder per container; deploy/gunicorn.conf.py).
CELERY_METRICS_PORT = env.int("CELERY_METRICS_PORT", default=0)
# Read by prometheus_client itself (here for the record: `check` and docs show it).
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")
PROMETHEUS_METRIC_NAMESPACE = ""

VAR_DIR.mkdir(parents=True, exist_ok=True)
if CELERY_BROKER_URL.startswith("filesystem"):
    for _folder in ("data_folder_in", "processed_folder", "control_folder"):
        Path(CELERY_BROKER_TRANSPORT_OPTIONS[_folder]).mkdir(parents=True, exist_ok=True)

# django-prometheus: the same database and cache backends, counting queries, errors, hits and
# misses. Swapped last so every alias (a replica too) is measured; code that asks which
# database it runs on reads ``connection.vendor``, which stays the same.
_MEASURED_ENGINES = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}
for _database in DATABASES.values():
    _database["ENGINE"] = _MEASURED_ENGINES.get(_database["ENGINE"], _database["ENGINE"])
_MEASURED_CACHES = {
    "django.core.cache.backends.redis.RedisCache": "tkdnportal.metrics.RedisCache",
    "django.core.cache.backends.filebased.FileBasedCache": "tkdnportal.metrics.FileBasedCache",
}
for _cache in CACHES.values():
    _cache["BACKEND"] = _MEASURED_CACHES.get(_cache["BACKEND"], _cache["BACKEND"])
