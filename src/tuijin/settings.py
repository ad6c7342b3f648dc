"""One settings file, read from the environment (SPEC §4.1).

DATABASE_URL        default: SQLite at ./var/tuijin.sqlite3 (WAL mode)
SECRET_KEY          required in production; generated once into ./var/ otherwise
TUIJIN_ENV          "production" turns on the hardened settings checked by `check --deploy`
TUIJIN_MEDIA_ROOT   uploaded files (default ./var/media)
TUIJIN_TODAY        override the as-of date used by views and the CLI (demos, screenshots)
TUIJIN_ALLOWED_HOSTS comma-separated, production only
TUIJIN_SNAPSHOT_AT  local time (HH:MM) after which `tuijin worker` takes the daily snapshot (default 01:30)
TUIJIN_AUDIT_KEY    keys the audit log's HMAC chain; required in production, generated into ./var/ otherwise
TUIJIN_AUDIT_CHECKPOINT_DIR  where signed audit checkpoints are written (default ./var/audit)
TUIJIN_REPLICA_URL  a PostgreSQL streaming replica of DATABASE_URL: the pages' and the API's reads go there
                    (tuijin.core.replica; docs/deploy.md). Unset: everything on DATABASE_URL, as before
TUIJIN_READ_CACHE_SECONDS  how long a kept read may live at most (default 600; 0: off); it is dropped at
                    the next recorded change anyway (core/readcache.py)
TUIJIN_REPLICA_STICKY_SECONDS  after a user's write, how long at most their reads stay on the primary while
                    the replica catches up (default 300; they return as soon as it has)
"""

import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
# In a checkout (editable install) the repository root holds var/ and node_modules/.
_checkout = PACKAGE_DIR.parents[1]
REPO_DIR = _checkout if (_checkout / "pyproject.toml").exists() else Path.cwd()
VAR_DIR = Path(os.environ.get("TUIJIN_VAR_DIR", REPO_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

PRODUCTION = os.environ.get("TUIJIN_ENV", "").lower() == "production"
DEBUG = not PRODUCTION and os.environ.get("TUIJIN_DEBUG", "1") != "0"


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if PRODUCTION:
        raise RuntimeError("生产环境必须设置 SECRET_KEY 环境变量")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _audit_key() -> str:
    """Keys the audit log's hashes. Kept out of the database (and out of backups), like SECRET_KEY."""
    if os.environ.get("TUIJIN_AUDIT_KEY"):
        return os.environ["TUIJIN_AUDIT_KEY"]
    if PRODUCTION:
        raise RuntimeError("生产环境必须设置 TUIJIN_AUDIT_KEY 环境变量（操作记录签名密钥，不要放在数据库或备份中）")
    path = VAR_DIR / "audit_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


TUIJIN_AUDIT_KEY = _audit_key()
# Signed checkpoints of the audit chain's head, written daily by `tuijin worker` and by
# `tuijin audit checkpoint`; keep this directory off the database server's disk if you can.
TUIJIN_AUDIT_CHECKPOINT_DIR = Path(os.environ.get("TUIJIN_AUDIT_CHECKPOINT_DIR", VAR_DIR / "audit"))
ALLOWED_HOSTS = (
    [h for h in os.environ.get("TUIJIN_ALLOWED_HOSTS", "").split(",") if h]
    if PRODUCTION
    else ["127.0.0.1", "localhost", "testserver", "[::1]"]
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from our own static files (the CSP allows no CDN)
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "tuijin.core",
    "tuijin.orgs",
    "tuijin.campaigns",
    "tuijin.rectification",
    "tuijin.study",
    "tuijin.public",
    "tuijin.evaluation",
    "tuijin.imports",
    "tuijin.demo",
    "tuijin.bench",  # `tuijin bench` (its command; no models)
    "tuijin.research",
    "tuijin.publicity",
    "tuijin.jobs",
    "tuijin.supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tuijin.core.middleware.SecurityHeadersMiddleware",  # CSP + Permissions-Policy on every response
    "tuijin.core.readcache.ReadVersion",  # a GET reads the data's version once; reads kept under it
    "tuijin.core.static_gzip.StaticGZipMiddleware",  # gzips /static/ when served from the finders (demo)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tuijin.core.middleware.SessionActivity",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tuijin.orgs.mfa.MfaRequiredMiddleware",
    # Upload views' scope check before CsrfViewMiddleware.process_view parses a multipart body:
    "tuijin.core.middleware.ScopeBeforeBody",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tuijin.core.middleware.BoundedQueryMiddleware",
    "tuijin.core.middleware.DatabaseBusy",  # a write that waited too long for a lock: 503 + Retry-After  # an over-long query parameter is 400, not a DB error
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "tuijin.urls"
WSGI_APPLICATION = "tuijin.wsgi.application"
AUTH_USER_MODEL = "orgs.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tuijin.core.context.navigation",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{VAR_DIR / 'tuijin.sqlite3'}", conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the server read while an import writes; the pragma is set per connection in core.apps.
    # Every transaction takes the write lock when it begins (IMMEDIATE): a deferred one that read first
    # and then writes cannot upgrade while another writer holds the lock, and SQLite answers "database
    # is locked" at once instead of waiting. A writer waits up to `timeout` seconds for the lock.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# How long a write waits for a lock before giving up (PostgreSQL lock_timeout, per wait: a contended row
# costs at most two, its tuple lock and its holder's transaction; SQLite waits its busy `timeout` above).
# Every write takes the counters' rows of its org's ancestors and the audit chain's head, so writers of
# one city queue; this bounds the queue: a write that waited longer is rolled back and answered 503 with
# Retry-After (core.middleware.DatabaseBusy).
TUIJIN_DB_LOCK_TIMEOUT_MS = int(os.environ.get("TUIJIN_DB_LOCK_TIMEOUT_MS", "5000"))
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c lock_timeout={TUIJIN_DB_LOCK_TIMEOUT_MS}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def replica_database(url: str) -> dj_database_url.DBConfig:
    """The "replica" database for TUIJIN_REPLICA_URL: a hot standby of the primary (read-only)."""
    replica = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if not replica["ENGINE"].endswith("postgresql"):
        raise RuntimeError("TUIJIN_REPLICA_URL 应为 PostgreSQL 流复制备库的地址（postgres://…）")
    # An unreachable replica is skipped (its reads go to the primary): do not wait long to find out.
    replica["OPTIONS"] = {**replica.get("OPTIONS", {}), "connect_timeout": 3}
    # A test run with the variable set reads its test database through the primary's settings instead of
    # trying to create one on a read-only standby (the routing tests connect to a real one themselves).
    replica["TEST"] = {"MIRROR": "default"}
    return replica


# Reads of the pages and the API from a streaming replica, writes and read-your-writes on the primary.
TUIJIN_REPLICA_STICKY_SECONDS = int(os.environ.get("TUIJIN_REPLICA_STICKY_SECONDS", "300"))
if os.environ.get("TUIJIN_REPLICA_URL"):
    if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise RuntimeError("设置了 TUIJIN_REPLICA_URL 时，DATABASE_URL 应为 PostgreSQL 主库")
    DATABASES["replica"] = replica_database(os.environ["TUIJIN_REPLICA_URL"])
    DATABASE_ROUTERS = ["tuijin.core.replica.ReplicaRouter"]
    # First after SecurityMiddleware: it must decide before anything reads (sessions, the user).
    MIDDLEWARE.insert(1, "tuijin.core.replica.ReplicaReads")

AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
# One validator with every rule and Chinese messages (tuijin.orgs.passwords).
AUTH_PASSWORD_VALIDATORS = [{"NAME": "tuijin.orgs.passwords.PasswordPolicy", "OPTIONS": {"min_length": 10}}]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (tuijin.orgs.throttle): after this many failures on one account, or from one client
# address, each further failure doubles the wait (2, 4, 8 … seconds, at most TUIJIN_LOGIN_MAX_DELAY).
TUIJIN_LOGIN_FAILURE_LIMIT = int(os.environ.get("TUIJIN_LOGIN_FAILURE_LIMIT", "5"))
TUIJIN_LOGIN_ADDRESS_LIMIT = int(os.environ.get("TUIJIN_LOGIN_ADDRESS_LIMIT", "20"))
TUIJIN_LOGIN_MAX_DELAY = int(os.environ.get("TUIJIN_LOGIN_MAX_DELAY", "900"))
# TOTP (django-otp): always for the three admin roles; for office accounts when this is "1"; and for
# anyone who enrolled on their own at /account/mfa/.
TUIJIN_MFA_FOR_OFFICES = os.environ.get("TUIJIN_MFA_FOR_OFFICES", "") == "1"
OTP_TOTP_ISSUER = "推进平台"

# Session timeout: 30 minutes of inactivity. The session is not written on every request (a write per
# page view serialises every reader behind SQLite's one writer): core.middleware.SessionActivity renews
# it at most once a minute (TUIJIN_SESSION_RENEW_SECONDS), so idle time is measured to within that.
SESSION_COOKIE_AGE = int(os.environ.get("TUIJIN_SESSION_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = False
TUIJIN_SESSION_RENEW_SECONDS = int(os.environ.get("TUIJIN_SESSION_RENEW_SECONDS", "60"))

# Reads kept until the next recorded change (core/readcache.py): the home, org and problem-list pages'
# bodies and the people and problem API lists, per user and address, under the audit chain's head. This
# many seconds at most; 0 turns it off. Kept in each server process's memory (LocMemCache): a page is
# computed once per process after each change.
TUIJIN_READ_CACHE_SECONDS = int(os.environ.get("TUIJIN_READ_CACHE_SECONDS", "600"))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("TUIJIN_CACHE_ENTRIES", "1000"))},
    }
}
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when it is missing
NODE_MODULES = Path(os.environ.get("TUIJIN_NODE_MODULES", REPO_DIR / "node_modules"))
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STATICFILES_DIRS = [(prefix, path) for prefix, path in STATICFILES_DIRS if path.exists()]
# The project's own assets live beside the templates, not inside any one app.
STATICFILES_DIRS.append(PACKAGE_DIR / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:  # production: hashed names cached for ever (WhiteNoise); here unhashed ones for an hour
    WHITENOISE_MAX_AGE = 3600
MEDIA_ROOT = Path(os.environ.get("TUIJIN_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# How many reverse proxies we run in front of the app, each appending to X-Forwarded-For: login
# throttling and public rating caps take the client address from the right-most hop they did not add
# (tuijin.core.net.client_ip). The older TUIJIN_TRUST_X_FORWARDED_FOR=1 (deprecated) means one proxy.
TUIJIN_TRUSTED_PROXIES = int(
    os.environ.get("TUIJIN_TRUSTED_PROXIES") or (1 if os.environ.get("TUIJIN_TRUST_X_FORWARDED_FOR", "") == "1" else 0)
)
# Public ratings: one vote per device per item; a crowd behind one NAT address may cast this many
# votes on one item (and this many per hour over all items) before further votes are refused.
TUIJIN_VOTES_PER_ADDRESS = int(os.environ.get("TUIJIN_VOTES_PER_ADDRESS", "30"))
TUIJIN_VOTES_PER_ADDRESS_HOUR = int(os.environ.get("TUIJIN_VOTES_PER_ADDRESS_HOUR", "200"))
TUIJIN_MAX_PARAM_CHARS = 1000  # longest query-string value accepted (search boxes, filters, page numbers)
TUIJIN_UPLOAD_MAX_BYTES = int(os.environ.get("TUIJIN_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
# Sheets are measured before the reader expands them (imports/sheet.py): rows, columns, cells (the reader
# builds a dense grid from A1 to the last cell, so it is rows × columns) and bytes once unpacked.
TUIJIN_IMPORT_MAX_ROWS = int(os.environ.get("TUIJIN_IMPORT_MAX_ROWS", 300_000))
TUIJIN_IMPORT_MAX_COLUMNS = int(os.environ.get("TUIJIN_IMPORT_MAX_COLUMNS", 100))
TUIJIN_IMPORT_MAX_CELLS = int(os.environ.get("TUIJIN_IMPORT_MAX_CELLS", 6_000_000))
TUIJIN_IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("TUIJIN_IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024))

# Background jobs (django-tasks): the queue is a table in our own database; `tuijin worker` runs it
# and enqueues the daily snapshot at TUIJIN_SNAPSHOT_AT (local time, HH:MM) once per day.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TUIJIN_SNAPSHOT_AT = os.environ.get("TUIJIN_SNAPSHOT_AT", "01:30")
# Web imports are queued here and run by `tuijin worker` (tests run them inline, see tests/conftest.py).
TUIJIN_IMPORT_TASK_BACKEND = "default"
# A web import still "running" whose heartbeat (every 15 s while it works) is older than this many
# seconds was abandoned by a killed worker: `tuijin worker` queues it again (3 runs at most).
TUIJIN_IMPORT_STALE_AFTER = int(os.environ.get("TUIJIN_IMPORT_STALE_AFTER", "600"))

if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
