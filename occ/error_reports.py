"""What Django's error reports may show: no secret, with DEBUG on or off.

`scripts/run.sh` runs with DEBUG on, and Django's technical 500 page then
lists every frame's local variables, the settings, the request's headers
and its POST data. Django's own SafeExceptionReporterFilter hides settings
by name, but filters variables and POST data (`sensitive_variables`,
`sensitive_post_parameters`) only with DEBUG off, and never looks at values.
This filter is always active, and hides:

- settings, headers, cookies, POST fields and local variables whose name
  says secret (TOKEN, AUTH, SECRET, KEY, PASS, ...), and the URLs of the
  database and Redis (they may carry a password);
- any value holding a known secret: SECRET_KEY, OCC_ENCRYPTION_KEY, the
  passwords in DATABASE_URL and REDIS_URL, and every secret this process has
  decrypted (the Twilio Auth Token, webhook secrets: occ.lib.crypto remembers
  them), or an HTTP `Authorization` credential.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from django.conf import settings
from django.views.debug import SafeExceptionReporterFilter

from occ.lib import crypto

SENSITIVE_NAMES = re.compile(
    "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|CREDENTIAL|HTTP_COOKIE|DATABASE_URL|REDIS_URL",
    flags=re.I,
)
# "Basic <base64>", "Bearer <token>", "Token <key>": an Authorization header's value.
CREDENTIAL = re.compile(r"\b(Basic|Bearer|Token)\s+[A-Za-z0-9+/=._~-]{8,}")
# Shorter values are not searched for: they would hide ordinary words.
MIN_SECRET_LENGTH = 8


def _url_password(url: str) -> str:
    try:
        return urlsplit(url).password or ""
    except ValueError:
        return ""


def known_secrets() -> list[str]:
    values = [
        settings.SECRET_KEY,
        getattr(settings, "OCC_ENCRYPTION_KEY", ""),
        _url_password(getattr(settings, "DATABASE_URL", "")),
        _url_password(getattr(settings, "REDIS_URL", "")),
        *crypto.revealed_secrets(),
    ]
    return [value for value in values if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH]


class SecretsFilter(SafeExceptionReporterFilter):
    hidden_settings = SENSITIVE_NAMES

    def is_active(self, request):
        # Django turns the filter off with DEBUG on; a development server
        # still holds real credentials, and its error page may be shared.
        return True

    def _holds_secret(self, value, secrets: list[str]) -> bool:
        try:
            # str() also for lazy strings (axes' settings), which pass isinstance(str).
            text = str(value) if isinstance(value, str) else repr(value)
        except Exception:
            return True  # what cannot be looked at cannot be shown safely either
        if isinstance(value, bytes):
            text = value.decode("utf-8", "replace")
        return bool(CREDENTIAL.search(text)) or any(secret in text for secret in secrets)

    def _cleanse(self, name: str, value, secrets: list[str]):
        if name and SENSITIVE_NAMES.search(name):
            return self.cleansed_substitute
        if isinstance(value, Mapping) and not isinstance(value, str):
            try:
                return {k: self._cleanse(str(k), v, secrets) for k, v in value.items()}
            except Exception:
                return self.cleansed_substitute
        return self.cleansed_substitute if self._holds_secret(value, secrets) else value

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        if cleansed is self.cleansed_substitute or callable(value):
            return cleansed
        return self._cleanse("", cleansed, known_secrets())

    def get_post_parameters(self, request):
        parameters = super().get_post_parameters(request)
        if not parameters:
            return parameters
        parameters = parameters.copy()
        secrets = known_secrets()
        for name in list(parameters):
            if SENSITIVE_NAMES.search(name) or any(
                self._holds_secret(v, secrets) for v in parameters.getlist(name)
            ):
                parameters[name] = self.cleansed_substitute
        return parameters

    def get_traceback_frame_variables(self, request, tb_frame):
        secrets = known_secrets()
        return [
            (
                name,
                value if value == self.cleansed_substitute else self._cleanse(name, value, secrets),
            )
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]
