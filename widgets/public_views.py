"""The widget's public endpoints: the embed script, its configuration, QR codes, visits.

No login, no cookies, callable from any website's pages (CORS). Nothing here
touches the session, so the session middleware sets no cookie; POSTs are
CSRF-exempt because they carry no credentials and change nothing a visitor
could abuse beyond counting a visit; visits are rate-limited per address and
widget (widgets.limits). A host page outside a widget's allowed
origins gets no configuration and records no visit (see widgets.origins: a
courtesy, not a secret). The QR images are not origin-checked: they carry
only the public number and are meant for print too.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache, wraps
from pathlib import Path

from csp.decorators import csp_exempt
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from occ.lib.proxies import client_ip
from whatsapp.urls_public import public_base_url
from widgets import actions, limits, origins, qr, selectors

EMBED_SCRIPT = Path(settings.BASE_DIR) / "static" / "widget" / "embed.js"

# Versioned QR URLs (…?h=<content hash>) never change meaning: cache for a year.
IMMUTABLE = "public, max-age=31536000, immutable"
# Everything else is revalidated with its ETag, so a new number shows at once.
REVALIDATE = "public, no-cache"


def _cors(response: HttpResponse, request, allow_origin: str = "*") -> HttpResponse:
    response["Access-Control-Allow-Origin"] = allow_origin
    response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response["Access-Control-Max-Age"] = "86400"
    response["Vary"] = "Origin, Accept-Language" if allow_origin != "*" else "Accept-Language"
    # Host pages with Cross-Origin-Embedder-Policy may load our images and script.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _error(request, status: int, message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    response["Cache-Control"] = "no-store"
    return _cors(response, request)


def _not_found(request) -> JsonResponse:
    return _error(request, 404, _("No widget in use with this key and a WhatsApp service."))


def public_endpoint(methods: tuple[str, ...]):
    """CSRF-exempt, frameable, preflight answered, other methods refused with a JSON error.

    Frameable because websites may show the QR code in an <object> or
    <iframe>; nothing here acts on a click, so there is nothing to clickjack.
    For the same reason these answers skip the pages' Content-Security-Policy
    (its frame-ancestors 'none' would blank such a QR code); none is an HTML
    page, and the SVG, the one that could be opened as a document, sets a
    policy of its own.
    """

    def decorate(view):
        @csrf_exempt
        @xframe_options_exempt
        @csp_exempt()
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "OPTIONS":
                # The parsed origin, never the raw header: a header value cannot carry what it might.
                return _cors(
                    HttpResponse(status=204), request, origins.request_origin(request) or "*"
                )
            if request.method not in methods:
                response = _error(request, 405, _("Method not allowed."))
                response["Allow"] = ", ".join(methods)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _not_modified(request, etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = parse_etags(header)
    return "*" in tags or etag in tags or etag in [t.removeprefix("W/") for t in tags]


def _conditional(
    request, body: bytes, content_type: str, etag: str, cache_control: str
) -> HttpResponse:
    """200 with the body, or 304 when the browser already holds this ETag."""
    if _not_modified(request, etag):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


def _allowed_origin(widget, request) -> tuple[bool, str]:
    """(allowed?, the value for Access-Control-Allow-Origin)."""
    origin = origins.request_origin(request)
    allowed = widget.origins
    if not origins.origin_allowed(allowed, origin):
        return False, "*"
    return True, origin if (allowed and origin) else "*"


# --- the script ---------------------------------------------------------------------


@cache
def _embed_script() -> tuple[bytes, str]:
    body = EMBED_SCRIPT.read_bytes()
    return body, quote_etag(hashlib.sha256(body).hexdigest()[:32])


@public_endpoint(("GET", "HEAD"))
def embed_script(request):
    body, etag = _embed_script() if not settings.DEBUG else _embed_script.__wrapped__()
    response = _conditional(
        request, body, "text/javascript; charset=utf-8", etag, "public, max-age=300"
    )
    return _cors(response, request)


# --- configuration --------------------------------------------------------------------


def _absolute(request, path: str) -> str:
    return public_base_url(request) + path


def _channel_json(request, widget, channel: selectors.WhatsAppChannel, ref: str = "") -> dict:
    def qr_url(fmt: str) -> str:
        url = reverse(f"widgets:qr_{fmt}", args=[widget.public_key])
        query = f"?ref={ref}&h={channel.qr_hash(fmt)}" if ref else f"?h={channel.qr_hash(fmt)}"
        return _absolute(request, url + query)

    return {
        "type": "whatsapp",
        "label": _("WhatsApp"),
        "number": "+" + channel.digits,
        "text": channel.text,
        "app_link": channel.app_link,
        "web_link": channel.web_link,
        "qr_svg": qr_url("svg"),
        "qr_png": qr_url("png"),
    }


def _strings(widget) -> dict:
    return {
        "launcher": widget.launcher_text or _("Chat with us"),
        "title": widget.title_text or _("Chat with us on WhatsApp"),
        "close": _("Close"),
        "scan": _("Scan the code with your phone's camera to open WhatsApp."),
        # The QR code's text alternative (the hint below it says how to use it).
        "qr_alt": _("QR code of a WhatsApp chat with %(number)s"),
        "open_web": _("Open WhatsApp Web"),
        "open_app": _("Open WhatsApp"),
        "or": _("or"),
    }


@public_endpoint(("GET", "HEAD"))
def config(request, key: str):
    widget = selectors.served_widget(key)
    if widget is None:
        return _not_found(request)
    allowed, allow_origin = _allowed_origin(widget, request)
    if not allowed:
        return _error(request, 403, _("This website is not allowed to show this widget."))
    channel = selectors.whatsapp_channel(widget)
    data = {
        "widget": widget.public_key,
        "channels": [_channel_json(request, widget, channel)],
        "visits": (
            _absolute(request, reverse("widgets:visits", args=[widget.public_key]))
            if widget.attribution_enabled
            else None
        ),
        "strings": _strings(widget),
        "style": {"colour": widget.colour, "position": widget.position},
    }
    body = json.dumps(data, ensure_ascii=False).encode()
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    response = _conditional(request, body, "application/json", etag, REVALIDATE)
    return _cors(response, request, allow_origin)


# --- QR codes --------------------------------------------------------------------------


def _qr(request, key: str, fmt: str):
    widget = selectors.served_widget(key)
    if widget is None:
        return _not_found(request)
    visit = None
    ref = request.GET.get("ref", "")
    if ref:
        visit = selectors.open_visit(widget, ref)
        if visit is None:
            return _error(request, 404, _("Unknown visit."))
    channel = selectors.whatsapp_channel(widget, visit)
    digest = channel.qr_hash(fmt)
    # A URL naming this very content may be cached for good; the plain URL
    # is revalidated, so a changed number or text shows at once.
    cache_control = IMMUTABLE if request.GET.get("h") == digest else REVALIDATE
    if _not_modified(request, quote_etag(digest)):
        body = b""  # the browser has it: no rendering, no cache lookup
    else:
        body, digest = qr.render(channel.app_link, fmt)
    response = _conditional(request, body, qr.CONTENT_TYPES[fmt], quote_etag(digest), cache_control)
    if fmt == "svg":
        # An SVG opened on its own is a document of our origin: let it run nothing.
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return _cors(response, request)


@public_endpoint(("GET", "HEAD"))
def qr_svg(request, key: str):
    return _qr(request, key, "svg")


@public_endpoint(("GET", "HEAD"))
def qr_png(request, key: str):
    return _qr(request, key, "png")


# --- visits (attribution) ----------------------------------------------------------------


def _attributing_widget(request, key: str):
    """(widget, None) or (None, error response)."""
    widget = selectors.served_widget(key)
    if widget is None or not widget.attribution_enabled:
        return None, _not_found(request)
    allowed, allow_origin = _allowed_origin(widget, request)
    if not allowed:
        return None, _error(request, 403, _("This website is not allowed to show this widget."))
    return widget, None


@public_endpoint(("POST",))
def visits(request, key: str):
    """A visitor opened the widget: a visit and its own channel (text with a reference code)."""
    widget, error = _attributing_widget(request, key)
    if error:
        return error
    wait = limits.take_visit(widget.public_key, client_ip(request) or "unknown")
    if wait:
        response = _error(
            request, 429, _("Too many visits from this address: try again in a minute.")
        )
        response["Retry-After"] = str(wait)
        return _cors(response, request, _allowed_origin(widget, request)[1])
    visit = actions.record_visit(widget, request.POST.get("page_url", ""))
    channel = selectors.whatsapp_channel(widget, visit)
    data = {
        "ref": visit.ref_code,
        "opened": _absolute(
            request, reverse("widgets:visit_opened", args=[widget.public_key, visit.ref_code])
        ),
        "channels": [_channel_json(request, widget, channel, ref=visit.ref_code)],
    }
    response = JsonResponse(data, status=201, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return _cors(response, request, _allowed_origin(widget, request)[1])


@public_endpoint(("POST",))
def visit_opened(request, key: str, ref: str):
    """The visitor clicked through to WhatsApp."""
    widget, error = _attributing_widget(request, key)
    if error:
        return error
    visit = selectors.open_visit(widget, ref)
    if visit is None:
        return _error(request, 404, _("Unknown visit."))
    actions.mark_opened(visit)
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return _cors(response, request, _allowed_origin(widget, request)[1])
