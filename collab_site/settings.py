"""Settings for the collaborative page editor, configured entirely by environment variables.

With no environment at all (and DEBUG=1, as `make run` sets) the project runs on a SQLite
file and the in-memory channel layer. `DATABASE_URL` and `REDIS_URL` switch it to
PostgreSQL and Redis. Every variable is listed in the README's configuration table.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from collab_site.logs import log_format_is_json, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string in production, "
            "or DEBUG=1 for local development."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "documents",
    "realtime",
]

MIDDLEWARE = [
    "collab_site.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "collab_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = None
ASGI_APPLICATION = "collab_site.asgi.application"

# Database: PostgreSQL through DATABASE_URL in production, a SQLite file otherwise.
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"],
            conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # An unreachable server fails a connection attempt in seconds, not after TCP's minutes.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # WAL lets page loads read while the update-log writer commits.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "CONN_MAX_AGE": 600,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Channel layer: Redis pub/sub joins processes in production; in memory for one process.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Prefix of every Redis key and channel of this installation (several can share one Redis).
REDIS_PREFIX = os.environ.get("REDIS_PREFIX", "collab")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # The pub/sub layer delivers across processes in about 1 ms, against 11-14 ms
            # for the list-based RedisChannelLayer (see TRAPS in the design notes).
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": REDIS_PREFIX},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The cache holds REST rate-limit counters: in Redis, so that limits hold across processes.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("REDIS_PREFIX", "collab"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "page-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Serve files straight from the finders in development, so a rebuilt bundle shows at once.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    # Token first: DRF takes the WWW-Authenticate header from the first class, and only with
    # one can it answer 401 (SessionAuthentication has none, which turns 401 into 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "documents.api.pagination.PagePagination",
    "PAGE_SIZE": env_int("API_PAGE_SIZE", 50),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "documents.api.errors.exception_handler",
    # ?format= chooses a page's content format (text, html, markdown), not a DRF renderer.
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_THROTTLE_CLASSES": [
        "documents.api.throttling.UserRateThrottle",
        "documents.api.throttling.AnonRateThrottle",
    ],
    # Requests per user (and per address without a user); beyond them the API answers 429.
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("API_RATE_LIMIT", "1200/min"),
        "anon": os.environ.get("API_ANON_RATE_LIMIT", "120/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Pages API",
    "DESCRIPTION": "Pages, their tree, their content and their history.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Pages
TRASH_RETENTION_DAYS = env_int("TRASH_RETENTION_DAYS", 30)
PAGE_TITLE_MAX_LENGTH = 255

# Realtime (see realtime/ and the README's configuration table)
REALTIME = {
    # Limits, each with its close code (see the README).
    # Largest WebSocket message accepted; bigger ones close the socket with 4413.
    "MAX_MESSAGE_BYTES": env_int("REALTIME_MAX_MESSAGE_BYTES", 8 * 1024 * 1024),
    # An update that would grow a page's document past this is refused with 4413.
    "MAX_DOCUMENT_BYTES": env_int("REALTIME_MAX_DOCUMENT_BYTES", 32 * 1024 * 1024),
    # Largest awareness message (cursor, name) a client may send; 4413 beyond.
    "MAX_AWARENESS_BYTES": env_int("REALTIME_MAX_AWARENESS_BYTES", 64 * 1024),
    # Messages a connection may send per second on average, and in one burst; 4429 beyond.
    "MESSAGES_PER_SECOND": env_float("REALTIME_MESSAGES_PER_SECOND", 100.0),
    "MESSAGE_BURST": env_float("REALTIME_MESSAGE_BURST", 500.0),
    # Connections to one page per server process (1013 "page is full") and per user (4429).
    "MAX_CONNECTIONS_PER_PAGE": env_int("REALTIME_MAX_CONNECTIONS_PER_PAGE", 100),
    "MAX_CONNECTIONS_PER_USER": env_int("REALTIME_MAX_CONNECTIONS_PER_USER", 30),
    # Seconds a Room stays loaded after its last connection left.
    "ROOM_GRACE_SECONDS": env_float("REALTIME_ROOM_GRACE_SECONDS", 5.0),
    # Log rows after which a Room compacts the page's update log into its stored state.
    "COMPACT_AFTER_UPDATES": env_int("REALTIME_COMPACT_AFTER_UPDATES", 500),
    # Log rows younger than this stay in the log when compacting, so that every process
    # has had time to pick them up in its repair scan before they are merged away.
    "COMPACT_MIN_AGE_SECONDS": env_float("REALTIME_COMPACT_MIN_AGE_SECONDS", 10.0),
    # How often each process scans the update log for updates it missed.
    "REPAIR_INTERVAL_SECONDS": env_float("REALTIME_REPAIR_INTERVAL_SECONDS", 0.5),
    # Automatic versions: after this many seconds without edits, and at least this often
    # during continuous editing (and when the last editor leaves).
    "VERSION_QUIET_SECONDS": env_float("VERSION_QUIET_SECONDS", 120.0),
    "VERSION_MAX_INTERVAL_SECONDS": env_float("VERSION_MAX_INTERVAL_SECONDS", 600.0),
    # Seconds of quiet after an edit before the page's rendered text and HTML are saved.
    "RENDER_DELAY_SECONDS": env_float("REALTIME_RENDER_DELAY_SECONDS", 1.0),
    # Idle seconds after which a connection is sent a keep-alive message.
    "KEEPALIVE_SECONDS": env_float("REALTIME_KEEPALIVE_SECONDS", 15.0),
    # Largest number of update rows stored in one database round trip.
    "STORE_BATCH_MAX": env_int("REALTIME_STORE_BATCH_MAX", 500),
    # Frames framed once per fan-out and written to the sockets directly (realtime/wsserver);
    # 0 sends every frame through the ASGI interface.
    "DIRECT_WRITES": env_bool("REALTIME_DIRECT_WRITES", True),
}

# Logging: JSON lines in production, plain lines in development (LOG_FORMAT overrides).
LOG_FORMAT_JSON = log_format_is_json(DEBUG)
# ACCESS_LOG=1 adds one line per HTTP request (uvicorn's access log; secrets blanked out).
LOGGING = logging_config(
    json_lines=LOG_FORMAT_JSON, level=os.environ.get("LOG_LEVEL", "INFO").upper(), access_log=env_bool("ACCESS_LOG")
)

# Operations: /healthz, /readyz and /metrics (see docs/production.md).
# Seconds each readiness check (database, Redis) may take before it counts as failed.
READYZ_TIMEOUT_SECONDS = env_float("READYZ_TIMEOUT_SECONDS", 2.0)
# With DEBUG off, /metrics answers only a Bearer token or an allowed address (IPs or CIDRs).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", [])
# How often each process publishes its load snapshot (for the staff load page), in seconds.
LOAD_STATS_INTERVAL_SECONDS = env_float("LOAD_STATS_INTERVAL_SECONDS", 2.0)
# How often the page list asks who is on each page now (they come from those snapshots).
PAGE_LIST_PRESENCE_SECONDS = env_float("PAGE_LIST_PRESENCE_SECONDS", 10.0)

# Production hardening (applies when DEBUG is off); `manage.py check --deploy` passes with it.
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    # TLS ends at the proxy in front (nginx), which says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Health checks and metrics are scraped over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
