"""ASGI entry point: HTTP through Django, WebSockets through Channels, start-up work on lifespan.

Twilio's webhooks take a lean HTTP path without session, CSRF, auth,
messages or locale middleware (occ/lean_asgi.py). WebSockets pass origin
validation (AllowedHostsOriginValidator) and session authentication before
reaching a consumer. What each worker does once started (the garbage
collector's tuning) runs on the lifespan's start-up (occ/startup.py), never
at import.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "occ.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from occ import startup  # noqa: E402
from occ.lean_asgi import WEBHOOK_PREFIXES, LeanASGIHandler, split_by_path  # noqa: E402
from occ.routing import websocket_urlpatterns  # noqa: E402


def build(lean_prefixes: tuple[str, ...] = WEBHOOK_PREFIXES):
    """The application, with requests under `lean_prefixes` on the lean path."""
    return ProtocolTypeRouter(
        {
            "http": split_by_path(LeanASGIHandler(), django_asgi_app, lean_prefixes),
            "websocket": AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
            "lifespan": startup.lifespan,
        }
    )


application = build()
