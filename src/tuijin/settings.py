"""One settings file, read from the environment (SPEC §4.1).

DATABASE_URL        default: SQLite at ./var/tuijin.sqlite3 (WAL mode)
SECRET_KEY          required in production; generated once into ./var/ otherwise
TUIJIN_ENV          "production" turns on the hardened settings checked by `check --deploy`
TUIJIN_MEDIA_ROOT   uploaded files (default ./var/media)
TUIJIN_TODAY        override the as-of date used by views and the CLI (demos, screenshots)
TUIJIN_ALLOWED_HOSTS comma-separated, production only
TUIJIN_SNAPSHOT_AT  local time (HH:MM) after which `tuijin worker` takes the daily snapshot (default 01:30)
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
    "simple_history",
    "axes",
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
    "tuijin.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tuijin.core.static_gzip.StaticGZipMiddleware",  # gzips /static/ when served from the finders (demo)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
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

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'tuijin.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the server read while an import writes; the pragma is set per connection in core.apps.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock an account+address pair after 5 failures for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("TUIJIN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Session timeout: 30 minutes of inactivity.
SESSION_COOKIE_AGE = int(os.environ.get("TUIJIN_SESSION_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
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
# Behind a reverse proxy that sets X-Forwarded-For, public rating limits must see the client's address.
TUIJIN_TRUST_X_FORWARDED_FOR = os.environ.get("TUIJIN_TRUST_X_FORWARDED_FOR", "") == "1"
TUIJIN_UPLOAD_MAX_BYTES = int(os.environ.get("TUIJIN_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))

# Background jobs (django-tasks): the queue is a table in our own database; `tuijin worker` runs it
# and enqueues the daily snapshot at TUIJIN_SNAPSHOT_AT (local time, HH:MM) once per day.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TUIJIN_SNAPSHOT_AT = os.environ.get("TUIJIN_SNAPSHOT_AT", "01:30")

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
