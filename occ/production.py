"""Production settings: the defaults plus what `check --deploy` asks for.

Use with DJANGO_SETTINGS_MODULE=occ.production. The sandbox is always off,
DEBUG is always off, and SECRET_KEY must come from the environment: the
development default is public, and anyone knowing it could forge sessions.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from occ.lib.env import env_bool, env_int, env_str
from occ.settings import *  # noqa: F403
from occ.settings import DEV_SECRET_KEY, MIDDLEWARE

DEBUG = False
OCC_SANDBOX = False
# The sandbox's outbox keeps e-mails instead of sending them (occ.settings
# picks it when OCC_SANDBOX was set): production sends by SMTP unless told otherwise.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a long random string for production "
        "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Twilio's webhooks must not be redirected (a redirect loses the POST body).
SECURE_REDIRECT_EXEMPT = [r"^whatsapp/twilio/"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Cookies only over HTTPS, out of reach of page scripts, not sent by other sites' forms.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "Lax"
# A shift: an agent stays signed in for a working day, not for weeks.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
X_FRAME_OPTIONS = "DENY"

# Static files: served by the application itself (occ/static_files.py,
# WhiteNoise) from STATIC_ROOT after `manage.py collectstatic`, under hashed
# names cached for a year, compressed. Right after SecurityMiddleware, so the
# HTTPS redirect and HSTS apply to them too, and before sessions and the
# rest, which a static file does not need.
MIDDLEWARE = list(MIDDLEWARE)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "occ.static_files.StaticFilesMiddleware",
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
