"""Website origins: validating the allowed list and reading the caller's origin.

The check relies on the `Origin` and `Referer` headers a browser sends. It
keeps a widget from appearing on other people's websites by accident or by
copy-paste; it is a courtesy, not a secret: any program can send any header,
and everything the endpoints return (a public WhatsApp number) is public.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from occ.lib.text import safe_header_value, unsafe_character

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(value: str) -> str:
    """`scheme://host[:port]` in lower case without a default port, or ValidationError."""
    raw = value.strip().rstrip("/")
    if unsafe_character(raw, multiline=False):
        # urlsplit keeps control characters in the host; no browser sends one.
        raise ValidationError(
            _("“%(value)s” is not a website origin.") % {"value": safe_header_value(value)}
        )
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise ValidationError(_("“%(value)s” is not a website origin.") % {"value": value}) from exc
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValidationError(
            _("“%(value)s” is not a website origin: write it as https://www.example.com.")
            % {"value": value}
        )
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        raise ValidationError(
            _(
                "“%(value)s” has more than an origin: keep only the scheme, the host and the port (no path)."
            )
            % {"value": value}
        )
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}:{port}"
    return f"{parts.scheme}://{host}"


def clean_origin_list(text: str) -> str:
    """Validate one origin per line; return them normalised, one per line, without repeats."""
    origins: dict[str, None] = {}
    errors: list[ValidationError] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        try:
            origins.setdefault(normalize_origin(line), None)
        except ValidationError as exc:
            errors.append(exc)
    if errors:
        raise ValidationError(errors)
    return "\n".join(origins)


def request_origin(request) -> str | None:
    """The origin of the page calling us: `Origin`, else the `Referer`'s origin, else None."""
    for header in ("HTTP_ORIGIN", "HTTP_REFERER"):
        value = request.META.get(header, "")
        if value and value != "null":
            try:
                return normalize_origin(value if header == "HTTP_ORIGIN" else origin_of(value))
            except ValidationError:
                return None
    return None


def origin_of(url: str) -> str:
    """`scheme://netloc` of a URL (not validated)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def origin_allowed(allowed: list[str], origin: str | None) -> bool:
    """An empty list allows any website; otherwise the caller's origin must be listed."""
    if not allowed:
        return True
    if origin is None:
        return False
    normalized = set()
    for item in allowed:
        try:
            normalized.add(normalize_origin(item))
        except ValidationError:
            continue
    return origin in normalized
