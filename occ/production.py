"""Production settings: the defaults plus what `check --deploy` asks for.

Use with DJANGO_SETTINGS_MODULE=occ.production. The sandbox is always off.
"""

from __future__ import annotations

from occ.env import env_bool, env_int, env_str
from occ.settings import *  # noqa: F403
from occ.settings import SECRET_KEY as _DEFAULT_SECRET_KEY

DEBUG = False
OCC_SANDBOX = False

SECRET_KEY = env_str("SECRET_KEY", _DEFAULT_SECRET_KEY)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Twilio's webhooks must not be redirected (a redirect loses the POST body).
SECURE_REDIRECT_EXEMPT = [r"^whatsapp/twilio/"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
