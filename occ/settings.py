"""Django settings for OCC, read from the environment.

With nothing set the project runs on a SQLite file and the in-memory channel
layer. DATABASE_URL (PostgreSQL) and REDIS_URL (Redis) switch to the
scale-out setup. `.env.example` lists every variable.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from occ.lib.env import database_from_url, env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# Public, for development only: occ.production refuses to start with it.
DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me-0123456789abcdef"
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Key used to encrypt the Twilio Auth Token at rest (a Fernet key, or any
# passphrase, which is stretched). Falls back to SECRET_KEY for development.
OCC_ENCRYPTION_KEY = env_str("OCC_ENCRYPTION_KEY", "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "csp",
    # {% load heroicons %}: the icons of the console and the desk (one kept set).
    "heroicons",
    "occ",
    "settings.apps.AdvancedSettingsConfig",
    "services",
    "agents",
    "desk",
    "interactions",
    "widgets",
    "whatsapp",
    "api",
    "hooks",
    "audit",
    "reports",
    "privacy",
    # Log-in lockouts (see AXES_* below).
    "axes",
]

MIDDLEWARE = [
    # X-Forwarded-* are believed only from OCC_TRUSTED_PROXIES (occ/lib/proxies.py).
    "occ.lib.proxies.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A database outage is a 503 (so Twilio's retry rules apply), never a false 200.
    "occ.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Remembers who is acting, for the audit log of configuration changes.
    "audit.context.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Content-Security-Policy on every answer (django-csp): only this
# installation's own scripts, styles, images and connections, a fresh nonce
# for the few inline scripts left (the API documentation's start-up), and no
# framing by other sites. An answer that sets its own policy keeps it (the
# widget's QR code SVG, media and files served back); the widget's public
# answers, embedded by other websites, go without (widgets/public_views.py).
# 'self' covers the desk's ws:/wss: socket on the same host and port (CSP
# Level 3), data: the inline images of stylesheets. No 'unsafe-inline' for
# styles: inline style attributes are refused; scripts set styles through
# element.style. With DEBUG on, django-csp leaves 404 and 500 answers alone
# (Django's technical pages are inline scripts and styles).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Error reports (the DEBUG page, e-mails to ADMINS) hide secrets by name and
# by value, with DEBUG on too: occ/error_reports.py.
DEFAULT_EXCEPTION_REPORTER_FILTER = "occ.error_reports.SecretsFilter"

ROOT_URLCONF = "occ.urls"
WSGI_APPLICATION = "occ.wsgi.application"
ASGI_APPLICATION = "occ.asgi.application"

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
                "django.template.context_processors.i18n",
                "occ.context_processors.occ",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool("DB_POOL", True):
        # Under ASGI every request runs its sync code in a thread of its own,
        # so a persistent connection (CONN_MAX_AGE) would be one connection per
        # request thread, left open until the server runs out of them. A pool
        # per process hands connections out and takes them back per request.
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env_int("DB_POOL_MIN_SIZE", 2),
            "max_size": env_int("DB_POOL_MAX_SIZE", 10),
            "timeout": env_float("DB_POOL_TIMEOUT_SECONDS", 10.0),
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        # The pool checks a connection before handing it out, so one broken
        # by a PostgreSQL restart is replaced instead of failing a webhook.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    else:
        # Reuse connections across requests: opening one costs more than a webhook.
        DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # IMMEDIATE: a transaction takes SQLite's write lock when it begins, so a second
            # writer waits (up to `timeout`) instead of failing with "database is locked" when
            # its read turns into a write; WAL lets readers go on while one writes.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    # The pub/sub layer delivers every group message to connected consumers
    # and never drops past a per-channel capacity, unlike the core Redis
    # layer (which drops silently past `capacity`, and with redis-py 8 drops
    # idle connections after ~5 s: channels_redis issue #422).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            # A prefix of its own keeps installations sharing one Redis apart
            # (pub/sub channels ignore the database number in the URL).
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env_str("CHANNEL_LAYER_PREFIX", "asgi")},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# A live push to desks waits at most this long; after a failure pushes pause
# for OCC_PUSH_PAUSE_SECONDS (desks resynchronise), so webhooks stay fast.
OCC_PUSH_TIMEOUT_SECONDS = env_float("OCC_PUSH_TIMEOUT_SECONDS", 3.0)
OCC_PUSH_PAUSE_SECONDS = env_float("OCC_PUSH_PAUSE_SECONDS", 2.0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Log-in lockouts, by django-axes: this many failed log-ins of one username
# from one client address lock that username out from that address for the
# lockout period. Keyed by the pair, so nobody locks anybody else out: not
# another user at the same address (behind a proxy everyone shares one), not
# the same user elsewhere. A success clears that pair's failures.
OCC_LOGIN_MAX_FAILURES = env_int("OCC_LOGIN_MAX_FAILURES", 5)
OCC_LOGIN_LOCKOUT_SECONDS = env_int("OCC_LOGIN_LOCKOUT_SECONDS", 900)
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out pair even to a caller of authenticate() other than the log-in forms.
    "audit.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "audit.lockout.failure_limit"
AXES_COOLOFF_TIME = "audit.lockout.cool_off"
AXES_CLIENT_IP_CALLABLE = "occ.lib.proxies.client_ip"
AXES_USERNAME_CALLABLE = "audit.lockout.username"
AXES_RESET_ON_SUCCESS = True
# Failures during a lockout are not counted (they do not extend it): the
# forms refuse a locked-out pair before checking its password.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Every refused log-in is kept (who, from where, when) for the administrators.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The log-in forms show the lockout themselves, in the page and the user's
# language (audit/forms.py), so axes' middleware, which would replace the page
# with its own answer, is not installed.
# models.W040: the reports' covering indexes (INCLUDE) are PostgreSQL's; SQLite
# builds the same indexes without the extra columns, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["axes.W002", "models.W040"]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("it", _("Italian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where `collectstatic` gathers the files production serves (occ/production.py).
STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

REST_FRAMEWORK = {
    # Session (with CSRF) for the browser, tokens for scripts; both count
    # failed attempts per client address and answer 429 past the limit.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # Django REST framework's own, refusing unsafe text with a field error (occ.lib.text).
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "api.parsers.FormParser",
        "api.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OCC API",
    "DESCRIPTION": "Configuration, agents, interactions and messages of the OCC contact centre.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The documentation page serves Swagger UI from this installation, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PresenceEnum": "agents.models.Presence",
        "InteractionStateEnum": "interactions.models.InteractionState",
        "MessageStatusEnum": "interactions.models.MessageStatus",
    },
}
# Failed API token authentications allowed per (token prefix, client address)
# and window before the API answers 429 Too Many Requests; wrong tokens of no
# existing prefix are counted per address. A valid token is never refused for
# someone else's failures (api/authentication.py).
OCC_API_AUTH_FAILURES_LIMIT = env_int("OCC_API_AUTH_FAILURES_LIMIT", 10)
OCC_API_AUTH_FAILURES_WINDOW_SECONDS = env_int("OCC_API_AUTH_FAILURES_WINDOW_SECONDS", 300)

# --- Outbound webhooks ------------------------------------------------------
OCC_WEBHOOK_TIMEOUT_SECONDS = env_float("OCC_WEBHOOK_TIMEOUT_SECONDS", 10.0)
OCC_WEBHOOK_MAX_ATTEMPTS = env_int("OCC_WEBHOOK_MAX_ATTEMPTS", 10)
OCC_WEBHOOK_RETRY_BASE_SECONDS = env_float("OCC_WEBHOOK_RETRY_BASE_SECONDS", 15.0)
OCC_WEBHOOK_RETRY_MAX_SECONDS = env_float("OCC_WEBHOOK_RETRY_MAX_SECONDS", 3600.0)
# A pending delivery this overdue has lost its task (the engine was down
# when it was enqueued, a worker died past its claim): the sweep, run this
# often, asks for it again.
OCC_WEBHOOK_SWEEP_GRACE_SECONDS = env_float("OCC_WEBHOOK_SWEEP_GRACE_SECONDS", 60.0)
# Events whose deliveries are all finished are deleted after this many days.
OCC_WEBHOOK_KEEP_DAYS = env_int("OCC_WEBHOOK_KEEP_DAYS", 30)
# How long a process trusts its in-memory list of active endpoints (the
# receiving path then costs no query); a new endpoint gets events within this.
OCC_WEBHOOK_ENDPOINTS_CACHE_SECONDS = env_float("OCC_WEBHOOK_ENDPOINTS_CACHE_SECONDS", 5.0)

# --- Background tasks -------------------------------------------------------
# Django's Tasks API (`@task`, `.enqueue()`, `run_after`) through the
# django-tasks backport, so Django 6's built-in `django.tasks` is an import
# change. Work that must not run in a request (webhook deliveries, timers,
# sweeps) is a task, run by `manage.py worker`. The database backend is the
# default (SQLite or PostgreSQL: tasks are rows of the same database, enqueued
# in the transaction of the change that asks for them); at scale the RQ
# backend puts the queue on the deployed Redis.
INSTALLED_APPS += ["django_tasks", "django_tasks_db", "engine"]
OCC_TASKS_BACKEND = env_str("OCC_TASKS_BACKEND", "database").strip().lower() or "database"
if OCC_TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq"]
    _tasks_redis = env_str("OCC_TASKS_REDIS_URL", REDIS_URL or "redis://127.0.0.1:6379/0")
    if "socket_connect_timeout" not in _tasks_redis:
        # An unreachable Redis fails an enqueue in seconds (the sweeps find
        # the work later) instead of holding a webhook's answer.
        _tasks_redis += ("&" if "?" in _tasks_redis else "?") + "socket_connect_timeout=2"
    RQ_QUEUES = {"default": {"URL": _tasks_redis}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A task still running after this long lost its worker (killed, machine
# gone): it is run again (each OCC task re-reads its state and is safe to
# repeat), and marked failed after OCC_TASKS_MAX_RECOVERIES such losses.
OCC_TASKS_STALLED_AFTER_SECONDS = env_float("OCC_TASKS_STALLED_AFTER_SECONDS", 300.0)
OCC_TASKS_MAX_RECOVERIES = env_int("OCC_TASKS_MAX_RECOVERIES", 3)
# Finished tasks are kept this long for the console, then deleted.
OCC_TASKS_KEEP_FINISHED_DAYS = env_int("OCC_TASKS_KEEP_FINISHED_DAYS", 7)

# --- Twilio ---------------------------------------------------------------
# Base URLs are configurable so tests and the sandbox talk to a local fake
# Twilio over real HTTP. Leave TWILIO_EDGE / TWILIO_REGION unset, or the
# twilio client rewrites the host.
TWILIO_API_BASE_URL = env_str("TWILIO_API_BASE_URL", "https://api.twilio.com")
TWILIO_MESSAGING_BASE_URL = env_str("TWILIO_MESSAGING_BASE_URL", "https://messaging.twilio.com")
# Twilio's Content API (the account's WhatsApp templates and their approval).
TWILIO_CONTENT_BASE_URL = env_str("TWILIO_CONTENT_BASE_URL", "https://content.twilio.com")
TWILIO_TIMEOUT_SECONDS = min(env_float("TWILIO_TIMEOUT_SECONDS", 10.0), 10.0)
# Attempts to send one reply while Twilio is unreachable or busy (429/5xx)
# before it is shown as failed with the reason.
OCC_SEND_MAX_ATTEMPTS = env_int("OCC_SEND_MAX_ATTEMPTS", 6)

# The public URL Twilio uses to reach this installation (scheme, host, port),
# e.g. https://occ.example.com. Webhook signatures are checked against it, so
# a TLS-terminating proxy does not break them. Empty: use the request's URL
# (honouring X-Forwarded-Proto/Host/Port from a trusted proxy).
OCC_PUBLIC_BASE_URL = env_str("OCC_PUBLIC_BASE_URL", "").rstrip("/")

# --- Reverse proxies ----------------------------------------------------------
# Addresses or networks (CIDR) of the proxies in front of OCC, comma-separated:
# only requests whose peer is one of them may set X-Forwarded-Proto (the HTTPS
# redirect and secure cookies), X-Forwarded-Host/Port and X-Forwarded-For (the
# client address of lockouts, rate limits and the audit log). From any other
# peer these headers are removed (occ/lib/proxies.py). Empty: no proxy is trusted.
OCC_TRUSTED_PROXIES = env_list("OCC_TRUSTED_PROXIES", [])
if env_str("OCC_TRUST_PROXY_HEADERS", "").lower() in {"1", "true", "yes", "on"}:
    raise ImproperlyConfigured(
        "OCC_TRUST_PROXY_HEADERS trusted X-Forwarded-* from any client and is gone: set "
        "OCC_TRUSTED_PROXIES to the address(es) of your proxy instead (e.g. 127.0.0.1)."
    )
if OCC_TRUSTED_PROXIES:
    for _entry in OCC_TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(_entry, strict=False)
        except ValueError as _exc:
            raise ImproperlyConfigured(
                f"OCC_TRUSTED_PROXIES: {_entry!r} is not an address or network"
            ) from _exc
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
    USE_X_FORWARDED_PORT = True

# --- Cache -----------------------------------------------------------------
# Counters of the API's failed authentications and the widget's rate limit.
# With REDIS_URL every worker shares them; otherwise each process counts on
# its own (in memory), so N workers allow up to N times a limit.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "occ"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The widget's public `visits` endpoint: posts accepted per client address and
# widget per minute; past it 429 with Retry-After, and nothing stored.
OCC_WIDGET_VISITS_PER_MINUTE = env_int("OCC_WIDGET_VISITS_PER_MINUTE", 10)

# The built-in sandbox: a fake Twilio served in-process and a phone simulator.
# Never enabled by the production settings.
OCC_SANDBOX = env_bool("OCC_SANDBOX", False)

# Seconds an agent may be without any open desk tab before counting as offline.
OCC_PRESENCE_GRACE_SECONDS = env_int("OCC_PRESENCE_GRACE_SECONDS", 30)
# How often the task worker re-reads the account's WhatsApp templates and
# their approval from Twilio's Content API (also: Chat channel → Sync).
OCC_TEMPLATE_SYNC_SECONDS = env_int("OCC_TEMPLATE_SYNC_SECONDS", 3600)
# Minutes without any activity in the desk (keys, pointer, touch) after which an online
# agent is set away; 0: never.
OCC_AUTO_AWAY_MINUTES = env_int("OCC_AUTO_AWAY_MINUTES", 0)
# When OCC sends WhatsApp's typing indicator (which also marks the customer's latest
# message read, blue ticks): "typing" (the agent starts typing a reply), "opening"
# (the agent opens the conversation) or "off".
OCC_TYPING_INDICATOR = env_str("OCC_TYPING_INDICATOR", "typing")
# Where files agents attach to replies are stored (Twilio fetches them by URL).
OCC_MEDIA_ROOT = env_str("OCC_MEDIA_ROOT", str(BASE_DIR / "media"))
# How long the public URL of such a file works: minutes after Twilio first
# fetched it (Twilio may fetch again, e.g. to retry delivery to WhatsApp),
# and hours after the upload at most, fetched or not.
OCC_UPLOAD_FETCH_WINDOW_MINUTES = env_int("OCC_UPLOAD_FETCH_WINDOW_MINUTES", 15)
OCC_UPLOAD_MAX_AGE_HOURS = env_int("OCC_UPLOAD_MAX_AGE_HOURS", 24)
# How often the retention policy (Settings → Data protection) runs on the task engine, when it is on.
OCC_RETENTION_INTERVAL_SECONDS = env_int("OCC_RETENTION_INTERVAL_SECONDS", 3600)
# Upper bound for an agent's Max interactions.
OCC_MAX_INTERACTIONS_LIMIT = env_int("OCC_MAX_INTERACTIONS_LIMIT", 50)

# Tune the garbage collector of each server worker once it has started
# (occ/startup.py, on the ASGI lifespan's start-up; never at import).
OCC_GC_TUNING = env_bool("OCC_GC_TUNING", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"quiet_polling": {"()": "occ.lib.logs.QuietPolling"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # The development server logs each request once (not again through the
        # root logger), without the sandbox phone's polling.
        "django.channels.server": {
            "handlers": ["console"],
            "filters": ["quiet_polling"],
            "level": "INFO",
            "propagate": False,
        },
        "django.server": {
            "handlers": ["console"],
            "filters": ["quiet_polling"],
            "propagate": False,
        },
        # A 403 or 404 is an answer, not an incident: the request line says it;
        # server errors (5xx) are still logged with their traceback.
        "django.request": {"level": "ERROR"},
        # The twilio client logs request bodies at DEBUG; keep it quiet so
        # credentials and message contents never reach the log.
        "twilio": {"level": "WARNING"},
        "twilio.http_client": {"level": "WARNING"},
        # Axes logs every successful log-in at INFO; failures and lockouts are warnings.
        "axes": {"level": "WARNING"},
    },
}

# --- Accounts: invitations, password reset, two-factor sign-in ----------------
# django-otp keeps the TOTP devices and the recovery codes (its static device);
# OCC's own log-in page asks for the code after the password (accounts/views.py).
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
]
# OTPMiddleware marks a session verified by a device; TwoFactorMiddleware then
# sends a user who must have two-factor, and has none, to enrolment.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "accounts.middleware.TwoFactorMiddleware",
)
# How long an invitation or a password-reset link stays valid (Django's
# default_token_generator signs both; a link also stops working once used,
# because setting the password changes what it signs).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)
# The name authenticator apps show next to the account.
OTP_TOTP_ISSUER = env_str("OCC_TOTP_ISSUER", "OCC")
# django-otp's own throttle delays a device after each wrong code for anyone,
# from anywhere: someone who had a password could keep its owner out. Wrong
# codes count instead in the log-in lockout, per (username, client address).
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Seconds between a correct password and its code before the log-in starts over.
OCC_LOGIN_CODE_SECONDS = env_int("OCC_LOGIN_CODE_SECONDS", 300)
# Password-reset e-mails per hour: per (client address, e-mail address), and
# per client address in all. Past them the page answers as always and sends
# nothing, so it tells nobody whether an address exists; nobody elsewhere can
# use up someone else's allowance.
OCC_PASSWORD_RESETS_PER_HOUR = env_int("OCC_PASSWORD_RESETS_PER_HOUR", 3)
OCC_PASSWORD_RESETS_PER_ADDRESS_PER_HOUR = env_int("OCC_PASSWORD_RESETS_PER_ADDRESS_PER_HOUR", 20)
# E-mail: SMTP from EMAIL_HOST & co. In the sandbox, by default, e-mails are
# kept in the database and listed under Sandbox → Outbox instead of sent.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "accounts.outbox.OutboxBackend"
    if OCC_SANDBOX
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "OCC <occ@localhost>")
